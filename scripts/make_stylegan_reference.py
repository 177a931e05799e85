#!/usr/bin/env python3
"""Reference outputs for the StyleGAN2 generator and discriminator (Tests/StyleGANTests/Fixtures).

A PyTorch implementation of rosinality's stylegan2-pytorch Generator and Discriminator written from
the facts in SPEC §7–§8 (module names and parameter layouts as rosinality's, so the state dicts have
its keys; upfirdn2d in its native form), with explicit channel tables so that tiny generators with
non-standard channel counts can be made. Random weights with non-zero noise weights, biases and
modulation biases, so every part of the computation matters. Writes for each case:

  stylegan-<name>.pt             torch.save({'g_ema', 'g', 'latent_avg', 'args'}) — zip format
  stylegan-<name>-legacy.pt      the same, legacy format (_use_new_zipfile_serialization=False)
  stylegan-<name>.safetensors    g_ema.* and latent_avg
  stylegan-<name>.inputs/outputs.safetensors
      inputs: z [B, S], z2 [B, S], w [B, n_latent, S], grad_weights [B, 3, H, W] (the cotangent)
      outputs: image_z (buffers' noise), image_w (W+ input), image_truncated (ψ = 0.7 with latent_avg),
               image_mixed (z then z2 from index 3), grad_conv1 (d⟨image_z, c⟩/d conv1.conv.weight),
               grad_convs0 (… convs.0.conv.weight), grad_modulation (… conv1.conv.modulation.weight)
  discriminator-<name>.safetensors (rosinality keys), discriminator-<name>.inputs/outputs.safetensors

    PYTHONPATH=/tmp/refsite python3 scripts/make_stylegan_reference.py

Checked once against rosinality's own model.py (commit bef283a, its upfirdn2d_native, its module
classes built with these channel tables, load_state_dict(strict=True) of the files written here):
the same images (max relative difference 3.4e-7, W+ case; 0 elsewhere) and discriminator scores.
"""
import argparse
import math
import os

import torch
from safetensors.torch import save_file
from torch import nn
from torch.nn import functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "StyleGANTests", "Fixtures")


def upfirdn2d(x, kernel, up=1, down=1, pad=(0, 0)):
    """Zero-insert (up − 1 after each sample), pad (negative crops), correlate with the flipped
    kernel, keep every down-th sample — on both axes, NCHW."""
    n, c, h, w = x.shape
    kh, kw = kernel.shape
    x = x.reshape(n * c, 1, h, 1, w, 1)
    x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
    x = x.reshape(n * c, 1, h * up, w * up)
    p0, p1 = pad
    x = F.pad(x, [max(p0, 0), max(p1, 0), max(p0, 0), max(p1, 0)])
    x = x[:, :, max(-p0, 0): x.shape[2] - max(-p1, 0), max(-p0, 0): x.shape[3] - max(-p1, 0)]
    x = F.conv2d(x, torch.flip(kernel, [0, 1]).view(1, 1, kh, kw))
    x = x[:, :, ::down, ::down]
    return x.reshape(n, c, x.shape[2], x.shape[3])


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum()


class Blur(nn.Module):
    def __init__(self, kernel, pad, upsample_factor=1):
        super().__init__()
        k = make_kernel(kernel)
        if upsample_factor > 1:
            k = k * upsample_factor ** 2
        self.register_buffer("kernel", k)
        self.pad = pad

    def forward(self, x):
        return upfirdn2d(x, self.kernel, pad=self.pad)


class Upsample(nn.Module):
    def __init__(self, kernel, factor=2):
        super().__init__()
        self.factor = factor
        self.register_buffer("kernel", make_kernel(kernel) * factor ** 2)
        p = self.kernel.shape[0] - factor
        self.pad = ((p + 1) // 2 + factor - 1, p // 2)

    def forward(self, x):
        return upfirdn2d(x, self.kernel, up=self.factor, pad=self.pad)


def fused_leaky_relu(x, bias):
    shape = [1, -1] + [1] * (x.ndim - 2)
    return F.leaky_relu(x + bias.view(*shape), 0.2) * math.sqrt(2)


class FusedLeakyReLU(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return fused_leaky_relu(x, self.bias)


class EqualLinear(nn.Module):
    def __init__(self, i, o, bias_init=0.0, lr_mul=1.0, activation=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i) / lr_mul)
        self.bias = nn.Parameter(torch.full((o,), float(bias_init)))
        self.scale, self.lr_mul, self.activation = lr_mul / math.sqrt(i), lr_mul, activation

    def forward(self, x):
        if self.activation:
            return fused_leaky_relu(F.linear(x, self.weight * self.scale), self.bias * self.lr_mul)
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class EqualConv2d(nn.Module):
    def __init__(self, i, o, k, stride=1, padding=0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i, k, k))
        self.scale, self.stride, self.padding = 1 / math.sqrt(i * k * k), stride, padding
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, self.stride, self.padding)


class ModulatedConv2d(nn.Module):
    """The fused (grouped) form, as rosinality's default, so the Swift side's non-fused form is checked against it."""

    def __init__(self, i, o, k, style_dim, demodulate=True, upsample=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, o, i, k, k))
        self.modulation = EqualLinear(style_dim, i, bias_init=1)
        self.scale, self.k, self.i, self.o = 1 / math.sqrt(i * k * k), k, i, o
        self.demodulate, self.upsample = demodulate, upsample
        if upsample:
            self.blur = Blur([1, 3, 3, 1], pad=(1, 1), upsample_factor=2)

    def forward(self, x, style):
        b, i, h, w = x.shape
        s = self.modulation(style).view(b, 1, i, 1, 1)
        weight = self.scale * self.weight * s
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8).view(b, self.o, 1, 1, 1)
        if self.upsample:
            weight = weight.transpose(1, 2).reshape(b * i, self.o, self.k, self.k)
            out = F.conv_transpose2d(x.reshape(1, b * i, h, w), weight, padding=0, stride=2, groups=b)
            return self.blur(out.reshape(b, self.o, out.shape[2], out.shape[3]))
        out = F.conv2d(x.reshape(1, b * i, h, w), weight.reshape(b * self.o, i, self.k, self.k), padding=self.k // 2, groups=b)
        return out.reshape(b, self.o, h, w)


class NoiseInjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x, noise):
        return x + self.weight * noise


class StyledConv(nn.Module):
    def __init__(self, i, o, style_dim, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(i, o, 3, style_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(o)

    def forward(self, x, style, noise):
        return self.activate(self.noise(self.conv(x, style), noise))


class ToRGB(nn.Module):
    def __init__(self, i, style_dim, upsample=True):
        super().__init__()
        if upsample:
            self.upsample = Upsample([1, 3, 3, 1])
        self.conv = ModulatedConv2d(i, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))

    def forward(self, x, style, skip=None):
        out = self.conv(x, style) + self.bias
        return out if skip is None else out + self.upsample(skip)


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class ConstantInput(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channels, 4, 4))

    def forward(self, batch):
        return self.input.repeat(batch, 1, 1, 1)


class Generator(nn.Module):
    def __init__(self, size, style_dim, n_mlp, channels):
        super().__init__()
        self.size, self.style_dim = size, style_dim
        self.style = nn.Sequential(PixelNorm(), *[EqualLinear(style_dim, style_dim, lr_mul=0.01, activation=True) for _ in range(n_mlp)])
        self.input = ConstantInput(channels[4])
        self.conv1 = StyledConv(channels[4], channels[4], style_dim)
        self.to_rgb1 = ToRGB(channels[4], style_dim, upsample=False)
        log_size = int(math.log2(size))
        self.num_layers = (log_size - 2) * 2 + 1
        self.convs, self.to_rgbs, self.noises = nn.ModuleList(), nn.ModuleList(), nn.Module()
        for index in range(self.num_layers):
            side = 2 ** ((index + 5) // 2)
            self.noises.register_buffer(f"noise_{index}", torch.randn(1, 1, side, side))
        previous = channels[4]
        for i in range(3, log_size + 1):
            out = channels[2 ** i]
            self.convs.append(StyledConv(previous, out, style_dim, upsample=True))
            self.convs.append(StyledConv(out, out, style_dim))
            self.to_rgbs.append(ToRGB(out, style_dim))
            previous = out
        self.n_latent = log_size * 2 - 2

    def forward(self, styles, input_is_latent=False, truncation=1.0, truncation_latent=None, inject_index=None):
        if not input_is_latent:
            styles = [self.style(s) for s in styles]
        if truncation < 1:
            styles = [truncation_latent + truncation * (s - truncation_latent) for s in styles]
        if len(styles) < 2:
            latent = styles[0] if styles[0].ndim == 3 else styles[0].unsqueeze(1).repeat(1, self.n_latent, 1)
        else:
            latent = torch.cat([styles[0].unsqueeze(1).repeat(1, inject_index, 1),
                                styles[1].unsqueeze(1).repeat(1, self.n_latent - inject_index, 1)], 1)
        noise = [getattr(self.noises, f"noise_{i}") for i in range(self.num_layers)]
        out = self.conv1(self.input(latent.shape[0]), latent[:, 0], noise[0])
        skip = self.to_rgb1(out, latent[:, 1])
        i = 1
        for c1, c2, n1, n2, to_rgb in zip(self.convs[::2], self.convs[1::2], noise[1::2], noise[2::2], self.to_rgbs):
            out = c1(out, latent[:, i], n1)
            out = c2(out, latent[:, i + 1], n2)
            skip = to_rgb(out, latent[:, i + 2], skip)
            i += 2
        return skip


class ConvLayer(nn.Sequential):
    def __init__(self, i, o, k, downsample=False, bias=True, activate=True):
        layers = []
        if downsample:
            p = (4 - 2) + (k - 1)
            layers.append(Blur([1, 3, 3, 1], pad=((p + 1) // 2, p // 2)))
            stride, padding = 2, 0
        else:
            stride, padding = 1, k // 2
        layers.append(EqualConv2d(i, o, k, stride=stride, padding=padding, bias=bias and not activate))
        if activate:
            layers.append(FusedLeakyReLU(o))
        super().__init__(*layers)


class ResBlock(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv1 = ConvLayer(i, i, 3)
        self.conv2 = ConvLayer(i, o, 3, downsample=True)
        self.skip = ConvLayer(i, o, 1, downsample=True, activate=False, bias=False)

    def forward(self, x):
        return (self.conv2(self.conv1(x)) + self.skip(x)) / math.sqrt(2)


class Discriminator(nn.Module):
    def __init__(self, size, channels):
        super().__init__()
        log_size = int(math.log2(size))
        convs = [ConvLayer(3, channels[size], 1)]
        previous = channels[size]
        for i in range(log_size, 2, -1):
            out = channels[2 ** (i - 1)]
            convs.append(ResBlock(previous, out))
            previous = out
        self.convs = nn.Sequential(*convs)
        self.final_conv = ConvLayer(previous + 1, channels[4], 3)
        self.final_linear = nn.Sequential(EqualLinear(channels[4] * 16, channels[4], activation=True), EqualLinear(channels[4], 1))

    def forward(self, x):
        out = self.convs(x)
        b, c, h, w = out.shape
        group = min(b, 4)
        stddev = out.view(group, -1, 1, c, h, w)
        stddev = torch.sqrt(stddev.var(0, unbiased=False) + 1e-8).mean([2, 3, 4], keepdim=True).squeeze(2)
        out = torch.cat([out, stddev.repeat(group, 1, h, w)], 1)
        return self.final_linear(self.final_conv(out).view(b, -1))


def randomise(module, generator):
    """Non-zero noise weights and biases, modulation biases around 1: every term contributes."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if name.endswith("noise.weight"):
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5)
            elif name.endswith("modulation.bias"):
                parameter.copy_(1 + 0.3 * torch.randn(parameter.shape, generator=generator))
            elif name.endswith("bias"):
                parameter.copy_(0.2 * torch.randn(parameter.shape, generator=generator))


def contiguous(tensors):
    return {k: v.detach().contiguous().clone() for k, v in tensors.items()}


def generator_case(name, size, style_dim, n_mlp, channels, seed, batch=2):
    torch.manual_seed(seed)
    g = Generator(size, style_dim, n_mlp, channels)
    randomise(g, torch.Generator().manual_seed(7))
    latent_avg = g.style(torch.randn(512, style_dim)).mean(0).detach()
    sd = g.state_dict()
    args = argparse.Namespace(size=size, latent=style_dim, n_mlp=n_mlp, channel_multiplier=2, ckpt=None)
    checkpoint = {"g_ema": sd, "g": sd, "latent_avg": latent_avg, "args": args}
    torch.save(checkpoint, os.path.join(OUT, f"stylegan-{name}.pt"))
    torch.save(checkpoint, os.path.join(OUT, f"stylegan-{name}-legacy.pt"), _use_new_zipfile_serialization=False)
    flat = {f"g_ema.{k}": v for k, v in sd.items()}
    flat["latent_avg"] = latent_avg
    save_file(contiguous(flat), os.path.join(OUT, f"stylegan-{name}.safetensors"))

    z, z2 = torch.randn(batch, style_dim), torch.randn(batch, style_dim)
    w = torch.randn(batch, g.n_latent, style_dim) * 0.5 + latent_avg
    c = torch.randn(batch, 3, size, size)
    outputs = {
        "image_z": g([z]),
        "image_w": g([w], input_is_latent=True),
        "image_truncated": g([z], truncation=0.7, truncation_latent=latent_avg),
        "image_mixed": g([z, z2], inject_index=3),
    }
    g.zero_grad()
    (g([z]) * c).sum().backward()
    outputs["grad_conv1"] = g.conv1.conv.weight.grad
    outputs["grad_convs0"] = g.convs[0].conv.weight.grad
    outputs["grad_modulation"] = g.conv1.conv.modulation.weight.grad
    save_file(contiguous({"z": z, "z2": z2, "w": w, "grad_weights": c}), os.path.join(OUT, f"stylegan-{name}.inputs.safetensors"))
    save_file(contiguous(outputs), os.path.join(OUT, f"stylegan-{name}.outputs.safetensors"))
    print(name, {k: tuple(v.shape) for k, v in outputs.items()}, "max |image|", float(outputs["image_z"].detach().abs().max()))


def discriminator_case(name, size, channels, batch):
    torch.manual_seed(11)
    d = Discriminator(size, channels)
    randomise(d, torch.Generator().manual_seed(3))
    images = torch.randn(batch, 3, size, size)
    score = d(images)
    c = torch.randn_like(score)
    d.zero_grad()
    images.requires_grad_(True)
    (d(images) * c).sum().backward()
    save_file(contiguous(d.state_dict()), os.path.join(OUT, f"discriminator-{name}.safetensors"))
    save_file(contiguous({"images": images.detach(), "grad_weights": c}), os.path.join(OUT, f"discriminator-{name}.inputs.safetensors"))
    save_file(contiguous({"score": score, "grad_images": images.grad, "grad_final_conv": d.final_conv[0].weight.grad}),
              os.path.join(OUT, f"discriminator-{name}.outputs.safetensors"))
    print(name, "score", score.detach().flatten().tolist())


def main():
    os.makedirs(OUT, exist_ok=True)
    generator_case("16", 16, 24, 3, {4: 20, 8: 12, 16: 10}, seed=1)
    generator_case("32", 32, 16, 2, {4: 12, 8: 10, 16: 6, 32: 5}, seed=2, batch=3)
    # rosinality's minibatch standard deviation needs the batch divisible by min(batch, 4).
    discriminator_case("16-batch4", 16, {4: 12, 8: 10, 16: 6}, 4)
    discriminator_case("16-batch2", 16, {4: 12, 8: 10, 16: 6}, 2)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference outputs for the layered-editing target (Tests/LayeredEditingTests/Fixtures).

An independent PyTorch implementation of Text2LIVE's generator (Deep Image Prior's "skip"
network as models/backbone/skip.py builds it for define_G in models/networks.py), written from
these facts, with Text2LIVE's state-dict keys:

  * nn.Sequential children are numbered from "1" (common.py's `add` names a module str(len + 1));
    Concat's two branches are "0" (skip) and "1" (deeper).
  * conv(k, stride) = Sequential(ReflectionPad2d((k - 1) // 2), Conv2d(k, stride, padding=0, bias)),
    the pad present even for k = 1.
  * level i: Concat(skip, deeper), BN(s + k), conv3x3 -> u, BN, LReLU(0.2),
    conv1x1 u -> u, BN (only for i > 0), LReLU; k = u below the deepest level, d at it.
    skip = conv1x1 -> s, BN, LReLU; deeper = conv3x3/2 -> d, BN, LReLU, conv3x3 -> d, BN, LReLU,
    [next level], Upsample(2, bilinear, align_corners=False).
  * Concat crops both branches to the smaller size from offset (size - smaller) // 2.
  * then conv1x1 u -> 4, DecorrelatedColorsToRGB (buffer colcorr_t), Sigmoid.

With --text2live DIR (a checkout of omerbt/Text2LIVE), the same weights are also loaded
(strict) into Text2LIVE's own skip() and its output compared, as a check of these facts.

Also: reflection padding, bilinear x2 upsampling, bilinear resizes with and without
antialiasing (torch.nn.functional.interpolate), BatchNorm2d in train and eval mode,
torchvision's colour-jitter functions, and Text2LIVE's cosine self-similarity.

Usage: PYTHONPATH=/tmp/refsite:/tmp/refsite-editmodel python3 scripts/make_edit_reference.py [--text2live DIR]
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "LayeredEditingTests", "Fixtures")


class Numbered(nn.Sequential):
    def add(self, module):
        self.add_module(str(len(self) + 1), module)


def conv(cin, cout, k, stride=1):
    return nn.Sequential(nn.ReflectionPad2d((k - 1) // 2), nn.Conv2d(cin, cout, k, stride, padding=0, bias=True))


class Concat(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.add_module("0", a)
        self.add_module("1", b)

    def forward(self, x):
        outs = [m(x) for m in self._modules.values()]
        h = min(o.shape[2] for o in outs)
        w = min(o.shape[3] for o in outs)
        outs = [o[:, :, (o.shape[2] - h) // 2:(o.shape[2] - h) // 2 + h, (o.shape[3] - w) // 2:(o.shape[3] - w) // 2 + w] for o in outs]
        return torch.cat(outs, dim=1)


class Decorrelation(nn.Module):
    def __init__(self):
        super().__init__()
        m = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
        m = m / torch.tensor([1.6, 1.0, 1.0])
        m = m / m.norm(dim=0).max()
        self.register_buffer("colcorr_t", m.T.contiguous())

    def forward(self, x):
        rgb = torch.einsum("nchw,cd->ndhw", x[:, :3], self.colcorr_t)
        return torch.cat([rgb, x[:, 3:]], dim=1)


def lrelu():
    return nn.LeakyReLU(0.2)


def generator(scales, d, u, s):
    top = Numbered()
    current = top
    cin = 3
    for i in range(scales):
        deepest = i == scales - 1
        deeper = Numbered()
        skip = Numbered()
        skip.add(conv(cin, s, 1))
        skip.add(nn.BatchNorm2d(s))
        skip.add(lrelu())
        current.add(Concat(skip, deeper))
        k = d if deepest else u
        current.add(nn.BatchNorm2d(s + k))
        deeper.add(conv(cin, d, 3, 2))
        deeper.add(nn.BatchNorm2d(d))
        deeper.add(lrelu())
        deeper.add(conv(d, d, 3))
        deeper.add(nn.BatchNorm2d(d))
        deeper.add(lrelu())
        inner = Numbered()
        if not deepest:
            deeper.add(inner)
        deeper.add(nn.Upsample(scale_factor=2, mode="bilinear"))
        current.add(conv(s + k, u, 3))
        current.add(nn.BatchNorm2d(u))
        current.add(lrelu())
        current.add(conv(u, u, 1))
        if i > 0:
            current.add(nn.BatchNorm2d(u))
        current.add(lrelu())
        cin = d
        current = inner
    top.add(conv(u, 4, 1))
    top.add(Decorrelation())
    top.add(nn.Sigmoid())
    return top


def randomise_norms(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(1 + 0.3 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))
                m.num_batches_tracked.fill_(3)


def text2live_skip(directory, scales, d, u, s):
    sys.path.insert(0, directory)
    from models.backbone.skip import skip  # Text2LIVE's own network, as define_G calls it
    return skip(3, 4, num_channels_down=[d] * scales, num_channels_up=[u] * scales, num_channels_skip=[s] * scales, need_bias=True)


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def generator_case(name, scales, d, u, s, shape, seed, text2live):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = generator(scales, d, u, s)
    randomise_norms(model, gen)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.rand(shape, generator=gen)
    # A cotangent the Swift test rebuilds instead of reading: sin(0.37·i) over NHWC order.
    cotangent = torch.sin(0.37 * torch.arange(shape[0] * shape[2] * shape[3] * 4, dtype=torch.float64))
    cotangent = cotangent.float().reshape(shape[0], shape[2], shape[3], 4).permute(0, 3, 1, 2)

    model.train()
    out = model(x)
    (out * cotangent).sum().backward()
    tensors = {"input": nhwc(x), "output_train": nhwc(out.detach())}
    for key, p in model.named_parameters():
        tensors["grad." + key] = p.grad.clone()
    for key, v in model.state_dict().items():
        if key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            tensors["after." + key] = v.clone()

    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        tensors["output_eval"] = nhwc(model(x))

    if text2live:
        theirs = text2live_skip(text2live, scales, d, u, s)
        theirs.load_state_dict(state, strict=True)
        theirs.train()
        with torch.no_grad():
            diff = (theirs(x) - out.detach()).abs().max().item()
        print(f"{name}: Text2LIVE skip() loaded {len(state)} tensors strictly; max |difference| of train-mode outputs {diff:.3g}")
        assert diff < 1e-6

    count = sum(p.numel() for p in model.parameters())
    save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(OUT, f"generator-{name}-weights.safetensors"),
              metadata={"scales": str(scales), "down": str(d), "up": str(u), "skip": str(s), "parameters": str(count)})
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, f"generator-{name}-reference.safetensors"))
    print(f"{name}: {count} parameters, input {list(shape)}")


def ops(gen):
    t = {}
    x = torch.randn((2, 3, 5, 7), generator=gen)
    t["pad.input"] = nhwc(x)
    t["pad.1"] = nhwc(nn.ReflectionPad2d(1)(x))
    t["pad.3"] = nhwc(nn.ReflectionPad2d(3)(x))
    t["upsample.output"] = nhwc(nn.Upsample(scale_factor=2, mode="bilinear")(x))
    y = torch.randn((1, 2, 23, 17), generator=gen)
    t["resize.input"] = nhwc(y)
    for h, w in [(9, 7), (11, 40), (30, 5), (23, 6)]:
        for aa in [False, True]:
            t[f"resize.{h}x{w}.{'aa' if aa else 'plain'}"] = nhwc(F.interpolate(y, size=(h, w), mode="bilinear", align_corners=False, antialias=aa))

    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.5, -0.5, 0.8]))
        bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
    xs = [torch.randn((2, 3, 4, 5), generator=gen) * 2 + 1 for _ in range(3)]
    bn.train()
    for i in range(2):
        t[f"batchnorm.input{i}"] = nhwc(xs[i])
        t[f"batchnorm.train{i}"] = nhwc(bn(xs[i]).detach())
    t["batchnorm.running_mean"] = bn.running_mean.clone()
    t["batchnorm.running_var"] = bn.running_var.clone()
    t["batchnorm.num_batches_tracked"] = bn.num_batches_tracked.clone()
    bn.eval()
    t["batchnorm.input2"] = nhwc(xs[2])
    t["batchnorm.eval2"] = nhwc(bn(xs[2]).detach())

    import torchvision.transforms.functional as TF
    picture = torch.rand((1, 3, 6, 8), generator=gen)
    t["jitter.input"] = nhwc(picture)
    t["jitter.brightness"] = nhwc(TF.adjust_brightness(picture, 1.07))
    t["jitter.contrast"] = nhwc(TF.adjust_contrast(picture, 0.93))
    t["jitter.saturation"] = nhwc(TF.adjust_saturation(picture, 1.08))
    t["jitter.hue_minus"] = nhwc(TF.adjust_hue(picture, -0.07))
    t["jitter.hue_plus"] = nhwc(TF.adjust_hue(picture, 0.09))

    # Text2LIVE's attn_cosine_sim on tokens [N, T, C], then per-picture MSELoss averaged.
    a = torch.randn((2, 5, 6, 7), generator=gen)
    b = a + 0.5 * torch.randn((2, 5, 6, 7), generator=gen)
    t["similarity.a"] = a.permute(0, 2, 3, 1).contiguous()
    t["similarity.b"] = b.permute(0, 2, 3, 1).contiguous()

    def sim(tokens, eps=1e-08):
        norm = tokens.norm(dim=2, keepdim=True)
        factor = torch.clamp(norm @ norm.permute(0, 2, 1), min=eps)
        return (tokens @ tokens.permute(0, 2, 1)) / factor

    for stride in [1, 2]:
        ta = a[:, :, ::stride, ::stride].flatten(2).permute(0, 2, 1)
        tb = b[:, :, ::stride, ::stride].flatten(2).permute(0, 2, 1)
        t[f"similarity.matrix_stride{stride}"] = sim(ta)
        t[f"similarity.mse_stride{stride}"] = torch.stack([F.mse_loss(sim(tb[i:i + 1]), sim(ta[i:i + 1])) for i in range(2)]).mean()
    save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, "ops-reference.safetensors"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--text2live", help="a checkout of omerbt/Text2LIVE, to check the network against its skip()")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    generator_case("even", scales=4, d=6, u=5, s=2, shape=(2, 3, 32, 48), seed=20, text2live=args.text2live)
    generator_case("odd", scales=3, d=5, u=4, s=3, shape=(2, 3, 27, 37), seed=21, text2live=args.text2live)
    ops(torch.Generator().manual_seed(5))
    full = generator(7, 128, 128, 4)
    print("default generator (7, 128, 128, 4):", sum(p.numel() for p in full.parameters()), "parameters")


if __name__ == "__main__":
    main()

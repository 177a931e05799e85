#!/usr/bin/env python3
"""PyTorch reference of the latent diffusion prior (../shared/SPEC.md §2) on the tiny models.

Independent of the Swift code: written from the SPEC with diffusers' UNet2DConditionModel and
AutoencoderKL loaded from Tests/DiffusionTests/Fixtures/tiny-sdX. For each case it stores the
inputs of `latent-prior prior-grad` (PyTorch layout) and the expected outputs:

    grad_lsd = w(t) (eps_hat - eps)           eps_hat = eps_u + s (eps_c - eps_u), one UNet call on [z_t; z_t]
    grad_fm  = d/dv  sum_l mean |G_l(v) - sg(G_l(v - grad_lsd))|   (decoder features, truncated decoder)
    grad_kl  = d/dv  1/2 sum_c (mu_c^2 + var_c - log var_c - 1)   (population variance over batch and space)
    loss_fm, loss_kl

v-prediction models (tiny-sd2) convert the UNet output to eps_hat = sqrt(a_t) v_hat + sqrt(1 - a_t) z_t.
Cases vary t, guidance scale, weighting and the feature-matching layer list. Output:
Tests/DiffusionTests/Fixtures/tiny-sdX/reference/prior-CASE.{inputs,outputs}.safetensors (+ metadata).

    PYTHONPATH=/tmp/refsite python3 scripts/make_prior_reference.py
"""
import os
import sys

import torch
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
from safetensors.torch import save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DiffusionTests", "Fixtures")

# Near t → 0, g_LSD → 0 and v̂ → v, so the L1 feature-matching *gradient* is sign(G(v) − G(v̂)) of
# differences at rounding level: numerical noise in any implementation, not a property to compare (a
# case at t = 80 flipped signs between two correct implementations). The small-t case (the default
# range reaches t = 20) is therefore compared on grad_lsd, grad_kl and both losses only — its
# metadata "checked" lists them; the FM loss, a mean of those small differences, is continuous there.
CASES = [
    # name, timesteps, guidance, weighting, layers, outputs to compare (None: all)
    ("default", [700, 400], 7.5, "1-alpha", ["mid_block", "up_blocks.0", "up_blocks.1"], None),
    ("single-layer", [300, 300], 1.0, "sqrt-alpha-1-alpha", ["up_blocks.0"], None),
    ("high-guidance", [950, 200], 100.0, "1-alpha", ["mid_block"], None),
    ("small-t", [20, 45], 7.5, "1-alpha", ["mid_block", "up_blocks.0", "up_blocks.1"], ["grad_lsd", "grad_kl", "loss_fm", "loss_kl"]),
]


def decoder_features(vae, latents, layers):
    """G_l(v): post_quant_conv(v / s), conv_in, mid_block, up_blocks[i] (after its upsampler)."""
    z = vae.post_quant_conv(latents / vae.config.scaling_factor)
    h = vae.decoder.conv_in(z)
    out = {"conv_in": h}
    deepest = max(0 if l == "conv_in" else 1 if l == "mid_block" else 2 + int(l.split(".")[1]) for l in layers)
    if deepest >= 1:
        h = vae.decoder.mid_block(h, None)
        out["mid_block"] = h
        for i, block in enumerate(vae.decoder.up_blocks):
            if 2 + i > deepest:
                break
            h = block(h, None)
            out[f"up_blocks.{i}"] = h
    return [out[l] for l in layers]


def weight(alpha, kind):
    return {"1-alpha": 1 - alpha, "sqrt-alpha-1-alpha": alpha.sqrt() * (1 - alpha), "uniform": torch.ones_like(alpha)}[kind]


def prior(unet, vae, scheduler, latents, noise, t, cond, uncond, guidance, weighting, layers):
    alphas = scheduler.alphas_cumprod.to(torch.float32)[t].view(-1, 1, 1, 1)
    with torch.no_grad():
        noisy = alphas.sqrt() * latents + (1 - alphas).sqrt() * noise
        out = unet(torch.cat([noisy, noisy]), torch.cat([t, t]), torch.cat([uncond, cond])).sample
        out_u, out_c = out.chunk(2)
        guided = out_u + guidance * (out_c - out_u)
        if scheduler.config.prediction_type == "v_prediction":
            guided = alphas.sqrt() * guided + (1 - alphas).sqrt() * noisy
        grad_lsd = weight(alphas, weighting) * (guided - noise)
        target = latents - grad_lsd
        target_features = [f.detach() for f in decoder_features(vae, target, layers)]

    v = latents.clone().requires_grad_(True)
    loss_fm = sum((f - g).abs().mean() for f, g in zip(decoder_features(vae, v, layers), target_features))
    (grad_fm,) = torch.autograd.grad(loss_fm, v)

    v = latents.clone().requires_grad_(True)
    mean = v.mean(dim=(0, 2, 3))
    var = v.var(dim=(0, 2, 3), unbiased=False)
    loss_kl = 0.5 * (mean ** 2 + var - var.log() - 1).sum()
    (grad_kl,) = torch.autograd.grad(loss_kl, v)
    return {"grad_lsd": grad_lsd, "grad_fm": grad_fm, "grad_kl": grad_kl,
            "loss_fm": loss_fm.detach().reshape(()), "loss_kl": loss_kl.detach().reshape(())}


def main():
    torch.manual_seed(0)
    for model in ["tiny-sd1", "tiny-sd2"]:
        folder = os.path.join(ROOT, model)
        unet = UNet2DConditionModel.from_pretrained(folder, subfolder="unet", torch_dtype=torch.float32).eval()
        vae = AutoencoderKL.from_pretrained(folder, subfolder="vae", torch_dtype=torch.float32).eval()
        scheduler = DDIMScheduler.from_pretrained(folder, subfolder="scheduler")
        for p in list(unet.parameters()) + list(vae.parameters()):
            p.requires_grad_(False)
        generator = torch.Generator().manual_seed(1234)
        size = unet.config.sample_size
        for name, timesteps, guidance, weighting, layers, checked in CASES:
            latents = torch.randn(2, 4, size, size + 4, generator=generator)
            noise = torch.randn(2, 4, size, size + 4, generator=generator)
            cond = torch.randn(2, 77, unet.config.cross_attention_dim, generator=generator)
            uncond = torch.randn(2, 77, unet.config.cross_attention_dim, generator=generator)
            t = torch.tensor(timesteps, dtype=torch.int64)
            outputs = prior(unet, vae, scheduler, latents, noise, t, cond, uncond, guidance, weighting, layers)
            metadata = {"guidance_scale": str(guidance), "weighting": weighting, "fm_layers": ",".join(layers)}
            if checked:
                metadata["checked"] = ",".join(checked)
            base = os.path.join(folder, "reference", f"prior-{name}")
            save_file({"latents": latents, "noise": noise, "timestep": t, "cond": cond, "uncond": uncond},
                      base + ".inputs.safetensors", metadata=metadata)
            save_file({k: v.contiguous() for k, v in outputs.items()}, base + ".outputs.safetensors", metadata=metadata)
            print(model, name, {k: tuple(v.shape) for k, v in outputs.items()}, f"loss_fm={outputs['loss_fm']:.4f}",
                  f"loss_kl={outputs['loss_kl']:.4f}")


if __name__ == "__main__":
    sys.exit(main())

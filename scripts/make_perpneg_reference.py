#!/usr/bin/env python3
"""PyTorch reference of Perp-Neg guidance in the prior's LSD gradient, on the tiny SD1-like model.

Independent of the Swift code: written from the Perp-Neg paper (Armandpour et al., 2023) and
stable-dreamfusion's `weighted_perpendicular_aggregator` with diffusers' UNet:

    d_0 = eps_pos - eps_u,  d_k = eps_neg_k - eps_u                      (one UNet call on [z_t] * (2 + K))
    perp(d_k, d_0) = d_k - <d_k, d_0> / max(|d_0|^2, 1e-6) * d_0       (per batch element)
    eps_hat = eps_u + s (d_0 + sum_k w_k perp(d_k, d_0))               (|w_k| <= 1e-4 counts as 0)
    grad_lsd = w(t) (eps_hat - eps);  loss_fm, grad_fm as scripts/make_prior_reference.py

Per-element weights (one row per latent), negatives shared by the batch ([1, 77, D]). Also the
weights of stable-dreamfusion's `get_pos_neg_text_embeddings` at a few azimuths (its defaults:
negative_w = -2, front_decay_factor = 2, side_decay_factor = 10), recomputed here from its formulas,
for the Swift `PerpNegSettings` test. Output: Tests/DiffusionTests/Fixtures/tiny-sd1/reference/
prior-perpneg.{inputs,outputs}.safetensors and perpneg-weights.json.

    PYTHONPATH=/tmp/refsite python3 scripts/make_perpneg_reference.py
"""
import json
import math
import os
import sys

import torch
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_prior_reference import ROOT, decoder_features, weight  # noqa: E402

GUIDANCE = 7.5
LAYERS = ["mid_block", "up_blocks.0"]


def perpendicular(x, y):
    dot = (x * y).sum(dim=(1, 2, 3), keepdim=True)
    norm = (y * y).sum(dim=(1, 2, 3), keepdim=True).clamp(min=1e-6)
    return x - dot / norm * y


def stable_dreamfusion_weights(azimuth, negative_w=-2.0, front_decay=2.0, side_decay=10.0):
    """(r, start, end, [(negative direction, weight)]) for an azimuth in [-180, 180)."""
    if -90 <= azimuth < 90:
        r = 1 - azimuth / 90 if azimuth >= 0 else 1 + azimuth / 90
        front = 0.0 if r > 0.8 else math.exp(-r * front_decay) * negative_w
        side = 0.0 if r < 0.2 else math.exp(-(1 - r) * side_decay) * negative_w
        return r, "front", "side", [("front", front), ("side", side)]
    r = 1 - (azimuth - 90) / 90 if azimuth >= 0 else 1 + (azimuth + 90) / 90
    side = 0.0 if r > 0.8 else math.exp(-r * side_decay) * negative_w / 2
    return r, "side", "back", [("side", side), ("front", negative_w)]


def main():
    torch.manual_seed(0)
    folder = os.path.join(ROOT, "tiny-sd1")
    unet = UNet2DConditionModel.from_pretrained(folder, subfolder="unet", torch_dtype=torch.float32).eval().requires_grad_(False)
    vae = AutoencoderKL.from_pretrained(folder, subfolder="vae", torch_dtype=torch.float32).eval().requires_grad_(False)
    scheduler = DDIMScheduler.from_pretrained(folder, subfolder="scheduler")
    generator = torch.Generator().manual_seed(4321)
    size = unet.config.sample_size
    dim = unet.config.cross_attention_dim
    latents = torch.randn(2, 4, size, size, generator=generator)
    noise = torch.randn(2, 4, size, size, generator=generator)
    cond = torch.randn(2, 77, dim, generator=generator)
    uncond = torch.randn(2, 77, dim, generator=generator)
    negatives = [torch.randn(1, 77, dim, generator=generator) for _ in range(2)]
    # Element 0 is pushed by both negatives; element 1 by the second only (the first's weight is
    # below stable-dreamfusion's cut-off).
    weights = torch.tensor([[-0.7357589, 0.00005], [-2.0, -0.0134759]])
    t = torch.tensor([600, 250])

    alphas = scheduler.alphas_cumprod.to(torch.float32)[t].view(-1, 1, 1, 1)
    with torch.no_grad():
        noisy = alphas.sqrt() * latents + (1 - alphas).sqrt() * noise
        contexts = [uncond, cond] + [n.expand(2, -1, -1) for n in negatives]
        out = unet(torch.cat([noisy] * len(contexts)), torch.cat([t] * len(contexts)), torch.cat(contexts)).sample
        parts = out.chunk(len(contexts))
        d0 = parts[1] - parts[0]
        direction = d0.clone()
        for k, part in enumerate(parts[2:]):
            w = weights[k].clone()
            w[w.abs() <= 1e-4] = 0
            direction += w.view(-1, 1, 1, 1) * perpendicular(part - parts[0], d0)
        guided = parts[0] + GUIDANCE * direction
        grad_lsd = weight(alphas, "1-alpha") * (guided - noise)
        target = [f.detach() for f in decoder_features(vae, latents - grad_lsd, LAYERS)]
    v = latents.clone().requires_grad_(True)
    loss_fm = sum((f - g).abs().mean() for f, g in zip(decoder_features(vae, v, LAYERS), target))
    (grad_fm,) = torch.autograd.grad(loss_fm, v)

    base = os.path.join(folder, "reference", "prior-perpneg")
    metadata = {"guidance_scale": str(GUIDANCE), "weighting": "1-alpha", "fm_layers": ",".join(LAYERS)}
    save_file({"latents": latents, "noise": noise, "timestep": t, "cond": cond, "uncond": uncond,
               "negative0": negatives[0], "negative1": negatives[1], "weights": weights.contiguous()},
              base + ".inputs.safetensors", metadata=metadata)
    save_file({"grad_lsd": grad_lsd.contiguous(), "grad_fm": grad_fm.contiguous(), "loss_fm": loss_fm.detach().reshape(())},
              base + ".outputs.safetensors", metadata=metadata)

    table = []
    for azimuth in [0, 10, 30, 45, 60, 89, 90, 120, 150, 179, -180, -150, -120, -90, -60, -30, -5]:
        r, start, end, negs = stable_dreamfusion_weights(azimuth)
        table.append({"azimuth": azimuth, "r": r, "start": start, "end": end, "negatives": [[d, w] for d, w in negs]})
    with open(os.path.join(folder, "reference", "perpneg-weights.json"), "w") as f:
        json.dump(table, f, indent=1)
    print("grad_lsd", tuple(grad_lsd.shape), f"|grad_lsd|max={grad_lsd.abs().max():.4f}", f"loss_fm={loss_fm:.5f}")


if __name__ == "__main__":
    sys.exit(main())

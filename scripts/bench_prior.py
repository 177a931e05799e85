#!/usr/bin/env python3
"""One step of the latent diffusion prior: LatentPrior against a PyTorch step on the same weights.

Variants (B = 1, t = 500, guidance 100, fixed random latents, noise and text embeddings):
  lsd           the guided UNet call on [z_t; z_t] and g_LSD = w(t)(eps_hat - eps)
  lsd+fm        + feature matching through the decoder truncated after the deepest layer, + KL
  lsd+fm-full   the same features read (forward hooks) from a full decode, + KL
  fm:LAYERS     feature matching alone, for a comma-separated layer list (cost per layer choice)

The PyTorch side is the SPEC §2 reference of scripts/make_prior_reference.py (the target's
features under no_grad, v's with autograd), on 2 CPU threads like LatentPrior.

    PYTHONPATH=/tmp/refsite python3 scripts/bench_prior.py --model /tmp/sd15-random \
        --binary .build/release/latent-prior [--repeats 2] [--variants lsd lsd+fm ...]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import add_common_arguments, latent_prior_table, measure  # noqa: E402

VARIANTS = ["lsd", "lsd+fm", "lsd+fm-full", "fm:mid_block", "fm:up_blocks.0", "fm:up_blocks.1",
            "fm:mid_block,up_blocks.0,up_blocks.1"]
DEFAULT_LAYERS = ["mid_block", "up_blocks.0", "up_blocks.1"]


def full_decode_features(vae, latents, layers):
    """Features of `layers` captured by forward hooks during a complete vae.decode."""
    captured = {}
    modules = {"mid_block": vae.decoder.mid_block}
    modules.update({f"up_blocks.{i}": block for i, block in enumerate(vae.decoder.up_blocks)})
    handles = [modules[name].register_forward_hook(lambda _m, _i, out, name=name: captured.__setitem__(name, out))
               for name in layers]
    try:
        vae.decode(latents).sample
    finally:
        for handle in handles:
            handle.remove()
    return [captured[name] for name in layers]


def pytorch_times(model, repeats, latent, guidance, variants):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from make_prior_reference import decoder_features

    torch.set_num_threads(2)
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").eval().requires_grad_(False)
    vae = AutoencoderKL.from_pretrained(model, subfolder="vae").eval().requires_grad_(False)
    scheduler = DDIMScheduler.from_pretrained(model, subfolder="scheduler")
    latents = torch.randn(1, 4, latent, latent)
    noise = torch.randn_like(latents)
    cond = torch.randn(1, 77, unet.config.cross_attention_dim)
    uncond = torch.randn_like(cond)
    t = torch.tensor([500])
    alpha = scheduler.alphas_cumprod.to(torch.float32)[t].view(-1, 1, 1, 1)
    scale = vae.config.scaling_factor

    def lsd():
        with torch.no_grad():
            noisy = alpha.sqrt() * latents + (1 - alpha).sqrt() * noise
            out_u, out_c = unet(torch.cat([noisy, noisy]), torch.cat([t, t]), torch.cat([uncond, cond])).sample.chunk(2)
            return (1 - alpha) * (out_u + guidance * (out_c - out_u) - noise)

    def feature_matching(target, layers, features):
        with torch.no_grad():
            target_features = features(vae, target / scale if features is full_decode_features else target, layers)
        v = latents.clone().requires_grad_(True)
        current = features(vae, v / scale if features is full_decode_features else v, layers)
        loss = sum((f - g).abs().mean() for f, g in zip(current, target_features))
        return torch.autograd.grad(loss, v)[0]

    def kl():
        v = latents.clone().requires_grad_(True)
        loss = 0.5 * (v.mean(dim=(0, 2, 3)) ** 2 + v.var(dim=(0, 2, 3), unbiased=False)
                      - v.var(dim=(0, 2, 3), unbiased=False).log() - 1).sum()
        return torch.autograd.grad(loss, v)[0]

    def step(variant):
        if variant.startswith("fm:"):
            return lambda: feature_matching(latents * 0.9, variant[3:].split(","), decoder_features)
        features = {"lsd+fm": decoder_features, "lsd+fm-full": full_decode_features}.get(variant)

        def run():
            g = lsd()
            if features is not None:
                feature_matching(latents - g, DEFAULT_LAYERS, features)
                kl()
        return run

    return {variant: measure(step(variant), repeats) for variant in variants}


def latent_prior_times(binary, model, repeats, latent, variants):
    return latent_prior_table([binary, "bench", "prior", "--model", model, "--repeats", str(repeats),
                               "--latent-size", str(latent), "--variants", *variants])


def main():
    parser = argparse.ArgumentParser()
    add_common_arguments(parser, repeats=2)
    parser.add_argument("--variants", nargs="+", default=VARIANTS)
    args = parser.parse_args()

    ours, peaks = latent_prior_times(args.binary, args.model, args.repeats, args.latent_size, args.variants)
    theirs = pytorch_times(args.model, args.repeats, args.latent_size, 100.0, args.variants)
    print(f"{'variant':<38}{'LatentPrior s':>15}{'PyTorch s':>11}{'ratio':>8}{'LP peak MiB':>13}")
    for name in args.variants:
        print(f"{name:<38}{ours[name]:>15.3f}{theirs[name]:>11.3f}{ours[name] / theirs[name]:>8.2f}{peaks[name]:>13.0f}")
    if "lsd+fm" in ours and "lsd+fm-full" in ours and "lsd" in ours:
        fm, full = ours["lsd+fm"] - ours["lsd"], ours["lsd+fm-full"] - ours["lsd"]
        print(f"LatentPrior FM cost, truncated / full decoder: {fm:.3f} s / {full:.3f} s = {fm / full:.2f}")
        fm, full = theirs["lsd+fm"] - theirs["lsd"], theirs["lsd+fm-full"] - theirs["lsd"]
        print(f"PyTorch FM cost, truncated / full decoder: {fm:.3f} s / {full:.3f} s = {fm / full:.2f}")


if __name__ == "__main__":
    main()

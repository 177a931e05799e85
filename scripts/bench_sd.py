#!/usr/bin/env python3
"""LatentPrior against diffusers/transformers on the same Stable Diffusion weights, in one run.

Measures forward times (median of N after one warm-up) of the text encoder (batch 2 x 77 tokens),
the UNet (batch 2, 64x64 latents) and the VAE decoder (64x64 latents), with 2 CPU threads on both
sides, and prints one table with the ratio LatentPrior / diffusers.

    PYTHONPATH=/tmp/refsite python3 scripts/bench_sd.py --model /tmp/sd15-random [--repeats 3]

The model is any diffusers folder; `python3 scripts/make_reference.py --full-size DIR` writes a
full-size SD 1.5 architecture with random weights (no download). torch/diffusers/transformers
versions: scripts/requirements-reference.txt.
"""
import argparse
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import add_common_arguments, latent_prior_table, measure  # noqa: E402


def diffusers_times(model, repeats, latent, components):
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.set_num_threads(2)
    torch.manual_seed(0)
    results = {}
    with torch.inference_mode():
        if "text-encoder" in components:
            encoder = CLIPTextModel.from_pretrained(model, subfolder="text_encoder").eval()
            ids = torch.randint(0, encoder.config.vocab_size, (2, 77))
            results["text-encoder"] = measure(lambda: encoder(ids)[0], repeats)
            del encoder
        if "unet" in components:
            unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").eval()
            sample = torch.randn(2, unet.config.in_channels, latent, latent)
            context = torch.randn(2, 77, unet.config.cross_attention_dim)
            t = torch.tensor([500, 500])
            results["unet"] = measure(lambda: unet(sample, t, context).sample, repeats)
            del unet
        if "vae-decode" in components:
            vae = AutoencoderKL.from_pretrained(model, subfolder="vae").eval()
            latents = torch.randn(1, vae.config.latent_channels, latent, latent)
            results["vae-decode"] = measure(lambda: vae.decode(latents).sample, repeats)
            del vae
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results, peak


def latent_prior_times(binary, model, repeats, latent, components):
    return latent_prior_table([binary, "bench", "sd", "--model", model, "--repeats", str(repeats),
                               "--latent-size", str(latent), "--components", *components])


def main():
    parser = argparse.ArgumentParser()
    add_common_arguments(parser, repeats=3)
    parser.add_argument("--components", nargs="+", default=["text-encoder", "unet", "vae-decode"])
    args = parser.parse_args()

    ours, our_peaks = latent_prior_times(args.binary, args.model, args.repeats, args.latent_size, args.components)
    theirs, their_peak = diffusers_times(args.model, args.repeats, args.latent_size, args.components)
    print(f"{'component':<14}{'LatentPrior s':>15}{'diffusers s':>13}{'ratio':>8}{'LP peak MiB':>13}")
    for name in args.components:
        print(f"{name:<14}{ours[name]:>15.3f}{theirs[name]:>13.3f}{ours[name] / theirs[name]:>8.2f}{our_peaks[name]:>13.0f}")
    print(f"diffusers process peak RSS: {their_peak:.0f} MiB (all components)")


if __name__ == "__main__":
    main()

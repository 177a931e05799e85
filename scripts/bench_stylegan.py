#!/usr/bin/env python3
"""One `adapt-stylegan` step: LatentPrior against the same step in PyTorch (SPEC §6).

A random StyleGAN2 generator of the full config-f architecture (1024², style 512, 8 mapping layers,
rosinality's channels; scripts/make_stylegan_reference.py's implementation, equal to rosinality's)
is written once to --generator-file; then, each in its own child process with its peak resident
memory read by wait4: the trainable generator on a batch of 2 W+ codes (frozen mapping), pictures
clamped to [0, 1] and resized to 512² (antialiased bilinear), the VAE encoder with autograd, the prior (guided UNet on a
batch of 2 per sample, LSD clamped to [−1, 1], feature matching through the truncated decoder,
KL; t ~ U[10, 500]), the surrogate ⟨g, v⟩ / N backward through encoder and generator, Adam
(0, 0.99) on conv1/convs weights (biases frozen). 2 CPU threads, guidance 100, random embeddings.

    PYTHONPATH=/tmp/refsite python3 scripts/bench_stylegan.py --model /tmp/sd15-random \
        --binary .build/release/latent-prior [--repeats 3] [--generator-file /tmp/stylegan-configf.safetensors]
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_edit import run_with_peak  # noqa: E402
from bench_common import parse_table  # noqa: E402

CONFIG_F = {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64, 1024: 32}


def make_generator(path):
    import torch
    from safetensors.torch import save_file
    from make_stylegan_reference import Generator, contiguous, randomise

    torch.manual_seed(0)
    g = Generator(1024, 512, 8, CONFIG_F)
    randomise(g, torch.Generator().manual_seed(1))
    tensors = {f"g_ema.{k}": v for k, v in g.state_dict().items()}
    tensors["latent_avg"] = g.style(torch.randn(256, 512)).mean(0).detach()
    save_file(contiguous(tensors), path)


def pytorch_step_time(model, generator_file, repeats, batch):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from safetensors.torch import load_file
    from torch.nn import functional as F

    from bench_common import measure
    from make_prior_reference import prior
    from make_stylegan_reference import Generator

    torch.set_num_threads(2)
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").eval().requires_grad_(False)
    vae = AutoencoderKL.from_pretrained(model, subfolder="vae").eval().requires_grad_(False)
    scheduler = DDIMScheduler.from_pretrained(model, subfolder="scheduler")
    weights = load_file(generator_file)
    g = Generator(1024, 512, 8, CONFIG_F)
    g.load_state_dict({k[len("g_ema."):]: v for k, v in weights.items() if k.startswith("g_ema.")})
    g.requires_grad_(False)
    trainable = [p for name, p in g.named_parameters()
                 if (name.startswith("conv1.") or name.startswith("convs.")) and not name.endswith("bias")]
    for p in trainable:
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(trainable, lr=0.002, betas=(0.0, 0.99))
    cond = torch.randn(1, 77, unet.config.cross_attention_dim)
    uncond = torch.randn_like(cond)
    scale = vae.config.scaling_factor
    size = unet.config.sample_size * 8

    def step():
        optimizer.zero_grad()
        with torch.no_grad():
            w = g.style(torch.randn(batch, 512)).unsqueeze(1).repeat(1, g.n_latent, 1)
        image = g([w], input_is_latent=True)
        pictures = F.interpolate(((image + 1) / 2).clamp(0, 1), size=(size, size), mode="bilinear", antialias=True)
        v = vae.encode(pictures * 2 - 1).latent_dist.mean * scale
        t = torch.randint(10, 501, (batch,))
        out = prior(unet, vae, scheduler, v.detach(), torch.randn_like(v), t, cond.expand(batch, -1, -1),
                    uncond.expand(batch, -1, -1), 100.0, "1-alpha", ["mid_block", "up_blocks.0", "up_blocks.1"])
        g_total = out["grad_lsd"].clamp(-1, 1) + 100 * out["grad_fm"] + 100 * out["grad_kl"]
        ((g_total * v).sum() / (v.shape[1] * v.shape[2] * v.shape[3])).backward()
        optimizer.step()

    return measure(step, repeats)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--binary", default=".build/release/latent-prior")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--generator-file", default="/tmp/stylegan-configf.safetensors")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps({"median": pytorch_step_time(args.model, args.generator_file, args.repeats, args.batch)}))
        return
    if not os.path.exists(args.generator_file):
        make_generator(args.generator_file)
    output, our_rss = run_with_peak([args.binary, "bench", "stylegan", "--model", args.model, "--generator", args.generator_file,
                                     "--batch", str(args.batch), "--repeats", str(args.repeats)])
    ours, mlx_peaks = parse_table(output)
    output, their_rss = run_with_peak([sys.executable, __file__, "--child", "--model", args.model, "--generator-file", args.generator_file,
                                       "--batch", str(args.batch), "--repeats", str(args.repeats)])
    theirs = json.loads(output.strip().splitlines()[-1])["median"]
    print(f"{'step':<15}{'LatentPrior s':>15}{'PyTorch s':>11}{'ratio':>8}{'LP peak RSS MiB':>17}{'PT peak RSS MiB':>17}{'LP MLX peak MiB':>17}")
    print(f"{'stylegan-step':<15}{ours['stylegan-step']:>15.3f}{theirs:>11.3f}{ours['stylegan-step'] / theirs:>8.2f}{our_rss:>17.0f}"
          f"{their_rss:>17.0f}{mlx_peaks['stylegan-step']:>17.0f}")


if __name__ == "__main__":
    main()

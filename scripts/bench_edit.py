#!/usr/bin/env python3
"""One `edit` step: LatentPrior against the same step in PyTorch, on the same model folder.

The step (SPEC §5 edit; Text2LIVE with the latent diffusion prior), one 512² view for SD 1.5:
Text2LIVE's skip network (7 scales × 128 channels, scripts/make_edit_reference.py) → RGBA layer →
composite and green-screen pictures → VAE encoder (the composite's mid-block features read in the
same pass for the structure term) → the prior on each (guided UNet on a batch of 2, LSD, feature
matching through the truncated decoder, KL; scripts/make_prior_reference.py) → the surrogate
⟨g, v⟩ / N + structure (self-similarity of mid-block features, 32×32 positions) + α sparsity →
backward through encoder and network → MADGRAD step. Both sides: 2 CPU threads, guidance 100,
fixed random text embeddings (text encoding is outside the step).

Each side runs in its own child process; its peak resident memory (ru_maxrss) is reported with
its median step time.

    PYTHONPATH=/tmp/refsite:/tmp/refsite-opt python3 scripts/bench_edit.py --model /tmp/sd15-random \
        --binary .build/release/latent-prior [--repeats 3]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_common import parse_table  # noqa: E402


def pytorch_step_times(model, repeats):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel

    from bench_common import measure
    from make_edit_reference import generator as skip_generator
    from make_prior_reference import prior

    torch.set_num_threads(2)
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").eval().requires_grad_(False)
    vae = AutoencoderKL.from_pretrained(model, subfolder="vae").eval().requires_grad_(False)
    scheduler = DDIMScheduler.from_pretrained(model, subfolder="scheduler")
    size = unet.config.sample_size * 2 ** (len(vae.config.block_out_channels) - 1)
    network = skip_generator(7, 128, 128, 4).train()
    try:
        from madgrad import MADGRAD
        optimizer = MADGRAD(network.parameters(), lr=0.0025, momentum=0.9, weight_decay=0.01)
    except ImportError:  # the optimiser step is a negligible part of the step
        optimizer = torch.optim.Adam(network.parameters(), lr=0.0025)
    picture = torch.rand(1, 3, size, size)
    green = torch.tensor([0, 177 / 255, 64 / 255]).view(1, 3, 1, 1)
    cond = torch.randn(1, 77, unet.config.cross_attention_dim)
    uncond = torch.randn_like(cond)
    scale = vae.config.scaling_factor
    latent_elements = 4 * (size // 8) ** 2
    captured = {}
    vae.encoder.mid_block.register_forward_hook(lambda _m, _i, out: captured.__setitem__("mid", out))

    def encode(x):
        v = vae.encode(x * 2 - 1).latent_dist.mean * scale
        return v, captured["mid"]

    def similarity(features):
        tokens = features[:, :, ::2, ::2].flatten(2).transpose(1, 2)  # 32×32 positions at 512²
        tokens = tokens / tokens.norm(dim=-1, keepdim=True).clamp_min(1e-8)
        return tokens @ tokens.transpose(1, 2)

    with torch.no_grad():
        _, input_features = encode(picture)
        target_similarity = similarity(input_features)

    def prior_gradient(v):
        t = torch.randint(20, 981, (1,))
        noise = torch.randn_like(v)
        out = prior(unet, vae, scheduler, v.detach(), noise, t, cond, uncond, 100.0, "1-alpha",
                    ["mid_block", "up_blocks.0", "up_blocks.1"])
        return out["grad_lsd"] + 100 * out["grad_fm"] + 100 * out["grad_kl"]

    def step():
        optimizer.zero_grad()
        rgba = network(picture)
        edit, alpha = rgba[:, :3], rgba[:, 3:]
        composite = (1 - alpha) * picture + alpha * edit
        screen = alpha * edit + (1 - alpha) * green
        v, features = encode(composite)
        v_screen, _ = encode(screen)
        loss = ((prior_gradient(v) * v).sum() + (prior_gradient(v_screen) * v_screen).sum()) / latent_elements
        loss = loss + 2 * (similarity(features) - target_similarity).pow(2).mean()
        l0 = ((torch.sigmoid(5 * alpha) - 0.5) * 2).mean()
        loss = loss + 6 * (0.01 * l0 + 0.01 * alpha.mean())
        loss.backward()
        optimizer.step()

    return measure(step, repeats)


def run_with_peak(command):
    """Runs `command`; returns its standard output and its own peak resident memory (MiB)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed with status {process.returncode}")
    return output, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--binary", default=".build/release/latent-prior")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps({"median": pytorch_step_times(args.model, args.repeats)}))
        return

    output, our_rss = run_with_peak([args.binary, "bench", "edit", "--model", args.model, "--repeats", str(args.repeats)])
    ours, mlx_peaks = parse_table(output)
    output, their_rss = run_with_peak([sys.executable, __file__, "--child", "--model", args.model, "--repeats", str(args.repeats)])
    theirs = json.loads(output.strip().splitlines()[-1])["median"]
    print(f"{'step':<12}{'LatentPrior s':>15}{'PyTorch s':>11}{'ratio':>8}{'LP peak RSS MiB':>17}{'PT peak RSS MiB':>17}{'LP MLX peak MiB':>17}")
    print(f"{'edit-step':<12}{ours['edit-step']:>15.3f}{theirs:>11.3f}{ours['edit-step'] / theirs:>8.2f}{our_rss:>17.0f}"
          f"{their_rss:>17.0f}{mlx_peaks['edit-step']:>17.0f}")


if __name__ == "__main__":
    main()

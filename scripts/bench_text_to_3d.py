#!/usr/bin/env python3
"""One `text-to-3d` iteration: LatentPrior against the same iteration in PyTorch (SPEC §6).

The latent-stage iteration (Sources/TextTo3D/Training/TextTo3DTrainer.swift `renderLatent`,
Latent-NeRF with the latent diffusion prior), one view at the UNet's latent size (64×64 for SD 1.5):
  random orbit camera (radius 3.2, fov 40°, elevation −10…60°, any azimuth) → one ray per latent
  pixel, 48 stratified samples between the ray's entry and exit of the box [−1, 1]³ →
  Instant-NGP hash grid (12 levels of 8…128 cells, 2 features each, 2^16 rows per level, dense
  rows for levels whose vertices fit, hash x·1 ⊕ y·2654435761 ⊕ z·805459861 mod 2^16 otherwise;
  trilinear) → MLP 24 → 64 → 64 → 1 + 4 (ReLU) → density softplus(raw + blob), latent colour →
  Beer–Lambert compositing over a learnt background latent (a white picture's) →
  the prior on the rendered latents (guided UNet on a batch of 2, guidance 100, w(t) = 1 − ᾱ_t,
  t ~ U[20, 980]; LSD; feature matching through the decoder truncated after up_blocks.1; KL;
  λ_FM = λ_KL = 100; scripts/make_prior_reference.py's `prior`, split into its phases) →
  the surrogate ⟨sg(g), v⟩ + opacity entropy + mean opacity, backward through renderer and field
  (autograd; the gather's backward is an index_add into the table) → Adam (lr 5e-3, grid ×10,
  background ×0.1). 2 CPU threads, float32, fixed random text embeddings (one per view label).

With --rgb, the RGB refinement iteration instead (`renderPicture`, RGBRefinement.swift,
ColourHead.swift, PicturePrior.swift with the encoder path): the same camera, field and
compositing at s×s rays (--refine-resolution; default min(max(P/2, 8), 128) for pictures of P
pixels: 128 for SD 1.5, 32 for the toy model) in front of a zero latent → object latents L and
opacity a → colour head rgb = L·W + a·b + (1 − a)·bg (W [4, 3], b, bg [3], all learnt) → bilinear
upsampling to P×P (align_corners=False, no antialiasing) → v = E(2·rgb − 1).mean × scaling factor,
differentiable → the same phased prior on sg(v) → ⟨sg(g), v⟩ + opacity entropy + mean opacity,
backward through encoder, upsampling, head, renderer and field → Adam (lr 1e-3; grid ×10, head
background ×0.1; the latent background is frozen, as ours freezes it in this stage).

Each side runs in its own child process; its peak resident memory (ru_maxrss) is reported with
its median iteration time. Medians are taken as ours takes them: the upper middle of the sorted
times (with --repeats 2, the slower iteration). The PyTorch side also reports the median of each
phase (perf_counter; CPU ops are synchronous). --max-rss-mib stops a side whose resident memory
passes the limit (polled every 0.2 s) instead of letting it exhaust the machine.

Both sides render once per iteration and keep that forward for the backward (ours evaluates the
prior inside the gradient's trace on the stopped render). Ray samples are drawn on the host in
both, here vectorised. Camera and noise draws are equal in distribution, not in value; ours' RGB
head starts fitted to the latent stage's views, this one from small random numbers (the cost is
the same).

    PYTHONPATH=/tmp/refsite python3 scripts/bench_text_to_3d.py --model /tmp/sd15-random \\
        --binary .build/release/latent-prior [--repeats 3] [--samples-per-ray 48] [--lsd-only] [--check] \\
        [--rgb [--refine-resolution N]] [--max-rss-mib 18000]
"""
import argparse
import json
import math
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PHASES = ["rays", "render forward", "prior: UNet", "prior: FM", "prior: KL", "backward", "Adam"]
RGB_PHASES = ["rays", "render forward", "head + upsample", "encoder forward", "prior: UNet", "prior: FM", "prior: KL",
              "backward", "Adam"]
FM_LAYERS = ["mid_block", "up_blocks.0", "up_blocks.1"]
GUIDANCE, LAMBDA_FM, LAMBDA_KL = 100.0, 100.0, 100.0


def run_with_peak(command, limit_mib=0):
    """Runs `command`; returns its standard output and its own peak resident memory (MiB). With a
    limit, the child's resident memory is polled and the child is killed once it passes the limit."""
    import subprocess
    import threading

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    exceeded = []
    if limit_mib:
        def watch():
            while True:  # only the main thread reaps the child: its pid stays its own until wait4
                try:
                    with open(f"/proc/{process.pid}/status") as status:
                        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
                except (OSError, StopIteration):
                    return
                if rss > limit_mib:
                    exceeded.append(rss)
                    process.kill()
                    return
                time.sleep(0.2)
        threading.Thread(target=watch, daemon=True).start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if exceeded:
        raise SystemExit(f"{command[0]} passed --max-rss-mib {limit_mib} (resident {exceeded[0]:.0f} MiB) and was stopped")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {code}")
    return output, usage.ru_maxrss / 1024


def default_refine_resolution(picture):
    """RGBRefinementSettings.renderSize: half the picture size, at least 8, at most 128."""
    return min(max(picture // 2, 8), 128)


def upper_median(values):
    """The median as `latent-prior bench` reports it: sorted[n / 2]."""
    return sorted(values)[len(values) // 2]


def make_field_class():
    import torch
    from torch import nn
    from torch.nn import functional as F

    class HashGridField(nn.Module):
        """HashGridField.swift + FeatureGrid.swift + TrilinearCorners.swift in PyTorch."""

        def __init__(self, channels, levels=12, features=2, log2_rows=16, coarsest=8, finest=128, hidden=64,
                     hidden_layers=2, bound=1.0, blob_density=10.0, blob_radius=0.5):
            super().__init__()
            growth = math.exp((math.log(finest) - math.log(coarsest)) / (levels - 1))
            self.resolutions = [int(math.floor(coarsest * growth ** level)) for level in range(levels)]
            self.rows = 1 << log2_rows
            self.features, self.bound = features, bound
            self.blob_density, self.blob_radius = blob_density, blob_radius
            # Instant-NGP's table initialisation U(−1e-4, 1e-4).
            self.table = nn.Parameter(torch.empty(levels * self.rows, features).uniform_(-1e-4, 1e-4))
            widths = [levels * features] + [hidden] * hidden_layers + [1 + channels]
            layers = []
            for index, (a, b) in enumerate(zip(widths, widths[1:])):
                layers.append(nn.Linear(a, b))
                if index < len(widths) - 2:
                    layers.append(nn.ReLU())
            self.mlp = nn.Sequential(*layers)
            self.register_buffer("cells", torch.tensor(self.resolutions, dtype=torch.float32).view(1, levels, 1))
            self.register_buffer("side", torch.tensor([n + 1 for n in self.resolutions]).view(1, levels, 1))
            self.register_buffer("hashed", torch.tensor([(n + 1) ** 3 > self.rows for n in self.resolutions]).view(1, levels, 1))
            self.register_buffer("level_start", (torch.arange(levels) * self.rows).view(1, levels, 1))

        def corners(self, unit_points):
            """Table rows [N, L, 8] and trilinear weights [N, L, 8] of points in [0, 1]³; corners in
            the order of TrilinearCorners (x slowest). Per-axis terms are combined by broadcasting,
            which gives the same rows as hashing each corner's (x, y, z)."""
            scaled = unit_points.unsqueeze(1) * self.cells                                 # [N, L, 3]
            base = torch.minimum(scaled.floor().clamp_min(0), self.cells - 1)
            fraction = scaled - base
            weights = torch.stack([1 - fraction, fraction], dim=-1)                       # [N, L, 3, 2]
            vertex = base.long().unsqueeze(-1) + torch.arange(2)                          # [N, L, 3, 2]
            x, y, z = vertex.unbind(2)
            count = x.shape[0]
            weight = (weights[:, :, 0, :, None, None] * weights[:, :, 1, None, :, None]
                      * weights[:, :, 2, None, None, :]).reshape(count, -1, 8)
            side = self.side
            dense = ((x * side * side)[..., :, None, None] + (y * side)[..., None, :, None]
                     + z[..., None, None, :]).reshape(count, -1, 8)
            # uint32 products wrap mod 2^32 in ours; the low 16 bits kept are the same in int64.
            hash_ = ((x * 1)[..., :, None, None] ^ (y * 2654435761)[..., None, :, None]
                     ^ (z * 805459861)[..., None, None, :]).reshape(count, -1, 8) & (self.rows - 1)
            rows = torch.where(self.hashed, hash_, dense) + self.level_start
            return rows, weight

        def forward(self, points):
            with torch.no_grad():
                unit = ((points + self.bound) / (2 * self.bound)).clamp(0, 1)
                rows, weight = self.corners(unit)
                blob = (1 - points.norm(dim=-1) / self.blob_radius) * self.blob_density
            count, levels = rows.shape[0], rows.shape[1]
            gathered = self.table.index_select(0, rows.reshape(-1)).view(count, levels, 8, self.features)
            encoded = (gathered * weight.unsqueeze(-1)).sum(2).reshape(count, levels * self.features)
            out = self.mlp(encoded)
            return F.softplus(out[:, 0] + blob), out[:, 1:]

    return HashGridField


def camera_rays(size, bound, samples_per_ray, generator):
    """A random training camera (CameraSampler.swift) and its stratified samples (RaySamples.swift):
    points [R·S, 3], intervals [R, S], and the camera's view label."""
    import torch

    azimuth = torch.rand((), generator=generator).item() * 360
    elevation = -10 + 70 * torch.rand((), generator=generator).item()
    radius, fov = 3.2, 40.0
    a, e = math.radians(azimuth), math.radians(elevation)
    position = torch.tensor([radius * math.cos(e) * math.sin(a), radius * math.sin(e), radius * math.cos(e) * math.cos(a)])
    forward = -position / position.norm()
    world_up = torch.tensor([0.0, 0.0, -1.0]) if abs(forward[1]) > 0.999 else torch.tensor([0.0, 1.0, 0.0])
    right = torch.linalg.cross(forward, world_up)
    right = right / right.norm()
    up = torch.linalg.cross(right, forward)
    half = math.tan(math.radians(fov) / 2)
    centres = (torch.arange(size, dtype=torch.float32) + 0.5) / size * 2 - 1
    u = (centres * half).view(1, size, 1)
    v = (-centres * half).view(size, 1, 1)
    directions = (forward + right * u + up * v).reshape(-1, 3)
    directions = directions / directions.norm(dim=-1, keepdim=True)
    # Slab method; rays that miss get (0, 0).
    safe = torch.where(directions.abs() < 1e-9, torch.full_like(directions, 1e-9), directions)
    t0, t1 = (-bound - position) / safe, (bound - position) / safe
    near = torch.minimum(t0, t1).amax(dim=-1).clamp_min(0)
    far = torch.maximum(t0, t1).amin(dim=-1)
    hit = far > near
    near, far = torch.where(hit, near, 0), torch.where(hit, far, 0)
    stratum = (far - near) / samples_per_ray
    jitter = torch.rand(size * size, samples_per_ray, generator=generator)
    t = near[:, None] + (torch.arange(samples_per_ray) + jitter) * stratum[:, None]
    points = position + directions[:, None, :] * t[..., None]
    intervals = stratum[:, None].expand(-1, samples_per_ray).contiguous()
    if elevation > 40:
        label = "overhead"
    elif azimuth < 45 or azimuth >= 315:
        label = "front"
    elif 135 <= azimuth < 225:
        label = "back"
    else:
        label = "side"
    return points.reshape(-1, 3), intervals, label


def composite(density, features, intervals, background):
    """VolumeRenderer.composite: colour [R, C] and opacity [R]."""
    import torch

    rays, per_ray = intervals.shape
    optical_depth = density.view(rays, per_ray) * intervals
    before = torch.cat([torch.zeros(rays, 1), optical_depth.cumsum(1)[:, :-1]], dim=1)
    weights = torch.exp(-before) * (1 - torch.exp(-optical_depth))
    opacity = weights.sum(1)
    colour = (weights.unsqueeze(-1) * features.view(rays, per_ray, -1)).sum(1) + (1 - opacity).unsqueeze(-1) * background
    return colour, opacity


def opacity_entropy(opacity):
    a = opacity.clamp(1e-5, 1 - 1e-5)
    return (-(a * a.log()) - (1 - a) * (1 - a).log()).mean()


class Phases:
    """Wall time per named phase of one iteration."""

    def __init__(self):
        self.times = {}
        self.last = time.perf_counter()

    def mark(self, name):
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + now - self.last
        self.last = now


def phased_prior(unet, vae, scheduler, latents, noise, t, cond, uncond, lsd_only, phases):
    """make_prior_reference.prior with guidance 100, w = 1 − ᾱ, FM on FM_LAYERS, split by phase;
    returns λ-weighted total gradient and the three losses."""
    import torch
    from make_prior_reference import decoder_features, weight

    alphas = scheduler.alphas_cumprod.to(torch.float32)[t].view(-1, 1, 1, 1)
    with torch.no_grad():
        noisy = alphas.sqrt() * latents + (1 - alphas).sqrt() * noise
        out = unet(torch.cat([noisy, noisy]), torch.cat([t, t]), torch.cat([uncond, cond])).sample
        out_u, out_c = out.chunk(2)
        guided = out_u + GUIDANCE * (out_c - out_u)
        if scheduler.config.prediction_type == "v_prediction":
            guided = alphas.sqrt() * guided + (1 - alphas).sqrt() * noisy
        grad_lsd = weight(alphas, "1-alpha") * (guided - noise)
        loss_lsd = 0.5 * grad_lsd.square().sum()
    phases.mark("prior: UNet")
    if lsd_only:
        return grad_lsd, [loss_lsd, torch.zeros(()), torch.zeros(())]
    with torch.no_grad():
        target_features = decoder_features(vae, latents - grad_lsd, FM_LAYERS)
    v = latents.clone().requires_grad_(True)
    loss_fm = sum((f - g).abs().mean() for f, g in zip(decoder_features(vae, v, FM_LAYERS), target_features))
    (grad_fm,) = torch.autograd.grad(loss_fm, v)
    phases.mark("prior: FM")
    v = latents.clone().requires_grad_(True)
    loss_kl = 0.5 * (v.mean(dim=(0, 2, 3)) ** 2 + v.var(dim=(0, 2, 3), unbiased=False)
                     - v.var(dim=(0, 2, 3), unbiased=False).log() - 1).sum()
    (grad_kl,) = torch.autograd.grad(loss_kl, v)
    total = grad_lsd + LAMBDA_FM * grad_fm + LAMBDA_KL * grad_kl
    phases.mark("prior: KL")
    return total, [loss_lsd, loss_fm.detach(), loss_kl.detach()]


def pytorch_iterations(model, repeats, samples_per_ray, lsd_only, check, rgb=False, refine_resolution=None):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from torch.nn import functional as F

    torch.set_num_threads(2)
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(model, subfolder="unet").eval().requires_grad_(False)
    vae = AutoencoderKL.from_pretrained(model, subfolder="vae").eval().requires_grad_(False)
    scheduler = DDIMScheduler.from_pretrained(model, subfolder="scheduler")
    size = unet.config.sample_size
    channels = unet.config.in_channels
    scale = vae.config.scaling_factor
    # The model's picture size, as ours takes it: the UNet's sample size × the VAE's downsampling.
    picture_size = size * 2 ** (len(vae.config.block_out_channels) - 1)
    field = make_field_class()(channels)
    with torch.no_grad():
        picture = torch.ones(1, 3, picture_size, picture_size)  # white in [−1, 1]
        background = torch.nn.Parameter(vae.encode(picture).latent_dist.mean.mul(scale).mean(dim=(0, 2, 3)))
    mlp = list(field.mlp.parameters())
    if rgb:
        # The colour head (ColourHead.swift); ours starts fitted to the latent views, which changes
        # no cost. The latent background is frozen in this stage; the head's background learns.
        render_size = refine_resolution or default_refine_resolution(picture_size)
        head_weight = torch.nn.Parameter(0.1 * torch.randn(channels, 3))
        head_bias = torch.nn.Parameter(torch.full((3,), 0.5))
        head_background = torch.nn.Parameter(torch.ones(3))
        learning_rate = 1e-3
        trained = mlp + [field.table, head_weight, head_bias, head_background]
        optimizer = torch.optim.Adam([{"params": mlp + [head_weight, head_bias]},
                                      {"params": [field.table], "lr": learning_rate * 10},
                                      {"params": [head_background], "lr": learning_rate * 0.1}], lr=learning_rate)
    else:
        learning_rate = 5e-3
        trained = mlp + [field.table, background]
        optimizer = torch.optim.Adam([{"params": mlp}, {"params": [field.table], "lr": learning_rate * 10},
                                      {"params": [background], "lr": learning_rate * 0.1}], lr=learning_rate)
    labels = ["front", "side", "back", "overhead"]
    conditioning = {label: torch.randn(1, 77, unet.config.cross_attention_dim) for label in labels}
    uncond = torch.randn(1, 77, unet.config.cross_attention_dim)
    generator = torch.Generator().manual_seed(1)

    def finish(phases, latents, cotangent, losses, opacity):
        """The surrogate's backward, the finiteness check ours makes, and Adam."""
        optimizer.zero_grad(set_to_none=True)
        entropy, sparsity = opacity_entropy(opacity), opacity.mean()
        ((cotangent * latents).sum() + entropy + sparsity).backward()
        # Ours checks the logged losses and the gradient's energy for finiteness before the update.
        energy = sum(p.grad.square().sum() for p in trained)
        numbers = torch.stack(losses + [entropy.detach(), sparsity.detach(), energy])
        if not torch.isfinite(numbers).all():
            raise SystemExit(f"non-finite loss or gradient: {numbers.tolist()}")
        phases.mark("backward")
        optimizer.step()
        phases.mark("Adam")
        return phases.times

    def latent_iteration():
        phases = Phases()
        points, intervals, label = camera_rays(size, field.bound, samples_per_ray, generator)
        phases.mark("rays")
        density, features = field(points)
        colour, opacity = composite(density, features, intervals, background)
        latents = colour.view(1, size, size, channels).permute(0, 3, 1, 2)
        phases.mark("render forward")
        t = torch.randint(20, 981, (1,))
        noise = torch.randn(1, channels, size, size)
        cotangent, losses = phased_prior(unet, vae, scheduler, latents.detach(), noise, t, conditioning[label], uncond,
                                         lsd_only, phases)
        return finish(phases, latents, cotangent, losses, opacity)

    def rgb_iteration():
        phases = Phases()
        points, intervals, label = camera_rays(render_size, field.bound, samples_per_ray, generator)
        phases.mark("rays")
        density, features = field(points)
        object_latents, opacity = composite(density, features, intervals, torch.zeros(channels))
        phases.mark("render forward")
        a = opacity.unsqueeze(-1)
        rgb = object_latents @ head_weight + a * head_bias + (1 - a) * head_background            # [s², 3]
        rgb = rgb.view(1, render_size, render_size, 3).permute(0, 3, 1, 2)
        if render_size != picture_size:
            rgb = F.interpolate(rgb, size=(picture_size, picture_size), mode="bilinear", align_corners=False,
                                antialias=False)
        phases.mark("head + upsample")
        latents = vae.encode(2 * rgb - 1).latent_dist.mean * scale                                 # gradient kept
        phases.mark("encoder forward")
        t = torch.randint(20, 981, (1,))
        noise = torch.randn(1, channels, size, size)
        cotangent, losses = phased_prior(unet, vae, scheduler, latents.detach(), noise, t, conditioning[label], uncond,
                                         lsd_only, phases)
        return finish(phases, latents, cotangent, losses, opacity)

    iteration = rgb_iteration if rgb else latent_iteration
    if check:
        check_pieces(field, unet, vae, scheduler, size, samples_per_ray, background, uncond, conditioning)
        if rgb:  # one RGB iteration: the cotangent reaches the grid and the head through the encoder
            iteration()
            print(f"check: RGB iteration, {render_size}² rays → {picture_size}² pictures → {size}² latents; "
                  f"|∂table| {field.table.grad.norm():.3g}, |∂W| {head_weight.grad.norm():.3g}, "
                  f"|∂bg| {head_background.grad.norm():.3g}", file=sys.stderr)
        return {}
    iteration()
    records = []
    for _ in range(repeats):
        start = time.perf_counter()
        phases = iteration()
        phases["total"] = time.perf_counter() - start
        records.append(phases)
    result = {name: upper_median([r.get(name, 0.0) for r in records]) for name in (RGB_PHASES if rgb else PHASES) + ["total"]}
    result["stage"] = (f"RGB stage, {render_size}² rays → {picture_size}² pictures" if rgb
                       else f"latent {size}×{size}")
    return result


def check_pieces(field, unet, vae, scheduler, size, samples_per_ray, background, uncond, conditioning):
    """Self-checks for a small model folder: the phased prior against make_prior_reference.prior,
    the hash rows against a per-corner hash, and a front view of the initial blob."""
    import torch
    from make_prior_reference import prior

    generator = torch.Generator().manual_seed(7)
    latents = torch.randn(1, 4, size, size, generator=generator)
    noise = torch.randn(1, 4, size, size, generator=generator)
    t = torch.tensor([600])
    cond = conditioning["front"]
    reference = prior(unet, vae, scheduler, latents, noise, t, cond, uncond, GUIDANCE, "1-alpha", FM_LAYERS)
    expected = reference["grad_lsd"] + LAMBDA_FM * reference["grad_fm"] + LAMBDA_KL * reference["grad_kl"]
    total, _ = phased_prior(unet, vae, scheduler, latents, noise, t, cond, uncond, False, Phases())
    print(f"check: phased prior vs reference prior, max |Δ| {(total - expected).abs().max():.3g} "
          f"(of max |g| {expected.abs().max():.3g})", file=sys.stderr)

    points = torch.rand(1000, 3, generator=generator)
    rows, weight = field.corners(points)
    scaled = points.unsqueeze(1) * field.cells
    base = torch.minimum(scaled.floor().clamp_min(0), field.cells - 1).long()
    mismatches = 0
    for corner in range(8):
        offset = torch.tensor([(corner >> 2) & 1, (corner >> 1) & 1, corner & 1])
        x, y, z = (base + offset).unbind(-1)
        side = field.side.view(1, -1)
        dense = (x * side + y) * side + z
        hashed = (((x * 1) % 2**32) ^ ((y * 2654435761) % 2**32) ^ ((z * 805459861) % 2**32)) % field.rows
        expect = torch.where(field.hashed.view(1, -1), hashed, dense) + field.level_start.view(1, -1)
        mismatches += int((expect != rows[:, :, corner]).sum())
    print(f"check: resolutions {field.resolutions}, dense levels {int((~field.hashed).sum())}, "
          f"row mismatches {mismatches}, weight sums within {(weight.sum(-1) - 1).abs().max():.2g} of 1, "
          f"rows in [0, {int(rows.max())}]", file=sys.stderr)

    with torch.no_grad():
        gen = torch.Generator().manual_seed(3)
        points, intervals, label = camera_rays(size, field.bound, samples_per_ray, gen)
        density, features = field(points)
        _, opacity = composite(density, features, intervals, background)
        opacity = opacity.view(size, size)
    print(f"check: initial blob, view {label}: opacity centre {opacity[size // 2, size // 2]:.3f}, "
          f"corner {opacity[0, 0]:.3f}, mean {opacity.mean():.3f}", file=sys.stderr)


def our_iterations(binary, model, repeats, samples_per_ray, lsd_only, rgb, refine_resolution, limit_mib):
    """Median iteration seconds, MLX peak MiB, process peak RSS MiB and the stage line of
    `latent-prior bench text-to-3d`."""
    command = [binary, "bench", "text-to-3d", "--model", model, "--repeats", str(repeats),
               "--samples-per-ray", str(samples_per_ray)] + (["--lsd-only"] if lsd_only else [])
    if rgb:
        command += ["--rgb"] + (["--refine-resolution", str(refine_resolution)] if refine_resolution else [])
    output, rss = run_with_peak(command, limit_mib)
    match = re.search(r"iteration median ([0-9.]+) s\s+min ([0-9.]+) s\s+peak MLX memory ([0-9.]+) MiB", output)
    if not match:
        raise SystemExit(f"unexpected output of {' '.join(command)}:\n{output}")
    stage = output[:match.start()].strip().splitlines()
    return float(match.group(1)), float(match.group(3)), rss, stage[-1] if stage else ""


def main():
    parser = argparse.ArgumentParser(description="Time one text-to-3D iteration: LatentPrior against PyTorch.")
    parser.add_argument("--model", required=True, help="a diffusers model folder")
    parser.add_argument("--binary", default=".build/release/latent-prior")
    parser.add_argument("--repeats", type=int, default=3, help="timed iterations per side, after one warm-up")
    parser.add_argument("--samples-per-ray", type=int, default=48)
    parser.add_argument("--lsd-only", action="store_true", help="LSD only (no feature matching, no KL), on both sides")
    parser.add_argument("--rgb", action="store_true",
                        help="time the RGB refinement stage (colour head, pictures through the VAE encoder) instead")
    parser.add_argument("--refine-resolution", type=int,
                        help="rays per side of the RGB stage's pictures (default: half the picture size, at most 128)")
    parser.add_argument("--max-rss-mib", type=float, default=0,
                        help="stop a side whose resident memory passes this many MiB (default: no limit)")
    parser.add_argument("--check", action="store_true", help="run the PyTorch side's self-checks first (quick on a small model)")
    parser.add_argument("--pytorch-only", action="store_true", help="skip our binary")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refine_resolution is not None and not args.rgb:
        parser.error("--refine-resolution needs --rgb")
    if args.refine_resolution is not None and not 8 <= args.refine_resolution <= 1024:
        parser.error(f"--refine-resolution must be in 8...1024, got {args.refine_resolution}")
    if args.child:
        print(json.dumps(pytorch_iterations(args.model, args.repeats, args.samples_per_ray, args.lsd_only, args.check,
                                            args.rgb, args.refine_resolution)))
        return

    ours = None
    if not args.pytorch_only:
        ours = our_iterations(args.binary, args.model, args.repeats, args.samples_per_ray, args.lsd_only, args.rgb,
                              args.refine_resolution, args.max_rss_mib)
    command = [sys.executable, __file__, "--child", "--model", args.model, "--repeats", str(args.repeats),
               "--samples-per-ray", str(args.samples_per_ray)] + (["--lsd-only"] if args.lsd_only else [])
    if args.rgb:
        command += ["--rgb"] + (["--refine-resolution", str(args.refine_resolution)] if args.refine_resolution else [])
    if args.check:  # in a child of its own: its report goes to standard error, which run_with_peak drops
        import subprocess
        subprocess.run(command + ["--check"], check=True, stdout=subprocess.DEVNULL)
    output, their_rss = run_with_peak(command, args.max_rss_mib)
    theirs = json.loads(output.strip().splitlines()[-1])

    print(f"{theirs['stage']}; {args.repeats} timed iterations per side; {args.samples_per_ray} samples/ray; "
          f"{'LSD only' if args.lsd_only else 'LSD + FM + KL'}")
    if ours and ours[3]:
        print(f"ours: {ours[3]}")
    print()
    print("| side | iteration s (median) | peak RSS MiB | MLX peak MiB |")
    print("|---|---:|---:|---:|")
    if ours:
        print(f"| LatentPrior | {ours[0]:.3f} | {ours[2]:.0f} | {ours[1]:.0f} |")
    print(f"| PyTorch | {theirs['total']:.3f} | {their_rss:.0f} | – |")
    if ours:
        print(f"| ratio LatentPrior / PyTorch | {ours[0] / theirs['total']:.2f} | {ours[2] / their_rss:.2f} | |")
    print()
    print("| PyTorch phase | s (median) | share |")
    print("|---|---:|---:|")
    for name in RGB_PHASES if args.rgb else PHASES:
        print(f"| {name} | {theirs[name]:.3f} | {theirs[name] / theirs['total']:.0%} |")

if __name__ == "__main__":
    main()

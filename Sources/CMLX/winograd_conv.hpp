// Winograd F(4×4, 3×3) for CMLX's stride-1 "same" 3×3 convolution (channels-last, float32).
//
// Why: Stable Diffusion's convolutions are almost all 3×3, and on these machines sgemm is capped at
// ~240 GFLOP/s, which the shifted-sgemm kernel (same_conv.cpp) already reaches. Fewer
// multiply-adds is the only way left: Winograd computes a 4×4 output tile from a 6×6 input tile
// with 36 products per (input, output) channel pair instead of 16 · 9 = 144, so its 36 sgemm
// calls do 4× less work; the transforms of input, weights and output are linear in the channel
// counts and cost memory traffic, not FLOPs (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016).
//
// Measured (2 cores shared with other work, best of 4 per run, several runs; shifted sgemm → Winograd):
//   UNet, batch 2:  64×64×320→320 60 → 23 ms, 64×64×640→320 121 → 43 ms, 32×32×640→640 61 → 27 ms,
//                   16×16×1280→1280 68 → 44–57 ms, 8×8×1280→1280 27 → 63 ms (excluded below).
//   VAE decoder:    64×64×512 80 → 29 ms, 128×128×512 316 → 103 ms, 256×256×256 366 → 117 ms,
//                   512×512×128 525 → 160 ms (the memory-bound transforms are ~40% of that),
//                   512×512×128→3 140 → 70 ms.
//   SD 1.5 (`latent-prior bench sd`): VAE decode 15.2 → 6.8 s, UNet at batch 2 9.9 → 7.5 s.
// Accuracy: max error / max|ref| against a float64 direct loop ~1e-5 at 320–640 channels and ~4e-6
// at 8–70 channels (shifted sgemm: ~3e-7); the transforms' entries (up to 5 in Bᵀ, 8 in Aᵀ)
// amplify float32 rounding. Stable Diffusion parity (1e-4 of max|ref|) holds even with every
// convolution forced onto Winograd.
//
// Size rule (winograd_conv3x3_applies), from the same measurements:
// - ≥ 16 output tiles per image. The weight transform (36·O·C floats, 13–25 ms at 1280², memory-bound)
//   and short sgemm rows (M = tiles) must be paid for: at 16 tiles (16×16) Winograd is 1.2–1.55×
//   faster at batch 2 and 0.85–1.25× at batch 1; at 9 tiles 0.5–0.8×, at 4 tiles (8×8) ~0.5×.
// - ≥ 64 channels on one side. At C = O = 32 it is 0.7–0.9×, at 64 1.5×. With one side tiny
//   and the other ≥ 128, shifted sgemm (N or K of 3) runs at ~10 GFLOP/s and Winograd wins 1.8–2.6×
//   on large images; on 64×64 it is within ±0.5 ms either way.
// - Not the batch size: a picture then takes the same path, and gets the same bits, in any batch.
#pragma once

namespace cmlx {

/// Whether Winograd is used (and faster than the shifted-sgemm kernel) for input [N, H, W, C] → O channels.
bool winograd_conv3x3_applies(int N, int H, int W, int C, int O);

/// input [N, H, W, C], weight [O, 3, 3, C], optional bias [O] → output [N, H, W, O], padding 1;
/// all float32, row-contiguous. Any H, W ≥ 1. One set of sgemm calls per image, never rows of two
/// images in one product: an image's output is bit-identical wherever it sits in the batch.
void winograd_conv3x3_forward(const float* input, const float* weight, const float* bias, float* output, int N, int H,
                              int W, int C, int O);

}  // namespace cmlx

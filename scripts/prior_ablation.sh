#!/usr/bin/env bash
# The paper's ablation on one prompt: LSD only / LSD + FM / LSD + FM + KL, same seeds, then a grid
# (rows: seeds; columns: LSD, +FM, +FM+KL) and each run's final losses. Used for docs/PRIOR.md.
#   scripts/prior_ablation.sh ["a blue sphere"] [runs/ablation]   (ITERATIONS, SEEDS, BIN, LAMBDA overridable;
#   LAMBDA sets λ_FM and λ_KL, default: the command's defaults)
set -euo pipefail
PROMPT="${1:-a blue sphere}"
OUT="${2:-runs/ablation}"
BIN="${BIN:-.build/release/latent-prior}"
ITERATIONS="${ITERATIONS:-400}"
SEEDS="${SEEDS:-0 1 2}"
weights=()
if [ -n "${LAMBDA:-}" ]; then weights=(--lambda-fm "$LAMBDA" --lambda-kl "$LAMBDA"); fi
images=()
for seed in $SEEDS; do
  for variant in lsd lsd-fm lsd-fm-kl; do
    case "$variant" in
      lsd) flags=(--no-fm --no-kl) ;;
      lsd-fm) flags=(--no-kl "${weights[@]}") ;;
      lsd-fm-kl) flags=("${weights[@]}") ;;
    esac
    run="$OUT/$variant-seed$seed"
    "$BIN" optimize --prompt "$PROMPT" --seed "$seed" --iterations "$ITERATIONS" --save-every "$ITERATIONS" \
      "${flags[@]}" --output "$run" > /dev/null
    images+=("$run/final.png")
    echo "$variant seed $seed: last losses $(tail -n 1 "$run/losses.csv")"
  done
done
"$BIN" grid "${images[@]}" --columns 3 --output "$OUT/comparison.png"

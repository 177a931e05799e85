#!/usr/bin/env bash
# λ study for docs/PRIOR.md: `optimize` on toy prompts with λ_FM = λ_KL = λ for each λ in LAMBDAS
# (0 = LSD only), several seeds. Each final picture is judged (colour, silhouette); the table gives
# the judge's verdict, the last 50 steps' mean L_FM and L_KL, and the mean gradient norms
# (LSD, FM, KL) as logged in losses.csv. A grid per prompt: rows seeds, columns λ.
#   scripts/prior_lambda_study.sh [runs/lambda-study]   (BIN, ITERATIONS, SEEDS, LAMBDAS, PROMPTS overridable)
set -euo pipefail
OUT="${1:-runs/lambda-study}"
BIN="${BIN:-.build/release/latent-prior}"
ITERATIONS="${ITERATIONS:-200}"
SEEDS="${SEEDS:-0 1}"
LAMBDAS="${LAMBDAS:-0 1 100 1000}"
IFS=';' read -r -a prompts <<< "${PROMPTS:-a blue sphere;a red cube;a green cone;a yellow torus;a purple cylinder}"
mkdir -p "$OUT"
printf "%-18s %6s %4s  %-18s %8s %8s  %s\n" prompt lambda seed verdict L_FM L_KL "mean |g| lsd/fm/kl"
for prompt in "${prompts[@]}"; do
  slug="${prompt// /-}"
  images=()
  for seed in $SEEDS; do
    for lambda in $LAMBDAS; do
      run="$OUT/$slug/lambda$lambda-seed$seed"
      if [ "$lambda" = 0 ]; then flags=(--no-fm --no-kl); else flags=(--lambda-fm "$lambda" --lambda-kl "$lambda"); fi
      "$BIN" optimize --prompt "$prompt" --seed "$seed" --iterations "$ITERATIONS" --save-every "$ITERATIONS" \
        "${flags[@]}" --output "$run" > /dev/null 2>&1
      images+=("$run/final.png")
      verdict=$("$BIN" judge-toy "$run/final.png" | head -n 1 | cut -f2)
      # losses.csv: step,t,lsd,fm,kl,norm_lsd,norm_fm,norm_kl — means over the last 50 steps.
      stats=$(tail -n 50 "$run/losses.csv" | awk -F, '{fm+=$4; kl+=$5; a+=$6; b+=$7; c+=$8} END {printf "%8.4f %8.3f  %.2f/%.3f/%.3f", fm/NR, kl/NR, a/NR, b/NR, c/NR}')
      printf "%-18s %6s %4s  %-18s %s\n" "$prompt" "$lambda" "$seed" "$verdict" "$stats"
    done
  done
  set -- $LAMBDAS
  "$BIN" grid "${images[@]}" --columns "$#" --output "$OUT/$slug.png" > /dev/null
done

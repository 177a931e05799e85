#!/usr/bin/env bash
# The measured study behind `edit`'s default weights on the toy model (docs/EDITING.md): a green
# sphere rendered by the toy world, edited to "a blue sphere" under each setting given as one
# argument (the extra `latent-prior edit` options, quoted), judged by scripts/edit_metrics.py
# (background change, alpha inside/outside the object) and `judge-toy` (colour and shape).
#   scripts/edit_toy_study.sh OUT_DIR "--lr 0.0025" "--lr 0.01 --lambda-sparsity 60" ...
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/latent-prior}
OUT=$1; shift
mkdir -p "$OUT"
"$BIN" render-toy --shape sphere --colour green --output "$OUT/green-sphere.png" >/dev/null
for settings in "$@"; do
  name=$(echo "$settings" | tr -c 'a-zA-Z0-9.\n' '_' | sed 's/__*/_/g; s/^_//; s/_$//')
  [ -n "$name" ] || name=defaults
  run="$OUT/$name"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$BIN" edit --image "$OUT/green-sphere.png" --prompt "a blue sphere" --output "$run" $settings >"$run.log" 2>&1 || { echo "$name FAILED"; continue; }
  seconds=$(( $(date +%s) - start ))
  metrics=$(python3 scripts/edit_metrics.py "$OUT/green-sphere.png" "$run")
  verdict=$("$BIN" judge-toy "$run/composite.png" | cut -f2)
  echo "$name  ${seconds}s  $metrics  judged: $verdict" | tee -a "$OUT/study.txt"
done

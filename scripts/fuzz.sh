#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with libFuzzer (swiftc -sanitize=fuzzer).
#   scripts/fuzz.sh TARGET [RUNS]      TARGET: safetensors config tokenizer png jpeg pickle
# Builds .build-fuzz/release/latent-prior-fuzz once, fuzzes a working copy of Tests/FuzzCorpus/TARGET
# (so the committed corpus does not fill with thousands of files), and copies any crash, timeout or
# out-of-memory input into Tests/FuzzCorpus/TARGET/ for the CI replay (FuzzRegressionTests).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [RUNS]}
runs=${2:-100000}
binary=.build-fuzz/release/latent-prior-fuzz
if [[ ! -x $binary || -n $(find Sources -newer "$binary" -name '*.swift' -print -quit) ]]; then
  swift build -c release --scratch-path .build-fuzz --product latent-prior-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING
fi
case $target in
  safetensors|config|png|jpeg) max_len=8192 ;;
  tokenizer|pickle) max_len=16384 ;;
  *) echo "unknown target '$target'" >&2; exit 2 ;;
esac
work=$(mktemp -d /tmp/latent-prior-fuzz-$target-XXXX)
findings=$work/findings
mkdir -p "$work/corpus" "$findings"
cp Tests/FuzzCorpus/"$target"/* "$work/corpus/"
set +e
LATENT_PRIOR_FUZZ_TARGET=$target LATENT_PRIOR_FUZZ_TOKENIZER=$PWD/Tests/DiffusionTests/Fixtures/tiny-sd1/tokenizer \
  "$binary" "$work/corpus" -runs="$runs" -max_len=$max_len -timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
  -artifact_prefix="$findings/" -print_final_stats=1 2>&1 | tee "$work/log" | grep -E "^#[0-9]+ +(INITED|DONE)|stat::|ERROR|SUMMARY"
status=${PIPESTATUS[0]}
set -e
for found in "$findings"/*; do
  [[ -e $found ]] || continue
  cp "$found" Tests/FuzzCorpus/"$target"/"$(basename "$found")"
  echo "finding kept: Tests/FuzzCorpus/$target/$(basename "$found")"
done
echo "log: $work/log (libFuzzer exit status $status)"
exit "$status"

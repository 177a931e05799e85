#!/usr/bin/env bash
# Idempotent set-up: Debian packages, and the MLX wheel installed into .deps (git-ignored).
#   BACKEND=cpu  (default) mlx-cpu:     CPU libmlx, rebound to Debian's OpenBLAS
#   BACKEND=cuda            mlx-cuda-13: CUDA libmlx plus the NVIDIA runtime wheels it needs
# The wheel lands as pip lays out site-packages (.deps/mlx/{include,lib}, .deps/nvidia/...), which
# is what libmlx's own rpath ($ORIGIN/../../nvidia/..., $ORIGIN/../../mlx_*.libs) expects.
set -euo pipefail
cd "$(dirname "$0")/.."

MLX_VERSION=0.32.4
BACKEND="${BACKEND:-cpu}"
case "$BACKEND" in
  cpu)  WHEEL=mlx-cpu;     PIP_DEPS=--no-deps ;;
  cuda) WHEEL=mlx-cuda-13; PIP_DEPS= ;;
  *) echo "setup: unknown BACKEND '$BACKEND' (expected cpu or cuda)" >&2; exit 2 ;;
esac
DEPS=.deps
STAMP="$DEPS/installed"
WANT="$WHEEL==$MLX_VERSION"

# Debian packages: OpenBLAS (fast cblas for MLX's CPU matmul/conv), patchelf (rebinds libmlx to
# it), zlib, libpng and libjpeg-turbo (pictures in and out), libzip (torch.save zip checkpoints),
# pkg-config (finds them for SwiftPM), unzip. (Mesh simplification is our own: Debian's meshoptimizer
# does not keep thin parts manifold; Sources/Geometry/QuadricSimplifier.swift.)
missing=()
for p in libopenblas-dev patchelf zlib1g-dev libpng-dev libjpeg62-turbo-dev libzip-dev pkg-config unzip; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "setup: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$DEPS/mlx/lib/libmlx.so" ]; then
  exit 0
fi

echo "setup: installing $WANT into $DEPS"
rm -rf "$DEPS"
mkdir -p "$DEPS"
# shellcheck disable=SC2086
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-compile --only-binary=:all: \
  $PIP_DEPS --target "$DEPS" "$WANT"

# The wheel links libmlx against a bundled *reference* BLAS/LAPACK (~30x slower than OpenBLAS).
# Rebind libmlx to Debian's OpenBLAS, which provides both cblas_* and the LAPACK routines.
LIB="$DEPS/mlx/lib/libmlx.so"
for needed in $(patchelf --print-needed "$LIB"); do
  case "$needed" in
    libblas-*) patchelf --replace-needed "$needed" libopenblas.so.0 "$LIB" ;;
    liblapack-*) patchelf --remove-needed "$needed" "$LIB" ;;
  esac
done
# The reference BLAS is kept aside (libmlx no longer loads it) so `latent-prior bench blas` can
# show both rates side by side.
mkdir -p "$DEPS/mlx/reference-blas"
for vendored in "$DEPS"/mlx_*.libs; do
  mv "$vendored"/libblas-* "$vendored"/libgfortran-* "$vendored"/libquadmath-* "$DEPS/mlx/reference-blas/" 2>/dev/null || true
  rm -f "$vendored"/liblapack-*
done
echo "$WANT" > "$STAMP"
echo "setup: libmlx needs $(patchelf --print-needed "$LIB" | tr '\n' ' ')"

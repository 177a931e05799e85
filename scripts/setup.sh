#!/usr/bin/env bash
# Idempotent set-up: Debian packages and the MLX wheel unpacked into .deps/mlx.
# BACKEND=cpu (default) installs mlx-cpu; BACKEND=cuda installs mlx-cuda-13 (same headers).
set -euo pipefail
cd "$(dirname "$0")/.."

MLX_VERSION=0.32.4
BACKEND="${BACKEND:-cpu}"
case "$BACKEND" in
  cpu)  WHEEL_NAME=mlx-cpu ;;
  cuda) WHEEL_NAME=mlx-cuda-13 ;;
  *) echo "setup: unknown BACKEND '$BACKEND' (expected cpu or cuda)" >&2; exit 2 ;;
esac
DEPS=.deps
STAMP="$DEPS/mlx/.installed"
WANT="$WHEEL_NAME==$MLX_VERSION"

# Debian packages: OpenBLAS (fast cblas for MLX's CPU matmul/conv), patchelf (rebinds libmlx to it),
# zlib (PNG output), unzip (wheel unpacking).
need_pkgs=()
for p in libopenblas-dev patchelf zlib1g-dev unzip; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$p")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi

echo "setup: installing $WANT into $DEPS/mlx"
rm -rf "$DEPS/mlx" "$DEPS/wheel"
mkdir -p "$DEPS/wheel"
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$DEPS/wheel" "$WANT"
unzip -q -o "$DEPS"/wheel/*.whl -d "$DEPS/wheel/unpacked"
mkdir -p "$DEPS/mlx"
cp -r "$DEPS/wheel/unpacked/mlx/include" "$DEPS/mlx/include"
cp -r "$DEPS/wheel/unpacked/mlx/lib" "$DEPS/mlx/lib"
# Vendored shared libraries the wheel carries beside libmlx (auditwheel's *.libs folder).
for libs in "$DEPS"/wheel/unpacked/*.libs; do
  [ -d "$libs" ] && cp "$libs"/* "$DEPS/mlx/lib/"
done

# The wheel links libmlx against a bundled *reference* BLAS/LAPACK (~30x slower than OpenBLAS).
# Rebind libmlx to Debian's OpenBLAS, which provides both cblas_* and the LAPACK routines.
LIB="$DEPS/mlx/lib/libmlx.so"
for needed in $(patchelf --print-needed "$LIB"); do
  case "$needed" in
    libblas-*) patchelf --replace-needed "$needed" libopenblas.so.0 "$LIB" ;;
    liblapack-*) patchelf --remove-needed "$needed" "$LIB" ;;
  esac
done
rm -f "$DEPS"/mlx/lib/libblas-* "$DEPS"/mlx/lib/liblapack-*
# Keep the wheel's own rpath entries (the CUDA wheel finds its NVIDIA libraries through them) and
# add libmlx's own folder for the vendored libraries copied beside it.
patchelf --add-rpath '$ORIGIN' "$LIB"
rm -rf "$DEPS/wheel"
echo "$WANT" > "$STAMP"
echo "setup: done ($(patchelf --print-needed "$LIB" | tr '\n' ' '))"

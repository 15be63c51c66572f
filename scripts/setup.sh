#!/usr/bin/env bash
# Installs what qcc needs (Debian packages, a Python venv), then configures and builds it.
# Idempotent: quick when everything is already there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PACKAGES=(llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 lld-19
  libzstd-dev zlib1g-dev libxml2-dev libedit-dev libncurses-dev
  libprotobuf-dev protobuf-compiler libonnx-dev libflatbuffers-dev flatbuffers-compiler ninja-build cmake libgtest-dev libclang-rt-19-dev
  qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu python3-venv
  qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi
  python3-torch python3-torchvision python3-numpy)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python venv with pinned packages; re-synced only when requirements.txt changes.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (requirements.txt)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# Configure once, then build (ninja is a no-op when up to date).
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja
fi
ninja -C build -j"${QCC_JOBS:-2}"

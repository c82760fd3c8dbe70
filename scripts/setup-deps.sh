#!/usr/bin/env bash
# Installs the Debian 12 packages dl needs to build, test and run. Idempotent:
# packages that are already installed are skipped, so a second run is a no-op.
set -euo pipefail

PKGS=(
  cmake ninja-build g++ git
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 libomp-19-dev
  libclang-rt-19-dev
  libopenmpi-dev openmpi-bin
  libdnnl-dev libopenblas-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev
  python3 python3-numpy python3-torch python3-torchvision python3-onnx
  python3-psutil
  chromium python3-matplotlib
  zlib1g-dev dataset-fashion-mnist python3-sklearn
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/bin/bash
# Prepare, on this machine, what the GPU check (bench/device_check.sh) carries to the device machine, which
# has PyTorch, OpenCV, NumPy and SciPy but cannot download: the wheels it lacks and one shared scene.
# Everything goes to .device/ (ignored through .git/info/exclude; about 30 MB with zara01_feet).
#
#   bash bench/device_prep.sh [SCENE]        # default zara01_feet
#
# Then, with the device tool: run(command=<the line this script prints>, carry=[".device"], timeout_s=540).
set -euo pipefail
cd "$(dirname "$0")/.."
scene=${1:-zara01_feet}
src=../shared/data/scenes/$scene
[ -d "$src/frames" ] || { echo "device_prep: $src not found" >&2; exit 1; }
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
mkdir -p .device/whl .device/scenes
rm -rf ".device/scenes/$scene"
cp -r "$src" ".device/scenes/$scene"
.venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d .device/whl pycocotools==2.0.11 simplejpeg==1.9.0 trackeval==1.3.0
du -sh .device >&2
echo "python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .device/whl/*.whl && SITE=/tmp/site bash bench/device_check.sh .device/scenes/$scene"

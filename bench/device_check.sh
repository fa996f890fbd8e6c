#!/bin/bash
# The GPU check of issue 11, one prepared script for the device machine (see bench/device_prep.sh):
#   1. the networks alone, CUDA and the machine's CPU: forward ms per crop at batch 1/32/256, float32 and
#      bfloat16, and a training step (bench/gpu_nets.py);
#   2. a whole scene on the GPU, every person, 100 steps each, float32 then mixed precision
#      (bench/scene.py --device cuda): wall time split, ms per person-frame at batch 1/32/256, mean J, and
#      the J difference mixed precision makes (target: within 0.005).
# Results go to $OUT (the device tool brings them back), else to ./device-out.
#
#   SITE=/tmp/site bash bench/device_check.sh SCENE_DIR       (DEVICE=cpu PIDS=63,64 STEPS=2 on scenes/zara01: a dry run here)
set -uo pipefail
cd "$(dirname "$0")/.."
scene=${1:?usage: device_check.sh SCENE_DIR}
out=${OUT:-device-out}
mkdir -p "$out"
export PYTHONPATH=${SITE:+$SITE:}$PWD PYTHONUNBUFFERED=1
py=${PYTHON:-python3}
device=${DEVICE:-cuda}
pids=${PIDS:-all}
steps=${STEPS:-100}
{ date -u; nvidia-smi 2>&1 | head -15; $py -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"; } \
  > "$out/machine.txt" 2>&1
timeout 180 $py bench/gpu_nets.py --devices "$device,cpu" --json "$out/nets.jsonl" > "$out/nets.log" 2>&1 \
  || echo "gpu_nets failed or ran out of time: rc $?" >> "$out/nets.log"
for mixed in "" "--mixed-precision"; do
  timeout 300 $py bench/scene.py --scenes "$scene" --device "$device" --pids "$pids" --steps-per-person "$steps" \
    --threads 8 --speed-frames 60 $mixed --results "$out/scene.jsonl" > "$out/scene${mixed:+-bf16}.log" 2>&1 \
    || echo "scene.py $mixed failed or ran out of time: rc $?" >> "$out/scene${mixed:+-bf16}.log"
done
tail -n 12 "$out"/*.log

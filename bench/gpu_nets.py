"""The networks alone on each device: forward ms per crop at batch 1 / 32 / 256 in float32 and bfloat16, and a
training step, for the per-person network (osvos-parent, started from the shipped parent) and the parent
network as the proposals run it.

Written for the GPU machine (issue 11: "<= 0.05 ms per person-frame on a GPU"), and runs anywhere: devices
that are absent are reported as such. bfloat16 is the inference copy's dtype (``prior.inference``) on CUDA
and on a CPU with native bfloat16; elsewhere the row says it was skipped. Random inputs: the time of the
network, not of cropping, decoding or pasting (``bench/scene.py`` times those with the network).

    PYTHONPATH=. python bench/gpu_nets.py [--devices cpu,cuda] [--batches 1,32,256] [--threads N] [--json F]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from humanseg_core.osvos.device import cpu_bf16_native  # noqa: E402
from humanseg_core.osvos.nets_parent import init_osvos_parent  # noqa: E402
from humanseg_core.prior.inference import inference_net  # noqa: E402


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _best_ms(fn, device: torch.device, rounds: int) -> float:
    """The best of ``rounds`` timed calls (after two warm-ups), in ms."""
    for _ in range(2):
        fn()
    _sync(device)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return 1000.0 * best


def forward_rows(device: torch.device, batches: list[int], rounds: int) -> list[dict]:
    net = init_osvos_parent().net.eval()
    size, channels = 96, 5
    rows = []
    dtypes = [torch.float32]
    if device.type == "cuda" or (device.type == "cpu" and cpu_bf16_native()):
        dtypes.append(torch.bfloat16)
    for dtype in dtypes:
        fast = inference_net(net, device, dtype)
        for b in batches:
            x = torch.randn(b, channels, size, size, device=device, dtype=dtype).contiguous(
                memory_format=torch.channels_last)

            def run(x=x, fast=fast):
                with torch.inference_mode():
                    fast(x)

            ms = _best_ms(run, device, rounds)
            rows.append({"what": "osvos-parent forward", "device": str(device), "dtype": str(dtype).split(".")[-1],
                         "batch": b, "ms_per_batch": round(ms, 3), "ms_per_crop": round(ms / b, 4)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def train_rows(device: torch.device, batches: list[int], rounds: int) -> list[dict]:
    net = init_osvos_parent().net.to(device).train()
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-5)
    rows = []
    for b in batches:
        x = torch.randn(b, 5, 96, 96, device=device)
        y = (torch.rand(b, 1, 96, 96, device=device) > 0.7).float()

        def step(x=x, y=y):
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x)[-1], y)
            loss.backward()
            opt.step()

        ms = _best_ms(step, device, rounds)
        rows.append({"what": "osvos-parent training step", "device": str(device), "dtype": "float32", "batch": b,
                     "ms_per_step": round(ms, 3)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="cpu,cuda")
    ap.add_argument("--batches", default="1,32,256")
    ap.add_argument("--train-batches", default="8,32")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--json", default=None, help="also write every row to this file (JSON lines)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows: list[dict] = []
    for name in [d for d in args.devices.split(",") if d]:
        if name == "cuda" and not torch.cuda.is_available():
            rows.append({"device": "cuda", "skipped": "no CUDA device here"})
            print(json.dumps(rows[-1]), flush=True)
            continue
        device = torch.device(name)
        batches = [int(b) for b in args.batches.split(",") if b]
        if device.type == "cpu":
            batches = [b for b in batches if b <= 32]  # 256 crops on a CPU says nothing the 32 row does not
        rows += forward_rows(device, batches, args.rounds)
        rows += train_rows(device, [int(b) for b in args.train_batches.split(",") if b], max(2, args.rounds // 2))
        if device.type == "cuda":
            rows.append({"device": str(device), "name": torch.cuda.get_device_name(device),
                         "torch": torch.__version__})
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        Path(args.json).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Training the parent network on generated composites: a generator job, resumable, CPU or CUDA.

Loss: BCE + soft Dice on the target's visible mask (soft crop targets). AdamW (encoder at 0.5x the rate),
100 warm-up steps then a cosine decay over the budget (steps, or minutes: the schedule follows the larger of
the step and time fractions). Batches are generated in one background thread (OpenCV and NumPy release the
GIL) while the network trains; sample ``i`` depends only on (seed, i), so a resumed run sees the same data.
A checkpoint (model, optimiser, step, elapsed time) is written atomically to ``<out>.ckpt`` every
``save_every_s`` seconds and on cancel; the shipped fp16 file is written to ``out`` at the end.
Warm start (``ParentTrainConfig.init``): the weights of an existing parent file of the same architecture,
a fresh optimiser and schedule; the file's sha256 is recorded in the output's meta (``init``).
"""

from __future__ import annotations

import math
import platform
import queue
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..errors import Cancelled, HumansegError, WeightsError
from ..jobs import CancelToken, EtaClock, Progress
from ..weights import sha256_of
from .composites import CompositeGenerator
from .evaluate import composite_miou
from .parent_file import atomic_save, read_parent_file, save_parent_file
from .parent_net import DEFAULT_CONFIG, build_parent_net
from .sprites import SpriteBank, load_backgrounds

VAL_SEED_OFFSET = 1_000_003  # held-out composites use seed + this (another random stream, same recipe)


@dataclass
class TrainResult:
    out: Path
    steps: int
    seconds: float
    final_loss: float | None  # None when no step ran
    device: str
    val: dict[str, Any] = field(default_factory=dict)
    sequences: list[str] = field(default_factory=list)
    init: dict[str, Any] | None = None  # the warm-start record (file, sha256), None from scratch


def pick_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise HumansegError("--device cuda: no CUDA device is available")
    return device


def parent_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """BCE (mean over pixels) + soft Dice (per sample, averaged)."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    inter = (p * target).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + target.sum((1, 2, 3)) + 1)
    return bce + dice.mean()


class _Prefetch:
    """Generates batch k+1 in a thread while batch k trains."""

    def __init__(self, gen: CompositeGenerator, first: int, batch: int):
        self.gen, self.batch, self.next = gen, batch, first
        self.q: queue.Queue = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        i = self.next
        while not self.stop.is_set():
            item: object
            try:
                item = self.gen.batch(i * self.batch, self.batch)
            except BaseException as exc:  # handed to the trainer: a dead thread had left it waiting for ever
                item = exc
            while not self.stop.is_set():
                try:
                    self.q.put(item, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if isinstance(item, BaseException):
                return
            i += 1

    def get(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The next batch; the generator's error, raised here, where it failed to make one."""
        while True:
            try:
                item = self.q.get(timeout=0.5)
            except queue.Empty:
                if not self.thread.is_alive():
                    try:  # its last word, put as it ended (a review: a race hid the error)
                        item = self.q.get_nowait()
                    except queue.Empty:
                        raise RuntimeError("the composite generator stopped without a word") from None
                else:
                    continue
            if isinstance(item, BaseException):
                raise item
            return cast(tuple[np.ndarray, np.ndarray, np.ndarray], item)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def lr_factor(frac: float, step: int, warmup: int = 100) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))


@dataclass(frozen=True)
class ParentTrainConfig:
    """A training run's settings (everything but its data, backgrounds and output file).

    Budget: exactly one of ``minutes`` / ``steps``. ``init``: warm start from an existing parent file's weights
    (same architecture and crop geometry, else WeightsError naming the file) with a fresh optimiser and
    schedule; its sha256 goes into the output's meta. ``resume`` wins over ``init`` when ``<out>.ckpt``
    exists (the checkpoint already holds the warm-started weights and remembers the init file)."""

    minutes: float | None = None
    steps: int | None = None
    resume: bool = False
    init: Path | None = None
    force: bool = False  # replace an existing ``out`` / ``<out>.ckpt`` (else refused unless resumed)
    device: str = "auto"
    seed: int = 0
    batch: int = 24
    lr: float = 2e-3
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    net: dict[str, Any] | None = None  # network config: overrides of DEFAULT_CONFIG
    save_every_s: float = 120.0
    val_samples: int = 256
    threads: int | None = None
    grey: float = 0.0  # the share of training composites turned grey (monochrome cameras)
    tight: float = 0.0  # the share with a neighbour right beside the target (CompositeGenerator's ``tight``)


RESUME_OPTIONS = {"seed": "--seed", "batch": "--batch", "lr": "--lr", "grey": "--grey-share", "tight": "--tight-share"}


def stills_print(stills: Sequence[np.ndarray]) -> list[str]:
    """A short fingerprint of each background still (its size and a hash of a sparse sample of its pixels): the
    same stills read from another folder print the same."""
    import hashlib

    return [f"{im.shape[1]}x{im.shape[0]}:{hashlib.sha1(np.ascontiguousarray(im[::7, ::7]).tobytes()).hexdigest()[:10]}"
            for im in stills]


def resume_differences(ck: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What a checkpoint's training was started with that ``now`` (the same record of this call) changes, said
    for a user; a checkpoint older than a record compares on what it holds (seed and network options)."""
    out = []
    for key, flag in RESUME_OPTIONS.items():
        if key in ck and ck[key] != now[key]:
            out.append(f"{flag} {ck[key]} then, {now[key]} now")
    was = ck.get("config")
    if isinstance(was, dict):
        changed = sorted(k for k in set(was) | set(now["config"]) if was.get(k) != now["config"].get(k))
        if changed:
            out.append("the network's options (" + ", ".join(f"{k} {was.get(k)} then, {now['config'].get(k)} now"
                                                              for k in changed) + ")")
    if "sequences" in ck and list(ck["sequences"]) != now["sequences"]:
        out.append(f"the person sequences ({', '.join(ck['sequences']) or 'none'} then, "
                   f"{', '.join(now['sequences']) or 'none'} now: --data, --only, --exclude)")
    if "stills" in ck and list(ck["stills"]) != now["stills"]:
        out.append(f"the background stills ({len(ck['stills'])} then, {len(now['stills'])} now"
                   + (", other images" if len(ck["stills"]) == len(now["stills"]) else "") + ": --backgrounds)")
    return out


INPUT_ONLY = ("size",)  # config keys the weights do not depend on: a warm start may change them


def warm_start(net: torch.nn.Module, cfg: dict[str, Any], path: Path) -> dict[str, Any]:
    """Load a parent file's weights into ``net`` (built from ``cfg``); the init record for the meta.

    WeightsError naming the file when it is unreadable, its config (architecture, crop geometry) differs
    from ``cfg`` or its weights do not fit."""
    state, meta = read_parent_file(path)
    differ = {k: (meta.get(k), cfg[k]) for k in DEFAULT_CONFIG if k not in INPUT_ONLY and meta.get(k) != cfg[k]}
    if differ:
        raise WeightsError(f"{path}: --init needs the same architecture as this run; differs in "
                           + ", ".join(f"{k} (file {a!r}, run {b!r})" for k, (a, b) in differ.items()))
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{path}: --init weights do not fit the parent network "
                           f"({str(exc).splitlines()[0][:200]})") from None
    return {"file": str(path), "sha256": sha256_of(path), "steps": meta.get("steps"),
            "samples_seen": meta.get("samples_seen")}


def _check_writable(out: Path) -> None:
    """HumansegError unless ``out``'s folder takes a file, before any step is trained (a walk's read-only folder
    was found at the first save, the whole training lost)."""
    import tempfile

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise HumansegError(f"{out}: cannot write the parent file there ({exc.strerror or exc}); choose another "
                            "--out (nothing was trained)") from None


def train_parent_job(data: Sequence[str | Path], backgrounds: Sequence[str | Path], out: str | Path,
                     train: ParentTrainConfig, cancel: CancelToken | None = None,
                     ) -> Generator[Progress, None, TrainResult]:
    """Train (or resume, or warm-start) a parent network; yields Progress per step; returns :class:`TrainResult`."""
    t = train
    minutes, steps, seed, batch, lr = t.minutes, t.steps, t.seed, t.batch, t.lr
    if (minutes is None) == (steps is None):
        raise HumansegError("give exactly one budget: minutes or steps")
    out = Path(out)
    ckpt_path = out.with_name(out.name + ".ckpt")
    resumes = t.resume and ckpt_path.is_file()
    there = [p for p in ((ckpt_path,) if not resumes else ()) + (out,) if p.exists()]
    if out.is_dir():
        raise HumansegError(f"{out}: is a folder; --out names the parent file to write, e.g. {out / 'parent.pt'}")
    if there and not t.force and not resumes:  # a rerun had replaced a trained parent and its checkpoint (an audit)
        anew = f"--init {out} --out OTHER.pt starts a new schedule from its weights"
        if ckpt_path.is_file():
            how = f"--resume continues its training (from {ckpt_path.name})"
        elif t.resume:
            how = f"--resume needs {ckpt_path.name}, which is not there ({anew})"
        else:  # (a walk was sent to --resume, which then needed the checkpoint that is not there)
            how = anew
        raise HumansegError(f"{there[0]}: already exists; {how}; --force replaces {out.name} and its checkpoint, "
                            "or choose another --out (nothing was changed)")
    _check_writable(out)
    dev = pick_device(t.device)
    prev_threads = torch.get_num_threads()
    if t.threads:  # set for this job only (restored at the end): on a shared 2-core machine 1 thread
        torch.set_num_threads(t.threads)  # measured 10x faster than 2 (OpenMP spin-waits under load)
    cv2.setNumThreads(1)  # the generator thread must not fight the training threads for the cores
    torch.set_flush_denormal(True)
    cfg = {**DEFAULT_CONFIG, **(t.net or {})}
    bank = SpriteBank.from_davis(list(data), include=list(t.include) if t.include is not None else None,
                                  exclude=list(t.exclude))
    stills = load_backgrounds(list(backgrounds))
    gen = CompositeGenerator(bank, stills, size=int(cfg["size"]), factor=float(cfg["factor"]),
                             sigma_frac=float(cfg["sigma_frac"]), seed=seed, grey=t.grey,
                             tight=t.tight)
    torch.manual_seed(seed)
    net = build_parent_net(cfg).to(dev)
    enc = list(net.encoder.parameters())
    enc_ids = {id(p) for p in enc}
    dec = [p for p in net.parameters() if id(p) not in enc_ids]
    opt = torch.optim.AdamW([{"params": enc, "lr": lr * 0.5, "base": lr * 0.5},
                             {"params": dec, "lr": lr, "base": lr}], weight_decay=1e-4)
    step, elapsed0, losses = 0, 0.0, []
    init: dict[str, Any] | None = None
    record = {"seed": seed, "batch": batch, "lr": lr, "grey": t.grey, "tight": t.tight, "config": cfg,
              "sequences": list(bank.sequences), "stills": stills_print(stills)}
    if resumes:
        try:
            ck = torch.load(ckpt_path, map_location=dev, weights_only=True)
        except Exception as exc:
            raise WeightsError(f"{ckpt_path}: cannot resume from this checkpoint ({exc})") from None
        differs = resume_differences(ck, record)
        if differs:  # a resumed training sees the data of the first one (sample i depends on the seed and i)
            raise HumansegError(f"{ckpt_path}: this training was started with other data or options: "
                                f"{'; '.join(differs)}. --resume continues one training: give the options it was "
                                "started with, or start another (another --out, or --force) with --init from a "
                                "parent file (nothing was changed)")
        try:
            net.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
        except Exception as exc:
            raise WeightsError(f"{ckpt_path}: cannot resume from this checkpoint ({exc})") from None
        step, elapsed0, init = int(ck["step"]), float(ck["elapsed"]), ck.get("init")
        spent = (steps is not None and step >= steps) or (minutes is not None and elapsed0 >= minutes * 60)
        if spent:  # it would end at once with nothing trained: the budget counts the checkpoint's part too
            raise HumansegError(f"{ckpt_path}: this training already spent the budget asked for (step {step}, "
                                f"{elapsed0 / 60:.1f} min); --resume continues one schedule, so give the new "
                                f"total: --minutes above {elapsed0 / 60:.1f} or --steps above {step}")
    elif t.init is not None:
        init = warm_start(net, cfg, Path(t.init))
    total = steps if steps is not None else max(step + 1, int(cast(float, minutes) * 60 / 0.6))
    budget_s = minutes * 60 if minutes is not None else None

    def save_ckpt() -> None:
        atomic_save({"model": net.state_dict(), "opt": opt.state_dict(), "step": step,
                     "elapsed": elapsed0 + time.monotonic() - t0, "init": init, **record}, ckpt_path)

    yield Progress(step, total, "starting", {"device": dev, "sequences": bank.sequences, "resumed_at": step,
                                           "init": init})
    t0 = time.monotonic()
    last_save = t0
    clock = EtaClock()
    feed = _Prefetch(gen, step, batch)
    net.train()
    try:
        while True:
            elapsed = elapsed0 + time.monotonic() - t0
            frac = max(step / steps if steps else 0.0, elapsed / budget_s if budget_s else 0.0)
            if frac >= 1.0:
                break
            if cancel is not None and cancel.cancelled:
                save_ckpt()
                raise Cancelled(f"cancelled by the user; resume from {ckpt_path} with --resume")
            x, y, hint = feed.get()
            f = lr_factor(frac, step)
            for g in opt.param_groups:
                g["lr"] = g["base"] * f
            logits = net(torch.from_numpy(x).to(dev), torch.from_numpy(hint).to(dev))
            loss = parent_loss(logits, torch.from_numpy(y).to(dev))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            losses.append(float(loss.detach()))
            if budget_s is not None:  # re-estimate the step total from the rate so far
                rate = (time.monotonic() - t0) / max(1, len(losses))
                total = max(step + 1, step + int((budget_s - elapsed) / max(rate, 1e-3)))
            if time.monotonic() - last_save >= t.save_every_s:
                save_ckpt()
                last_save = time.monotonic()
            yield Progress(step, total, "training", {"loss": float(np.mean(losses[-50:])), "lr": lr * f,
                                                     "elapsed_s": elapsed},
                           eta_s=clock.eta(len(losses), total - step + len(losses)))
    except BaseException:
        torch.set_num_threads(prev_threads)
        raise
    finally:
        feed.close()
    seconds = elapsed0 + time.monotonic() - t0
    save_ckpt()
    yield Progress(step, step, "measuring on held-out composites", {})
    val_gen = CompositeGenerator(bank, stills, size=gen.size, factor=gen.factor, sigma_frac=float(cfg["sigma_frac"]),
                                 seed=seed + VAL_SEED_OFFSET)
    val = composite_miou(net, val_gen, t.val_samples, device=dev) if t.val_samples else {}
    if t.val_samples:
        val["with_anchor_hint"] = composite_miou(net, val_gen, t.val_samples, device=dev, hint=True)["all"]
    meta = {**cfg, "steps": step, "seconds": round(seconds, 1), "batch": batch, "samples_seen": step * batch,
            "device": dev, "cpu": platform.processor() or platform.machine(), "torch": str(torch.__version__),
            "threads": torch.get_num_threads(), "seed": seed, "init": init, "lr": lr, "grey": t.grey, "tight": t.tight,
            "sequences": bank.sequences,
            "backgrounds": [str(b) for b in backgrounds], "val_composites": val,
            "final_loss": float(np.mean(losses[-50:])) if losses else None,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    save_parent_file(out, net.cpu(), meta)
    torch.set_num_threads(prev_threads)
    return TrainResult(out, step, seconds, meta["final_loss"], dev, val, bank.sequences, init)


def export_checkpoint(ckpt_path: str | Path, out: str | Path, extra_meta: dict[str, Any] | None = None) -> Path:
    """Write the shipped parent file from a training checkpoint (e.g. after a crash or an interrupted run)."""
    try:
        ck = torch.load(ckpt_path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"{ckpt_path}: not a readable parent training checkpoint ({exc})") from None
    cfg = {**DEFAULT_CONFIG, **ck.get("config", {})}
    net = build_parent_net(cfg, imagenet=False)
    net.load_state_dict(ck["model"], strict=True)
    meta = {**cfg, "steps": int(ck["step"]), "seconds": round(float(ck["elapsed"]), 1), "seed": ck.get("seed"),
            "torch": str(torch.__version__), **(extra_meta or {})}
    save_parent_file(Path(out), net, meta)
    return Path(out)

"""``humanseg parent train|eval|use``: train the person-prior parent network on composites, measure it, or
choose the one a project uses (:mod:`.parent_use`).

``train`` prints progress on stderr; the last stdout line is JSON
``{"out", "steps", "seconds", "final_loss", "device", "val_composites", "sequences", "init"}``
(``init``: the warm-start file and its sha256 with ``--init FILE``, else null).
``eval`` measures a parent file on held-out generated composites:
``{"file", "sequences", "val_composites": {"all": {"miou", "median", "n"}, "head": ..., ...}}``.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager

from ..errors import HumansegError
from ..jobs import run_job
from .common import print_json


def register(subparsers) -> None:
    p = subparsers.add_parser("parent", help="train, measure or choose the person-prior parent network",
                              description="The OSVOS parent network: a point-prompted person segmenter trained "
                                          "on copy-paste composites of DAVIS-layout person cut-outs.")
    sub = p.add_subparsers(dest="parent_command", required=True, metavar="ACTION")
    t = sub.add_parser("train", help="train (or resume) a parent network on generated composites")
    _data_args(t)
    t.add_argument("--out", required=True, help="parent file to write (the checkpoint goes to OUT.ckpt)")
    budget = t.add_mutually_exclusive_group(required=True)
    budget.add_argument("--minutes", type=float,
                        help="training time budget in minutes (with --resume: the total, the checkpoint's included)")
    budget.add_argument("--steps", type=int, help="training steps (with --resume: the total)")
    t.add_argument("--resume", action="store_true",
                   help="continue from OUT.ckpt when it exists (then --init is ignored: the checkpoint already "
                        "holds the warm-started weights)")
    t.add_argument("--force", action="store_true",
                   help="replace OUT and OUT.ckpt when they exist, training anew (without it they are refused; "
                        "--resume continues OUT.ckpt and writes OUT again when done)")
    t.add_argument("--init", metavar="FILE", default=None,
                   help="warm start: begin from this parent file's weights (same architecture) with a fresh "
                        "optimiser and schedule; its sha256 is recorded in OUT's meta")
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    t.add_argument("--batch", type=int, default=24)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    t.add_argument("--val-samples", type=int, default=256, help="held-out composites measured at the end")
    t.add_argument("--size", type=int, default=None,
                   help="the network's input side in pixels (default 96); with --init, a file of another input "
                        "side is a warm start too (the weights do not depend on it)")
    t.add_argument("--grey-share", type=float, default=0.0,
                   help="share of the training composites turned grey, for monochrome cameras (default 0)")
    t.add_argument("--tight-share", type=float, default=0.0,
                   help="share of the training composites with one more person right beside the target, as in "
                        "crowds (default 0)")
    t.set_defaults(func=run_train)
    e = sub.add_parser("eval", help="mean IoU of a parent file on held-out generated composites")
    _data_args(e)
    e.add_argument("--file", default=None, help="parent file (default: the shipped one)")
    e.add_argument("--samples", type=int, default=512)
    e.set_defaults(func=run_eval)
    from .parent_use import register as register_use

    register_use(sub)


def _data_args(p) -> None:
    p.add_argument("--data", action="append", required=True, help="DAVIS-layout root (repeatable)")
    p.add_argument("--backgrounds", nargs="+", default=[], help="background still files or folders")
    p.add_argument("--exclude", nargs="+", default=[], help="sequence names left out (held-out checks)")
    p.add_argument("--only", nargs="+", default=None, help="use only these sequence names")
    p.add_argument("--seed", type=int, default=0)


def _progress(p) -> None:
    if "loss" not in p.data:  # in words, not a dict's repr (an ML walk read "parent: starting {'device': …}")
        def word(v) -> str:
            if isinstance(v, dict):  # a warm start: its file
                return str(v.get("file", ""))
            return ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)

        said = "; ".join(f"{k.replace('_', ' ')} {word(v)}" for k, v in p.data.items()
                         if v not in (None, "", [], 0, {}) or k == "device")
        print(f"parent: {p.message}" + (f": {said}" if said else ""), file=sys.stderr, flush=True)
        return
    if p.done == 1 or p.done % 50 == 0 or p.done == p.total:  # the last step too (a 2-step run showed [1/2] alone)
        eta = f" eta {p.eta_s / 60:.1f} min" if p.eta_s is not None else ""
        print(f"[{p.done}/{p.total}] loss {p.data['loss']:.4f} lr {p.data['lr']:.2e}{eta}", file=sys.stderr,
              flush=True)


def run_train(args) -> int:
    from pathlib import Path

    from ..prior.train_parent import ParentTrainConfig, train_parent_job

    if args.size is not None and not 32 <= args.size <= 512:
        raise HumansegError(f"--size: the input side must be 32-512 pixels, got {args.size}")
    train = ParentTrainConfig(minutes=args.minutes, steps=args.steps, resume=args.resume, force=args.force,
                              init=Path(args.init) if args.init else None, device=args.device, seed=args.seed,
                              batch=args.batch, lr=args.lr, include=tuple(args.only) if args.only else None,
                              exclude=tuple(args.exclude), threads=args.threads, val_samples=args.val_samples,
                              net={"size": int(args.size)} if args.size else None, grey=args.grey_share,
                              tight=args.tight_share)
    from ..jobs import CancelToken

    cancel = CancelToken()
    with first_interrupt_cancels(cancel):  # a walk's Ctrl-C lost up to 2 minutes and was not told of --resume
        r = run_job(train_parent_job(args.data, args.backgrounds, args.out, train, cancel), _progress)
    print_json({"out": str(r.out), "steps": r.steps, "seconds": round(r.seconds, 1), "final_loss": r.final_loss,
                "device": r.device, "val_composites": r.val, "sequences": r.sequences, "init": r.init})
    return 0


@contextmanager
def first_interrupt_cancels(cancel):
    """The first Ctrl-C cancels ``cancel`` (the training saves its checkpoint at the end of the step and says how
    to resume); a second one stops at once, as Ctrl-C does elsewhere."""
    def first(_signum, _frame) -> None:
        signal.signal(signal.SIGINT, previous)
        cancel.cancel()
        print("parent: stopping after this step and saving a checkpoint to resume from (Ctrl-C again stops at "
              "once)", file=sys.stderr, flush=True)

    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, first)
    except ValueError:  # not the main thread: Ctrl-C stays as it is
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_eval(args) -> int:
    from ..prior.composites import CompositeGenerator
    from ..prior.evaluate import composite_miou
    from ..prior.parent import DEFAULT_PARENT
    from ..prior.parent_file import load_parent_state
    from ..prior.sprites import SpriteBank, load_backgrounds
    from ..prior.train_parent import VAL_SEED_OFFSET

    path = args.file or DEFAULT_PARENT
    net, meta = load_parent_state(path)
    bank = SpriteBank.from_davis(args.data, include=args.only, exclude=args.exclude)
    gen = CompositeGenerator(bank, load_backgrounds(args.backgrounds), size=int(meta["size"]),
                             factor=float(meta["factor"]), sigma_frac=float(meta["sigma_frac"]),
                             seed=args.seed + VAL_SEED_OFFSET)
    val = composite_miou(net, gen, args.samples)
    print_json({"file": str(path), "sequences": bank.sequences, "val_composites": val})
    return 0

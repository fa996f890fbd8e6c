"""``humanseg train``: fine-tune a segmentation network on one person's accepted masks.

The run is stored in the project (model, parameters, metrics) and the checkpoint in
``<project>/checkpoints/``. The last stdout line is JSON:
``{"pid", "run_id", "steps", "seconds", "final_loss", "checkpoint", "holdout_J", "train_frames", "holdout_frames",
"kept_step", "warnings", "parent", "parent_warning"}`` (the frames: how many it trained on and held out).
"""

from __future__ import annotations

import dataclasses
import sys

from ..jobs import run_job
from .common import pid_arg, print_json, say_new_warnings


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="fine-tune the segmentation network on a person's accepted masks",
        description="Online fine-tuning (OSVOS) of one person's network on the masks accepted in the project; "
                    "trajectory-guided crops by default.")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=pid_arg, help="person id")
    p.add_argument("--model", choices=["osvos-parent", "osvos-lite", "osvos-vgg16"], default=None,
                   help="osvos-parent (default when the parent network loads, the project's else the shipped one: "
                        "fine-tuned from it), "
                        "osvos-lite (fast, per person from scratch; the default without the parent file) or "
                        "osvos-vgg16 (the OSVOS reference, very slow on CPU)")
    p.add_argument("--from-scratch", action="store_true",
                   help="start from random weights (no parent, no ImageNet weights), for comparison")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, default=None, help="training steps (default: the model's)")
    budget.add_argument("--seconds", type=float, default=None, help="training time budget in seconds")
    p.add_argument("--no-guidance", dest="guidance", action="store_false",
                   help="train on whole (downscaled) frames instead of crops around the track")
    p.add_argument("--holdout", type=int, default=None,
                   help="accepted masks kept out of training to measure its hold-out J (default: 3, at most a "
                        "quarter of them, as the studio's Train tab, none with --resume; 0 trains on all)")
    p.add_argument("--resume", default=None, help="checkpoint to continue from")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--offline", action="store_true", help="never try to download ImageNet weights")
    p.add_argument("--backbone-weights", default=None, help="local ImageNet backbone weights file")
    p.add_argument("--parent-weights", default=None,
                   help="parent network to start from: for osvos-parent a parent file (default: the project's "
                        "own, `humanseg parent use`, else resources/parent/parent-lite0-v9.pt), for the others a "
                        "state dict of the same model")
    p.add_argument("--no-label-refine", dest="refine_labels", action="store_false",
                   help="train on the accepted masks as they are (default: GrabCut cleans each one first; "
                        "turn it off when the masks were corrected by hand)")
    p.set_defaults(func=run)


def _progress(p, said: set[str], budget_in_seconds: bool = False) -> None:
    """stderr: downloads, warnings as they arise (each once: ``said`` keeps them), every 25th step (its total
    marked ``~`` while it is an estimate: ``budget_in_seconds``)."""
    if p.data.get("download"):
        print(f"{p.message}", file=sys.stderr, flush=True)
        return
    if "loss" not in p.data:  # the start report: warnings such as training from scratch
        say_new_warnings(p.warnings, said)
        return
    if p.done == 1 or p.done % 25 == 0 or p.done == p.total:
        eta = f" eta {p.eta_s:.0f}s" if p.eta_s is not None else ""
        hj = p.data.get("holdout_J")
        extra = f" holdout J {hj:.3f}" if hj is not None else ""
        # with a time budget the total is the steps expected so far (it moves as the step time settles)
        total = f"~{p.total}" if budget_in_seconds and p.done < p.total else f"{p.total}"
        print(f"[{p.done}/{total}] loss {p.data['loss']:.5f}{extra}{eta}", file=sys.stderr, flush=True)


def run(args) -> int:
    from ..errors import WeightsError
    from ..osvos.config import TrainConfig
    from ..osvos.nets_parent import default_model
    from ..project import Project
    from ..workflows import train_person
    from ..workflows.parent_choice import check_parent_file, parent_file_of
    from .common import note_studio_holder, say_quality

    note_studio_holder(args.project)
    with Project.open(args.project) as project:
        model = args.model
        if model is None:  # osvos-parent when the parent file loads (the project's own when chosen), else osvos-lite
            if args.parent_weights is not None:  # a file given for it is used or refused (a walk read "using
                try:  # osvos-lite instead", then an error about the same file)
                    check_parent_file(args.parent_weights)
                except WeightsError as exc:  # (as a parent: a file of another model goes with that --model)
                    raise WeightsError(f"{exc}; if it holds another model's weights, give that --model too") from None
                say_quality(args.parent_weights)
            parent = parent_file_of(project, args.parent_weights)[0]  # (its warning: said by the training)
            model, why = default_model(parent)
            if why:
                print(f"humanseg: {why}", file=sys.stderr)
        config = TrainConfig(model=model, from_scratch=args.from_scratch, steps=args.steps, seconds=args.seconds,
                             guidance=args.guidance, holdout=args.holdout or 0, resume=args.resume, seed=args.seed,
                             allow_download=not args.offline, backbone_file=args.backbone_weights,
                             parent=args.parent_weights, refine_labels=args.refine_labels)
        if args.holdout is None:  # as the Train tab (a walk read "holdout_J": null from the CLI, 0.8 in the studio);
            from ..osvos.samples import default_holdout  # none when resuming: the network may have trained on any
            from ..records import ACCEPTED  # of them (a review)

            labels = {p.frame for p in project.proposals(args.pid, with_masks=False) if p.status in ACCEPTED}
            args.holdout = 0 if args.resume else default_holdout(len(labels))
            config = dataclasses.replace(config, holdout=args.holdout)
        said: set[str] = set()
        timed = args.seconds is not None
        from ..workflows.at_work import at_work_text

        if busy := at_work_text(project, [args.pid]):  # another process training it: two runs
            print(f"humanseg: warning: {busy}", file=sys.stderr)
        if took := _took_more(project, args.pid):
            print(f"humanseg: note: {took}", file=sys.stderr)
        run = run_job(train_person(project, args.pid, config), lambda p: _progress(p, said, timed))
    result = run.result
    for w in result.warnings:  # those not said while it ran (e.g. the budget's note at the end)
        if w not in said:
            print(f"humanseg: warning: {w}", file=sys.stderr)
    for n in result.notices:  # notes the studio's Train tab shows (a walk's CLI never said the network was kept)
        if n.kind == "note" and n.text not in said and n.text not in result.warnings:
            print(f"humanseg: note: {n.text}", file=sys.stderr)
    if not args.holdout:  # a walk read "holdout_J": null with 18 labels and did not know why
        print("humanseg: note: no label was held out (--holdout 0, or fewer than 4 accepted masks), so there is no "
              "hold-out J; --holdout N keeps N accepted masks out of training to measure it", file=sys.stderr)
    print_json({"pid": int(args.pid), "run_id": run.run_id, "steps": result.steps, "seconds": round(result.seconds, 3),
                "final_loss": result.final_loss, "checkpoint": result.checkpoint,
                "holdout_J": result.holdout_J, "train_frames": len(result.train_frames),
                "holdout_frames": len(result.holdout_frames),
                "kept_step": result.kept_step, "warnings": result.warnings,
                "parent": run.parent or None, "parent_warning": run.parent_warning or None})
    return 0


def _took_more(project, pid: int) -> str:
    """What to say when the run in use trained on more labels than this training takes (a whole-scene run under
    Accept all or score>=x took pending proposals; `train` takes the accepted and edited masks alone: a walk's
    person trained on 2 where its run had taken 18, unsaid)."""
    from ..wording import shell_arg
    from ..workflows.project_status import person_status

    trained_on: dict[int, tuple[int, str]] = {}
    person_status(project, trained_on=trained_on)
    if int(pid) not in trained_on:
        return ""
    n, accept = trained_on[int(pid)]
    folder = shell_arg(project.folder)
    # (accepting every pending one takes more than a score>=x run took: only said under Accept all, a review)
    first = f" (or accept them first: humanseg decide --project {folder} --pid {pid} --accept-all)" \
        if (accept or "all") == "all" else ""
    return (f"this trains on the accepted and edited masks alone; the run in use trained on {n} labels (Accept "
            f"{accept or 'all'}: pending proposals taken). humanseg run --project {folder} --pids {pid} --accept "
            f"{shell_arg(accept or 'all')} --out DIR trains on those again{first}")

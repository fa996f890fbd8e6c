"""``humanseg decide``: accept or reject the pending proposals of one person (one committed step), all of
them or those of chosen frames, or those scored below a value; ``--undecide`` takes accepted and rejected ones
back to pending; ``--list`` shows them (frame, status, score) and changes nothing."""

from __future__ import annotations

import argparse
import sys

from ..errors import HumansegError
from .common import pid_arg, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "decide", help="accept or reject the pending proposals of a person (all, or chosen frames), or take "
                       "decisions back",
        description="Set the *pending* proposals of one person to accepted or rejected: all of them, or only "
                    "those on --frames, or only those scored below --score-below; decisions already made "
                    "(accepted, rejected, edited) are kept, unless --undecide takes them back. E.g. reject two "
                    "bad frames, then accept the rest: --reject-all --frames 3330,3340, then --accept-all. --list "
                    "shows the person's proposals (frame, status, score, flags) to choose from, and changes "
                    "nothing. --undecide sets accepted and rejected ones back to pending (masks edited or "
                    "imported stay as they are).")
    p.add_argument("--project", required=True, help="project folder")
    p.add_argument("--pid", required=True, type=pid_arg, help="person id")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--accept-all", action="store_true",
                      help="accept the pending proposals (all, or as chosen), one a frame: the best-scored")
    what.add_argument("--reject-all", action="store_true", help="reject the pending proposals (all, or as chosen)")
    what.add_argument("--undecide", action="store_true",
                      help="set the accepted and rejected proposals (all, or as chosen) back to pending; masks "
                           "edited by hand or imported stay as they are")
    what.add_argument("--list", action="store_true",
                      help="list the person's proposals (frame, status, score, flags; as chosen) and change nothing")
    p.add_argument("--frames", default=None,
                   help="only these frames: a comma list with ranges, e.g. 3200,3250-3300 (default: every frame)")
    p.add_argument("--score-below", type=float, default=None,
                   help="only proposals scored below this (0-1; the score --list and the studio's Review tab show)")
    p.set_defaults(func=run)


def parse_frames(text: str) -> set[int]:
    """{frame} from "3200,3250-3300" (ranges inclusive); a clear error naming the bad part."""
    frames: set[int] = set()
    for part in (t.strip() for t in text.split(",")):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise HumansegError(f"--frames: {part!r} is not a frame number or a range like 3250-3300") from None
        if b < a:
            raise HumansegError(f"--frames: the range {part!r} ends before it starts")
        frames.update(range(a, b + 1))
    if not frames:
        raise HumansegError("--frames: no frame given")
    return frames


def run(args: argparse.Namespace) -> int:
    from ..project import Project

    status = "accepted" if args.accept_all else "pending" if args.undecide else "rejected"  # (unused with --list)
    if args.score_below is not None and not 0 < args.score_below <= 1:  # scores run 0..1 (nan fails too)
        raise HumansegError(f"--score-below: a score from 0 to 1, got {args.score_below}")
    frames = parse_frames(args.frames) if args.frames is not None else None
    from .common import note_studio_holder

    if not args.list:  # --list reads only: the note says a command writes
        note_studio_holder(args.project)
    with Project.open(args.project, reading=bool(args.list)) as project:
        if args.pid not in project.pids():
            from ..wording import id_list
            from ..workflows.labels import skipped_clause

            why = skipped_clause(project, args.pid)
            raise HumansegError(f"{args.project}: no proposals for person {args.pid}{why} "
                                f"(persons with proposals: {id_list(project.pids()) or 'none'})")
        every = project.proposals(args.pid, with_masks=False)
        if frames is not None:
            _note_frames_without_proposals(args.pid, args.frames, sorted({p.frame for p in every}))
        picked = [p for p in every if (frames is None or p.frame in frames)
                  and (args.score_below is None or p.score < args.score_below)]
        if args.list:
            return _list(args.pid, picked)
        if args.undecide:
            return _undecide(project, args.pid, picked)
        chosen = [int(p.id) for p in picked if p.id is not None and p.status == "pending"]
        # frames with no pending proposal left to decide (a frame with one still pending is decided by --frames: a
        # re-walk read "decided already and stays" beside "changed: 1" for it)
        pending_frames = {p.frame for p in picked if p.status == "pending"}
        decided = sorted({p.frame for p in picked if p.status != "pending"} - pending_frames)
        mixed = sorted({p.frame for p in picked if p.status != "pending"} & pending_frames)  # (a review: said)
        if args.accept_all and frames is None:  # another method's proposal on a frame decided already: a frame
            done = {p.frame for p in every if p.status != "pending"}  # the analyst rejected came back accepted
            held = sorted({p.frame for p in picked if p.status == "pending" and p.frame in done})
            chosen = [int(p.id) for p in picked if p.id is not None and p.status == "pending" and p.frame not in done]
            if held:
                from ..wording import id_list

                print(f"humanseg: note: person {args.pid}: the pending proposals on frame{'s' if len(held) > 1 else ''}"
                      f" {id_list(held, 8)}, decided already through another proposal, stay pending (--frames "
                      "names a frame to decide its proposals too; --list shows their sources)", file=sys.stderr)
        if args.accept_all:  # one label a frame, as training takes it: the best-scored pending proposal (a walk's
            chosen, others = _best_a_frame([p for p in picked if p.id is not None and int(p.id) in set(chosen)])
            if others:  # two methods' proposals on each frame were both accepted: 8 labels for 4 frames)
                n = len(others)
                print(f"humanseg: note: person {args.pid}: {n} pending proposal{'s' if n > 1 else ''}"
                      f" on frames that have another with a higher score stay{'' if n > 1 else 's'} pending (one "
                      "label a frame is accepted; --list shows them, the studio's Review tab decides between them)",
                      file=sys.stderr)
        if decided and frames is not None:  # a walk asked to reject an accepted frame: 'changed 0', no word why
            shown = ", ".join(map(str, decided[:10])) + (", …" if len(decided) > 10 else "")
            print(f"humanseg: note: person {args.pid}: frame{'s' if len(decided) > 1 else ''} {shown} "
                  f"{'are' if len(decided) > 1 else 'is'} decided already and stay{'' if len(decided) > 1 else 's'} "
                  "as decided (decide changes pending proposals only; --undecide takes a decision back, and the "
                  "studio's Review tab changes one, with undo)", file=sys.stderr)
        if mixed and frames is not None:
            shown = ", ".join(map(str, mixed[:10])) + (", …" if len(mixed) > 10 else "")
            print(f"humanseg: note: person {args.pid}: on frame{'s' if len(mixed) > 1 else ''} {shown} the pending "
                  "proposals are decided, and the ones decided before stay as they were", file=sys.stderr)
        if frames is None and picked and not any(p.status == "pending" for p in picked):  # a walk's --reject-all
            # after --accept-all: "changed 0", "status": "rejected", and no word that nothing was pending
            under = " under that score" if args.score_below is not None else ""
            print(f"humanseg: note: person {args.pid}: no pending proposal{under} to decide: every one is decided "
                  "already and stays so (decide changes pending proposals only; --undecide takes decisions back to "
                  "pending)", file=sys.stderr)
        changed = project.set_statuses(chosen, status)
        counts = project.counts(args.pid)
    print_json({"changed": changed, "pid": args.pid, "status": status, "counts": counts})
    return 0


def _undecide(project, pid: int, picked) -> int:
    """--undecide: the chosen accepted and rejected proposals back to pending; edited masks are kept (said)."""
    chosen = [int(p.id) for p in picked if p.id is not None and p.status in ("accepted", "rejected")]
    edited = sorted({p.frame for p in picked if p.status == "edited"})
    if edited:  # the analyst's own masks: not a decision to take back
        from ..wording import id_list

        print(f"humanseg: note: person {pid}: the masks edited or imported on frame{'s' if len(edited) > 1 else ''} "
              f"{id_list(edited, 8)} stay as they are (the studio's Edit ▸ Undo takes back an edit made since it "
              "opened the project)",
              file=sys.stderr)
    changed = project.set_statuses(chosen, "pending")
    print_json({"changed": changed, "pid": pid, "status": "pending", "counts": project.counts(pid)})
    return 0


def _best_a_frame(pending) -> tuple[list[int], list[int]]:
    """(the ids of the highest-scored proposal of each frame of ``pending``, the ids of the others)."""
    best: dict[int, object] = {}
    for p in pending:
        if p.frame not in best or p.score > best[p.frame].score:  # type: ignore[attr-defined]
            best[p.frame] = p
    kept = {int(p.id) for p in best.values()}  # type: ignore[attr-defined]
    return sorted(kept), sorted(int(p.id) for p in pending if int(p.id) not in kept)


def _note_frames_without_proposals(pid: int, text: str, have: list[int]) -> None:
    """A walk gave a trajectory frame number (9200) where the project's frames are the video's (0..): the
    command changed nothing without a word. Named: the single frames of ``text`` (--frames) without a proposal,
    and its ranges holding none (a range's frames between the annotated ones are expected: another walk's 40-60
    on a person annotated every 10 frames read "no proposal on frames 41, 42, 43, …")."""
    have_set = set(have)
    missing: list[str] = []
    for part in (t.strip() for t in text.split(",") if t.strip()):
        lo, sep, hi = part.partition("-")
        a, b = int(lo), int(hi) if sep else int(lo)
        if not any(a <= f <= b for f in have_set):
            missing.append(str(a) if a == b else f"{a}-{b}")
    if not missing:
        return
    shown = ", ".join(missing[:8]) + (f", … ({len(missing) - 8} more)" if len(missing) > 8 else "")
    where = f"its proposals are on frames {have[0]}..{have[-1]}" if have else "it has none"
    print(f"humanseg: note: person {pid} has no proposal on frame{'s' if len(missing) > 1 or '-' in shown else ''} "
          f"{shown} ({where}; frame numbers are the video's, as --list and the studio show)", file=sys.stderr)


def _list(pid: int, proposals) -> int:
    if not proposals:  # a header alone read as a broken listing
        print(f"humanseg: note: no proposal of person {pid} matches (--frames / --score-below)", file=sys.stderr)
    else:  # three decimals: 0.9975 and 0.988 both read 1.00 / 0.99 with two
        print(f"{'frame':>7} {'status':<9} {'score':>6}  {'source':<16} flags", file=sys.stderr)
    for p in proposals:
        print(f"{p.frame:>7d} {p.status:<9} {p.score:6.3f}  {p.source:<16} {','.join(p.flags)}", file=sys.stderr)
    print_json({"pid": pid, "proposals": [{"frame": p.frame, "status": p.status, "score": round(float(p.score), 4),
                                           "source": p.source, "flags": list(p.flags)} for p in proposals]})
    return 0

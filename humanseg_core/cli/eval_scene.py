"""``humanseg eval-scene``: score every person of a scene at once (J, F, leakage, identity switches,
HOTA / sMOTSA / IDF1 through TrackEval).  Per-person table on stderr; the last stdout line is JSON
``{"scene": {...}, "per_person": {pid: {...}}}``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..metrics import DEFAULT_BOUND_TH
from .common import bound_arg, print_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval-scene", help="score all persons' masks of a scene (J, F, leakage, HOTA, sMOTSA, IDF1)",
        description="Score predicted masks of many persons against ground truth. davis: --pred holds "
                    "<pid>/%05d.png (humanseg run); mots: a MOTS export (instances.txt + pids.json). --gt-root "
                    "holds <pid>/%05d.png (a scene's gt/ folder) or a MOTS folder. Per person: J and F are means "
                    "over the frames that person has ground truth on (a prediction elsewhere does not lower "
                    "them; HOTA, sMOTSA and IDF1 count it); leakage: the share of its predicted pixels that lie "
                    "on other persons' ground truth; on_other: frames where its mask lies mostly on another "
                    "person. The scene's J and F are unweighted means over the persons (J_person_frames: over every "
                    "person-frame). The JSON also records "
                    "what was scored and how (pred, gt_root, format, bound_th, frame_offset, version).")
    p.add_argument("--pred", required=True, help="predicted masks: folder of <pid>/ folders, or a MOTS folder")
    p.add_argument("--gt-root", required=True, help="ground truth: folder of <pid>/ folders (e.g. scene/gt)")
    p.add_argument("--format", dest="fmt", choices=["auto", "davis", "mots", "coco", "palette"], default="auto",
                   help="format of --pred: auto (the default) reads a MOTS export by its instances.txt, a COCO "
                        "export by its annotations.json, a palette export by its pids.json, else a folder per "
                        "person (ground truth in MOTS is recognised by its instances.txt)")
    p.add_argument("--bound-th", type=bound_arg, default=DEFAULT_BOUND_TH,
                   help="boundary tolerance (as eval): a fraction of the diagonal, pixels when >= 1, or 'person'")
    p.add_argument("--pids", default=None,
                   help="'all' (every person of the ground truth) or the persons to score, e.g. 76,77 (default: the "
                        "persons the prediction's export.json says were chosen: a run's --pids, an export's persons; "
                        "else all)")
    p.add_argument("--frame-offset", type=int, default=None,
                   help="the prediction of ground-truth frame F is the mask of frame F + offset (a video file "
                        "numbers its frames from 0, a scene's ground truth keeps the trajectories' numbers: as "
                        "the project's --frame-offset; default: the offset the prediction's export.json records, "
                        "else 0)")
    p.add_argument("--only-predicted", action="store_true",
                   help="score only the frames that hold a prediction, each person over the frames it has a mask "
                        "on (proposals or labels of the annotated frames), instead of counting the others as empty")
    p.add_argument("--all-gt-frames", action="store_true",
                   help="score every ground-truth frame, also those outside the video the run read (by default a "
                        "run's export.json names its video, and only its frames are scored)")
    p.add_argument("--quiet", action="store_true", help="no per-person table on stderr (the scene's line stays)")
    p.set_defaults(func=run)


def _lined_up(pred: Mapping, gt: Mapping, offset: int) -> int:
    """How many (person, frame) pairs of ``pred`` meet one of ``gt`` when ``pred``'s frame f is ``gt``'s f - offset."""
    return sum(len({f - offset for f in frames} & set(gt.get(p, ()))) for p, frames in pred.items())


def _within_video(doc: Mapping, gt: dict, offset: int, where: Path) -> dict:
    """``gt`` without the frames outside the video a run's export.json names (ground-truth frame g is video frame
    g + offset), said; as it was when the export names none, or its video cannot be opened."""
    from ..errors import HumansegError
    from ..inputs.frames import open_frames

    inputs = doc.get("inputs")
    video = inputs.get("video") if isinstance(inputs, dict) else None
    if not isinstance(video, str) or not Path(video).exists():
        return gt
    try:
        frames = open_frames(video)
    except (HumansegError, OSError):
        return gt
    try:
        have = set(frames.indices)
    finally:
        frames.close()
    kept = {pid: {g: m for g, m in fs.items() if g + offset in have} for pid, fs in gt.items()}
    if not any(kept.values()):  # none at all: the offset is wrong, not the clip short; said where nothing lines up
        return gt  # (a walk's --frame-offset 0 scored 0 persons, J 0, exit 0)
    gone = [g + offset for fs in gt.values() for g in fs if g + offset not in have]
    if gone:  # beyond the video's ends, or on frames missing inside it (a walk's folder lacked 3 frames: "outside")
        from ..wording import id_list

        lo, hi = min(have), max(have)
        missing = [f for f in gone if lo < f < hi]
        said = ([f"{len(gone) - len(missing)} beyond its frames {lo}..{hi}"] if len(missing) < len(gone) else []) + (
            [f"{len(missing)} on frames missing inside them ({id_list(sorted(set(missing)), 5)})"] if missing else [])
        print(f"humanseg: note: {len(gone)} ground-truth masks (of every person there) lie on frames the video "
              f"{where} names does not have: {', '.join(said)}; not scored (--all-gt-frames scores them)",
              file=sys.stderr)
    return {pid: fs for pid, fs in kept.items() if fs}


def _overlap(pred: Mapping, gt: Mapping, offset: int, most: int = 24) -> float:
    """The mean IoU of up to ``most`` (person, frame) pairs lined up with ``offset`` (as :func:`_lined_up`)."""
    import numpy as np

    from ..metrics import read_mask

    def mask(value):
        return read_mask(value) if isinstance(value, (str, Path)) else np.asarray(value, bool)

    pairs = [(p, f) for p, frames in pred.items() for f in frames if f - offset in gt.get(p, {})]
    ious = []
    for p, f in pairs[:: max(1, len(pairs) // most)][:most]:
        a, b = mask(pred[p][f]), mask(gt[p][f - offset])
        if a.shape == b.shape:
            ious.append(float((a & b).sum()) / max(1.0, float((a | b).sum())))
    return float(np.mean(ious)) if ious else 0.0


def _recorded_offset(doc: Mapping, pred: Mapping, gt: Mapping, where: Path) -> int:
    """The frame offset a run's export.json records (its masks are named by video frame, trajectory frame f being
    video frame f + offset), when the ground truth is named by trajectory frame: where it lines up more masks than
    none, or as many (sparse ground truth) and they overlap more. A scene's gt/ named by video frame, as the masks,
    takes none (a walk's obsmat run, -1: J 0.600 for 0.720)."""
    inputs = doc.get("inputs")  # export.json: {"inputs": {"frame_offset": …}}
    offset = inputs.get("frame_offset") if isinstance(inputs, dict) else None
    if not isinstance(offset, int) or isinstance(offset, bool) or not offset:
        return 0
    with_it, without = _lined_up(pred, gt, offset), _lined_up(pred, gt, 0)
    if with_it == without and with_it:  # as many either way (every 10th frame in the truth): the overlap decides
        apply = _overlap(pred, gt, offset) >= _overlap(pred, gt, 0)
    else:
        apply = with_it > without or not with_it  # nothing lines up either way: as recorded (said below)
    if not apply:
        print(f"humanseg: note: the masks' frames line up with the ground truth's as they are named; the frame offset "
              f"{offset} that {where} records is not applied (--frame-offset {offset} applies it)", file=sys.stderr)
        return 0
    near = _nearby_offset(pred, gt, offset)
    if near != offset:
        print(f"humanseg: note: frame offset {near}: the masks line up with the ground truth there, not at the "
              f"{offset} {where} records: the ground truth is numbered {abs(near - offset)} frame"
              f"{'s' if abs(near - offset) > 1 else ''} off the trajectories as the run read them (a file numbered "
              "from 1, e.g. an obsmat, or an offset found in the video a frame or two off); scored at "
              f"{near}, where they line up (--frame-offset {offset} scores with the recorded one)", file=sys.stderr)
        return near
    print(f"humanseg: note: frame offset {offset}, as {where} records (--frame-offset sets another)", file=sys.stderr)
    return offset


def _given_offset_note(doc: Mapping, pred: Mapping, gt: Mapping, given: int, where: Path) -> None:
    """A note when ``--frame-offset`` differs from the offset ``where`` records and the masks line up clearly better
    (by :data:`NEARBY_GAIN` mean IoU) at the recorded one: a walk's -5299 for the recorded -5300 scored J 0.646
    for 0.783 without a word. The given one is still used."""
    inputs = doc.get("inputs")
    recorded = inputs.get("frame_offset") if isinstance(inputs, dict) else None
    if not isinstance(recorded, int) or isinstance(recorded, bool) or recorded == given:
        return
    if _lined_up(pred, gt, recorded) < max(NEARBY_PAIRS, NEARBY_SHARE * _lined_up(pred, gt, given)):
        return
    theirs, mine = _overlap(pred, gt, recorded, most=48), _overlap(pred, gt, given, most=48)
    if theirs >= mine + NEARBY_GAIN:
        print(f"humanseg: note: --frame-offset {given} is used; the masks line up better with the ground truth at "
              f"the {recorded} that {where} records (mean IoU {theirs:.2f} against {mine:.2f}): leave --frame-offset "
              "out to take that one", file=sys.stderr)


NEARBY = 2  # frames either side of a recorded offset that eval-scene tries
NEARBY_GAIN = 0.05  # the mean IoU by which a nearby offset must line the masks up better to be taken
NEARBY_PAIRS = 8  # (person, frame) pairs a nearby offset must line up, and ...
NEARBY_SHARE = 0.8  # ... this share of those the recorded one lines up


def _nearby_offset(pred: Mapping, gt: Mapping, offset: int) -> int:
    """The recorded ``offset`` or one within :data:`NEARBY` frames of it where the masks overlap the ground truth
    clearly better (by :data:`NEARBY_GAIN` mean IoU). A run whose offset was found in the video a frame off names
    its masks rightly by the video's frames; scored a frame apart, a walk's J read 0.480 for 0.597."""
    at = _lined_up(pred, gt, offset)  # an offset lining up far fewer masks cannot win by a lucky few (a review)
    scores = {d: _overlap(pred, gt, d, most=48) for d in range(offset - NEARBY, offset + NEARBY + 1)
              if _lined_up(pred, gt, d) >= max(NEARBY_PAIRS, NEARBY_SHARE * at)}
    if offset not in scores:
        return offset
    best = max(scores, key=lambda d: (scores[d], -abs(d - offset)))
    return best if scores[best] >= scores[offset] + NEARBY_GAIN else offset


def run(args: argparse.Namespace) -> int:
    from ..checks import positive
    from ..scene_metrics import coco_sets, davis_sets, evaluate_scene, mots_sets, palette_sets, pred_format

    if args.bound_th is not None:  # None: 'person'
        positive(args.bound_th, "--bound-th")
    if args.fmt == "auto":  # a walk's MOTS output was refused until --format mots was added
        args.fmt = pred_format(Path(args.pred))
        if args.fmt != "davis":
            name = {"mots": "a MOTS", "coco": "a COCO", "palette": "a palette"}.get(args.fmt, f"a {args.fmt}")
            print(f"humanseg: note: {args.pred}: {name} export (--format sets another)",
                  file=sys.stderr)
    readers = {"mots": mots_sets, "coco": coco_sets, "palette": palette_sets}
    pred: dict[int, dict[int, Any]] = dict(readers[args.fmt](args.pred) if args.fmt in readers
                                           else davis_sets(args.pred, "prediction"))
    gt_root = Path(args.gt_root)
    # the export's folder, also where --pred names its MOTS or COCO file (a re-walk: the file form scored all 11
    # persons of the truth where the folder's export.json chose 2)
    folder = Path(args.pred) if not Path(args.pred).is_file() else Path(args.pred).parent
    if (gt_root / ".humanseg-export").is_file() and not (folder / ".humanseg-export").is_file():
        print(f"humanseg: warning: {gt_root} is an export of this tool (its .humanseg-export stamp) and {args.pred} "
              "is not: are --pred and --gt-root swapped?", file=sys.stderr)  # a walk's were, scored without a word
    notes: list[str] = []
    mots_gt = (gt_root / "instances.txt").is_file() or (gt_root.is_file() and gt_root.suffix.lower() == ".txt")
    gt = mots_sets(gt_root, notes) if mots_gt else davis_sets(gt_root, "ground truth")  # (a walk gave the file)
    for note in notes:
        print(f"humanseg: note: {note}", file=sys.stderr)
    apart = ids_apart(pred, gt, Path(args.pred), gt_root)  # said once the persons scored are known
    _check_sizes(pred, gt)
    doc = _export_doc(folder)  # read once: the offset, the persons chosen, how the masks were made
    given_offset = args.frame_offset
    if args.frame_offset is None:  # a walk's run on a video file recorded -5300; eval-scene asked for it again
        args.frame_offset = _recorded_offset(doc, pred, gt, folder / "export.json")
    else:
        _given_offset_note(doc, pred, gt, args.frame_offset, folder / "export.json")
    if args.frame_offset:
        pred = {pid: {f - args.frame_offset: m for f, m in frames.items()} for pid, frames in pred.items()}
    if not args.all_gt_frames:  # a walk's 60-frame clip of a 250-frame scene scored J 0.219 for 0.817
        gt = _within_video(doc, gt, args.frame_offset, folder / "export.json")
    if args.pids is None:  # a walk scored its 4-person export against all 17 persons of the scene: J 0.124
        args.pids, chosen = chosen_pids(folder, gt, doc)
        if chosen:
            print(f"humanseg: note: {chosen}; --pids all scores every person of the ground truth", file=sys.stderr)
    wanted = None
    if args.pids.strip().lower() != "all":
        from .common import parse_pids

        wanted = set(parse_pids(args.pids, gt, f"the ground truth {gt_root}"))
    errors = []  # said last, after any table (a re-walk read the error above "scene: 11 persons, J&F 0.000")
    if apart:  # the exit status of an error; the scores by overlap still come, of every person only (a review)
        errors.append(f"humanseg: error: {apart}" + ("" if wanted is None else ": --pids leaves out every "
                                                     "prediction, so they score 0 too"))
    from ..metrics import frames_apart_hint, person_offset
    from ..wording import plural

    mine = {p: frames for p, frames in pred.items() if wanted is None or p in wanted}
    theirs = {p: frames for p, frames in gt.items() if wanted is None or p in wanted}
    lag = person_offset(mine, theirs)
    hint = frames_apart_hint((f for frames in mine.values() for f in frames),
                             (f for frames in theirs.values() for f in frames),
                             None if lag is None else lag + args.frame_offset)  # the whole offset, given one included
    # no person in common: another scene's truth, likelier than an offset (a walk was advised --frame-offset 1600)
    if hint and not apart:  # an error's exit status, as eval: a script must not record these J 0 (lined_up false)
        shifted = f" (the predictions' frames are counted after the frame offset {args.frame_offset})" \
            if args.frame_offset else ""
        errors.append(f"humanseg: error: {args.pred}: {hint}{shifted}; every person counts J 0")
    if not args.quiet and not hint:  # the scoring takes tens of seconds on a 200-frame scene: say so first (a walk
        # waited 30 s); not after the error that nothing lines up (a re-walk read it followed by "scoring 2 persons")
        n_frames = len({f for s in ((pred,) if args.only_predicted else (pred, gt)) for frames in s.values()
                        for f in frames})
        n_persons = len(gt) if wanted is None else len(wanted)
        print(f"scoring {plural(n_persons, 'person')} over {plural(n_frames, 'frame')} "
              "(J, F, leakage, then HOTA / sMOTSA / IDF1)…", file=sys.stderr, flush=True)
    res = evaluate_scene(pred, gt, bound_th=args.bound_th, only=wanted, only_predicted=args.only_predicted)
    unpredicted = sorted(p for p, r in res["per_person"].items() if not r["predicted"])
    if unpredicted and len(unpredicted) < len(res["per_person"]):
        from ..wording import id_list

        among = "persons asked for (--pids)" if wanted is not None else "persons of the ground truth"
        print(f"humanseg: note: {len(unpredicted)} of the {len(res['per_person'])} {among} have "
              f"no prediction and count J 0 ({id_list(unpredicted, 10)}); to score only the others: --pids "
              f"{','.join(str(p) for p in sorted(set(res['per_person']) - set(unpredicted)))}", file=sys.stderr)
    # nothing lined up: not "only some frames"
    sparse = "" if hint or args.only_predicted else _missing_frames(pred, gt, wanted, folder,
                                                                    args.frame_offset)
    if sparse:  # a walk scored an export of the 20 labels against 200 frames: J 0.055, nothing said
        print(f"humanseg: note: {sparse}", file=sys.stderr)
    if not args.quiet and not hint:  # nothing lined up: a table of zeros under the error says nothing more (a walk)
        err = sys.stderr
        # "on other": frames where the person's mask lies mostly on another person's ground truth (JSON
        # identity_switches); TrackEval's IDSW (switches of the matched track id) is another count
        # columns a reader can tell apart ('leak on other frames' read as one phrase)
        print(f"{'pid':>6} {'J':>6} {'F':>6} {'leakage':>8} {'on_other':>8} {'gt_frames':>9}", file=err)
        for pid, r in res["per_person"].items():
            note = "" if r["predicted"] else "  (no prediction)"
            print(f"{pid:>6} {r['J']:6.3f} {r['F']:6.3f} {r['leakage']:8.3f} {r['identity_switches']:8d} "
                  f"{r['frames']:9d}{note}", file=err)
    s = res["scene"]  # the scene's line, --quiet too (it hid the summary with the table, a walk); not its zeros
    if not hint:  # (none when nothing lines up)
        print(f"scene: {plural(s['persons'], 'person')}, J&F {s['JF_mean']:.3f} (J {s['J_mean']:.3f}, "
          f"F {s['F_mean']:.3f}), "
          f"frames on another person {s['identity_switches']} (JSON identity_switches; TrackEval's own identity "
          f"switches of matched tracks, IDSW: {s.get('IDSW', 'n/a')}), "
              f"HOTA {s.get('HOTA', float('nan')):.3f}, "
              f"sMOTSA {s.get('sMOTSA', float('nan')):.3f}, IDF1 {s.get('IDF1', float('nan')):.3f}",
              file=sys.stderr, flush=True)
    lenient = lenient_f_note(res["scene"]) if not hint else ""
    if lenient:
        print(f"humanseg: note: {lenient}", file=sys.stderr)
    extra = res["scene"].get("extra_predicted") or []
    # counted by HOTA / sMOTSA / IDF1 as false positives; J and F have no ground truth for them (no id in common:
    # said above; a review read "false positives" beside HOTA 1.000)
    if extra and not apart:
        from ..wording import id_list

        print(f"humanseg: note: {args.pred}: {len(extra)} predicted person(s) not in the ground truth "
              f"({id_list(extra, 10)}): false positives for HOTA, sMOTSA and IDF1, outside J and F", file=sys.stderr)
    shared = res["scene"].get("shared_pixels", 0)
    if shared:  # each such pixel is scored for every person claiming it (a walk's DAVIS and MOTS exports differed)
        print(f"humanseg: warning: {args.pred}: {shared} predicted pixels on {res['scene']['shared_frames']} frames "
              "belong to two or more persons; each is scored for every person claiming it (a MOTS export gives it "
              "to one: export both formats from the project to score alike)", file=sys.stderr)
    from .. import __version__

    res["scored"] = {"pred": str(Path(args.pred).absolute()), "gt_root": str(gt_root.absolute()),
                     "format": args.fmt, "bound_th": "person" if args.bound_th is None else args.bound_th,  # (a
                     "frame_offset": args.frame_offset,  # walk read null: how F was scored not said)
                     **_offset_origin(doc, given_offset, args.frame_offset),
                     "only_predicted": bool(args.only_predicted),
                     "pids": args.pids, "version": __version__, "lined_up": not hint, "ids_in_common": not apart,
                     "pred_made": _made(doc)}
    if args.fmt == "mots":  # a MOTS export numbered from 0 or 1: the shift taken back, said
        from ..scene_metrics import time_frame_shift

        pred_dir = Path(args.pred) if Path(args.pred).is_dir() else Path(args.pred).parent  # as mots_sets reads it
        res["scored"]["time_frame_shift"] = time_frame_shift(pred_dir)
    print_json(res)
    for error in errors:  # after the JSON's zeros too, where a reader's eye lands (a re-walk)
        print(error, file=sys.stderr, flush=True)
    return 1 if hint or apart else 0


def ids_apart(pred: Mapping, gt: Mapping, pred_path: Path, gt_root: Path) -> str:
    """The error when a prediction and a ground truth have no person id in common, else "": every person counts J 0,
    while HOTA, sMOTSA and IDF1 match by overlap and still score (a walk's MOTS ground truth kept its ids 2001…,
    the export its person ids; a review: another tracker's MOTS output has ids of its own)."""
    if not pred or not gt or set(pred) & set(gt):
        return ""
    from ..wording import id_list

    mots = [f"{where}" for where in (gt_root, pred_path if pred_path.is_dir() else pred_path.parent)
            if (where / "instances.txt").is_file() and not (where / "pids.json").is_file()]
    how = (f"; a MOTS file numbered by class (2001 = class 2, instance 1) takes a pids.json beside its instances.txt "
           f"mapping its ids to the trajectory's person ids, as `humanseg export --format mots` writes "
           f"({' and '.join(mots)} {'has' if len(mots) == 1 else 'have'} none)") if mots else ""
    return (f"{pred_path} and {gt_root} have no person id in common (predicted {id_list(pred, 6)}; ground truth "
            f"{id_list(gt, 6)}): J and F compare each person with its own ground truth and count 0 here; HOTA, "
            f"sMOTSA and IDF1 match by overlap{how}; is {gt_root} this scene's ground truth?")


def _check_sizes(pred: Mapping, gt: Mapping) -> None:
    """One mask of each side read first: masks of two sizes are of two videos, refused before an offset is advised
    between them (a walk's other scene was first told to try --frame-offset -6580)."""
    from ..scene_metrics import mask_of, mask_words, sizes_apart

    firsts = []
    for side, sets in enumerate((gt, pred)):
        pid = next((p for p in sorted(sets) if sets[p]), None)
        if pid is None:
            return
        frame = min(sets[pid])
        item = sets[pid][frame]
        firsts.append((mask_words(side, pid, frame, item), mask_of(item).shape))
    (gwhat, gshape), (pwhat, pshape) = firsts
    if gshape != pshape:
        raise sizes_apart(pwhat, pshape, gwhat, gshape)


def _offset_origin(doc: Mapping, given: int | None, used: int) -> dict:
    """Where the frame offset scored with came from, for the JSON: given, recorded in export.json, or moved from the
    recorded one by the masks' overlap (a script comparing runs sees it; a review)."""
    if given is not None:
        return {"frame_offset_from": "given"}
    inputs = doc.get("inputs")
    recorded = inputs.get("frame_offset") if isinstance(inputs, dict) else None
    if not isinstance(recorded, int) or isinstance(recorded, bool) or not recorded:
        return {"frame_offset_from": "none"}
    if used == recorded:
        return {"frame_offset_from": "export.json"}
    return {"frame_offset_from": "overlap" if used else "none", "frame_offset_recorded": recorded}


def _missing_frames(pred: dict, gt: dict, wanted: set | None, folder: Path | None = None, offset: int = 0) -> str:
    """A note when the predicted persons lack a mask on some of their ground-truth frames (each counts as an
    empty mask there, J 0), or "": which ones, those the prediction's ``skipped_frames.json`` names as unreadable
    (``folder``; its frames are the video's, ground-truth frame + ``offset``), and when most are missing, why an
    export may hold only some frames."""
    missing: dict[int, list[int]] = {}
    total = 0
    for pid, frames in gt.items():
        if (wanted is not None and pid not in wanted) or not pred.get(pid):
            continue
        total += len(frames)
        gaps = sorted(f for f in frames if f not in pred[pid])
        if gaps:
            missing[pid] = gaps
    n = sum(len(g) for g in missing.values())
    if not n:
        return ""
    which = "; ".join(f"person {pid}: {', '.join(map(str, gaps[:4]))}{', …' if len(gaps) > 4 else ''}"
                      for pid, gaps in list(sorted(missing.items()))[:4]) + ("; …" if len(missing) > 4 else "")
    text = (f"{n} of the predicted persons' {total} ground-truth frames {'has' if n == 1 else 'have'} no predicted "
            f"mask and count{'s' if n == 1 else ''} as empty (J 0 where the person is seen): {which}")
    unreadable = _unreadable_frames(folder) if folder is not None else {}
    named = sorted({f for gaps in missing.values() for f in gaps if f + offset in unreadable})
    if named:  # a walk's damaged JPEG was explained as "an export of the labels"
        text += (f". The prediction's skipped_frames.json names {len(named)} of these frames unreadable in the "
                 f"video: {', '.join(str(f + offset) for f in named[:6])}"
                 f"{', …' if len(named) > 6 else ''}")
    if n > total / 2:
        text += (". The prediction holds only some frames (an export of the labels, --source accepted, holds the "
                 "annotated frames only; a run or --source results, every frame); --only-predicted scores those "
                 "frames alone")
    return text


def _unreadable_frames(folder: Path) -> dict[int, str]:
    """{video frame: reason} of a prediction folder's ``skipped_frames.json`` (every export and run writes one
    when a frame could not be read), {} without one."""
    import json

    from ..export.skipped import SKIPPED_FILE

    try:
        entries = json.loads((Path(folder) / SKIPPED_FILE).read_text(encoding="utf-8"))
        return {int(e["frame"]): str(e.get("reason", "")) for e in entries}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def lenient_f_note(scene: dict, share: float = 0.1) -> str:
    """A note when F's boundary tolerance is a large share of the persons' height (a walk's 24 px persons:
    7 px, J 0.38 read as J&F 0.65; another's 65 px persons: 7.8 px, F 1.000 at J 0.883), else ''."""
    bound, height = scene.get("bound_px"), scene.get("median_height_px") or 0
    if not bound or not height or bound < share * height:
        return ""
    return (f"F counts a boundary within {bound} px, {bound / height:.0%} of these persons' median height "
            f"({height} px): F and J&F are lenient here; --bound-th person scales the tolerance to each person")


def chosen_pids(pred: Path, gt, doc: dict) -> tuple[str, str]:
    """(--pids, the note saying so) for the persons ``pred``'s ``export.json`` (``doc``) says were chosen: a
    run's ``made.pids``, else an export's ``persons`` (those of the ground truth); ("all", "") without one."""
    if not doc:
        return "all", ""
    made = doc.get("made") if isinstance(doc.get("made"), dict) else None
    chosen = made.get("pids", "all") if made is not None else doc.get("persons", "all")
    if not isinstance(chosen, list):
        return "all", ""
    known = sorted({int(p) for p in chosen if str(p).lstrip("-").isdigit()} & {int(p) for p in gt})
    if not known or len(known) == len(gt):
        return "all", ""
    from ..wording import id_list, plural

    return ",".join(map(str, known)), (f"scoring the {plural(len(known), 'person')} {pred / 'export.json'} names "
                                       "as chosen "
                                       f"({id_list(known, 10)}), of the ground truth's {len(gt)}")


def _export_doc(pred: Path) -> dict:
    """The ``export.json`` an export or ``humanseg run`` wrote in ``pred``, {} without a readable one."""
    import json

    try:
        doc = json.loads((pred / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _made(doc: dict) -> dict | None:
    """How the predictions were made, from the ``export.json`` (``doc``) an export or ``humanseg run`` wrote
    (``made`` of a run: refine, backend, budget…; else the export's format and source); None without one."""
    if not doc:
        return None
    return doc.get("made") or {k: doc.get(k) for k in ("format", "source", "runs") if k in doc}

"""Labels from outside the proposal step: a DAVIS-style folder of masks, or a fixed segmentation result.

Both become *edited* proposals of the person (source ``import`` / ``correction``), which count as accepted
labels for training and keep the store's decision history (an earlier label of the same source is
replaced through ``set_mask``, so its old mask stays in the history).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from ..errors import HumansegError
from ..jobs import CancelToken, Progress
from ..proposals.association import default_threshold, point_box_distance
from ..records import HAND_SOURCE, HIDDEN_BEHIND, SKIPPED_FLAG, Proposal
from ..wording import id_list, plural, reasons_text, unknown_person

if TYPE_CHECKING:
    from ..project import Project
    from .scene_config import AcceptPolicy

IMPORT_SOURCE = "import"
CORRECTION_SOURCE = "correction"
_NUMBER = re.compile(r"(\d+)")
# without --value, a mask whose non-zero levels are several and all below this is an index map of persons
# (palette indices, or grey levels 1, 2, 3 …); a soft or anti-aliased binary mask reaches 255
MANY_PERSONS_BELOW = 128


@dataclass
class ImportSummary:
    imported: list[int] = field(default_factory=list)  # frames added as labels
    empty: list[int] = field(default_factory=list)  # frames whose mask holds no pixel of the value (skipped)
    # pending proposals of the person on the imported frames, rejected: the imported mask is the label there
    # (kept in the project; Review can still accept one)
    set_aside: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)  # frames whose earlier label of the analyst's it replaced
    outside_span: list[int] = field(default_factory=list)  # frames outside the person's track (training skips them)
    ignored: list[str] = field(default_factory=list)  # files of the folder that are not PNG masks (not read)
    # frames whose mask lies farther from the person's track point than the proposals match a box within (40 px at
    # 720x576): imported, said (another person's mask, or another frame numbering)
    far: list[int] = field(default_factory=list)
    far_px: float = 0.0  # that distance, px
    superseded: list[int] = field(default_factory=list)  # the frames' other labels (proposal ids): rejected, kept
    kept_in: str = ""  # where the replaced labels' masks were written (PNGs an import takes back), "" none replaced
    # refused, nothing stored: half or more of the ``placed`` masks with pixels (``off_track``) lie farther than
    # ``far_px`` from the track point, or where the person has none (another person's masks?); ``force`` takes them
    off_track: list[int] = field(default_factory=list)
    placed: int = 0
    # refused, nothing stored: the folder is named for another person of the trajectories (gt/260 given for 257: a
    # walk's crowd, where the masks lie near enough the track to pass the check above); ``force`` takes them
    named: int | None = None
    # the masks numbered as the trajectory file numbers its frames (a recording's clock, the project reading it
    # with a frame offset): how they were read ("" as the video's frames)
    renumbered: str = ""
    # the person's index read from the ``pids.json`` beside palette masks (a palette export), "" when not
    value_from: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.off_track) or self.named is not None

    def refused_text(self, pid: int, folder: str | Path) -> str:
        if self.named is not None:
            return (f"{folder}: the folder is named for person {self.named}, and its masks would be person {pid}'s "
                    "labels: nothing was imported")
        return (f"{folder}: {len(self.off_track)} of these {self.placed} masks lie more than {self.far_px:.0f} px from "
                f"person {pid}'s track point or outside its track: another person's masks, or another frame "
                "numbering? Nothing was imported")


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def skipped_text(project: Project, pid: int) -> str:
    """Why the person's annotated frames got no proposal, counted by kind ("4 points outside the image"), or
    "" when none was skipped: said where a person without labels would otherwise send the analyst in circles."""
    return reasons_text(project.skips(pid))


def skipped_clause(project: Project, pid: int) -> str:
    """": its annotated frames were skipped (<why>)" to end a message about a person without proposals, or ""
    (the one wording of train, run and decide)."""
    why = skipped_text(project, pid)
    return f": its annotated frames were skipped ({why})" if why else ""


def why_no_labels(project: Project, pid: int, proposals: Iterable[Proposal], accept: AcceptPolicy) -> str:
    """": <why>" to end a message about a person with no label under ``accept``: its proposals not reviewed yet
    under Accept reviewed (a walk read only its skipped frames' reason), else :func:`skipped_clause`."""
    pending = sum(1 for p in proposals if p.status == "pending")
    if accept.kind == "reviewed" and pending:
        skipped = skipped_text(project, pid)
        return (f": {plural(pending, 'proposal')} not reviewed yet (accept or edit them in Review, or run with "
                "--accept score>=0.7)") + (f"; its annotated frames were skipped ({skipped})" if skipped else "")
    return skipped_clause(project, pid)


def set_label(project: Project, pid: int, frame: int, mask: np.ndarray, source: str) -> int:
    """Store ``mask`` as an edited (accepted) label of ``pid`` on ``frame``; returns the proposal id."""
    mask = np.asarray(mask, bool)
    box = _box(mask) if mask.any() else (0, 0, 0, 0)
    p = Proposal(frame=int(frame), pid=int(pid), box=box, mask=mask, source=source, flags=[source])
    project.add_proposals([p])  # a new row, or the stored one (its decision kept)
    assert p.id is not None  # add_proposals gives it its row id
    project.set_mask(p.id, mask, status="edited")  # either way: this mask, edited; the old one to history
    return int(p.id)


def read_mask_file(path: Path, value: int | None, size: tuple[int, int]) -> np.ndarray:
    """A bool mask from a PNG: pixels equal to ``value`` (palette index / grey level), or non-zero.

    Without ``value``, a mask holding several persons (a palette PNG with more than one index in use, or
    an index map of a few small grey levels) is an error naming the indices: every non-zero pixel would
    make the whole crowd one person's label."""
    img = _levels(path, palette_required=value is not None)
    h, w = img.shape[:2]
    if (w, h) != size:
        raise HumansegError(f"{path}: mask is {w}x{h} but the video frames are {size[0]}x{size[1]}")
    if value is None:
        used = [int(v) for v in np.unique(img) if v != 0]
        if len(used) > 1 and max(used) < MANY_PERSONS_BELOW:
            raise HumansegError(f"{path}: this mask holds {len(used)} persons (indices {id_list(used, 8)}): choose the "
                                "person's index (humanseg import --value N; the studio's Import Masks asks)")
    return img == value if value is not None else img > 0


def mask_indices(path: Path) -> list[int]:
    """The non-zero palette indices or grey levels a mask PNG uses (what ``--value`` may pick)."""
    return [int(v) for v in np.unique(_levels(path)) if v != 0]


def _levels(path: Path, palette_required: bool = False) -> np.ndarray:
    """A mask PNG's levels: palette indices of a palette PNG (OpenCV expands palettes to colours, so PIL
    reads them), else the grey level (a colour PNG as grey unless ``palette_required``: an error)."""
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise HumansegError(f"{path}: not a readable image")
    if img.ndim == 3 and img.shape[2] == 4 and np.ptp(img[:, :, :3]) == 0 and np.ptp(img[:, :, 3]) > 0:
        return img[:, :, 3]  # one colour, the mask drawn in its alpha (a walk's RGBA read as empty)
    if img.ndim == 3:
        indices = _palette_index(path, img, required=palette_required)
        img = indices if indices is not None else cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2GRAY)
    return img


def _palette_index(path: Path, img: np.ndarray, required: bool = True) -> np.ndarray | None:
    """The palette indices of a palette PNG; None for another colour PNG unless ``required`` (an error)."""
    from PIL import Image  # palette indices need PIL (OpenCV expands palettes to colours)

    with Image.open(path) as im:
        if im.mode != "P":
            if not required:
                return None
            raise HumansegError(f"{path}: --value needs a palette or single-channel PNG (this one is {im.mode})")
        return np.asarray(im)


_NAMED = re.compile(r"^(?:(?:person|pid|p|id)[ _-]?(\d+)|[_-]?(\d+))$", re.IGNORECASE)


def _named_pid(folder: Path) -> int | None:
    """The person id a mask folder is named for (``260``, ``0260``, ``person_260``, ``p260``), or None: KITTI-MOTS's
    ``instances/0002`` is a sequence's number (a review: read as person 2's, its import was refused), while a
    zero-padded person's folder elsewhere still is one (a second review), and so is ``instances/260`` (a third:
    another person's masks went in without the question)."""
    hit = _NAMED.match(folder.name)
    if hit is not None and hit.group(2) and folder.parent.name.lower() == "instances" and \
            len(hit.group(2)) == 4 and hit.group(2).startswith("0"):
        return None
    return None if hit is None else int(hit.group(1) or hit.group(2))


def import_masks(project: Project, pid: int, folder: str | Path, value: int | None = None,
                 cancel: CancelToken | None = None, force: bool = False
                 ) -> Generator[Progress, None, ImportSummary]:
    """Job: add the ``%05d.png`` masks of ``folder`` as accepted (edited) labels of person ``pid``; the
    person's pending proposals on those frames are rejected (kept: the summary's ``set_aside``), so review and
    ``decide --accept-all`` do not offer a second label there.

    ``value``: the palette index / grey level of the person (default: every non-zero pixel). Frames are
    read from the file names; a frame the video does not have, or a size that differs from the video's,
    is an error naming the file (nothing is stored then). Most masks far from the person's track point: nothing
    is stored, the summary says so (``off_track``), unless ``force``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise HumansegError(f"{folder}: not a folder of mask images")
    if value is not None and not 0 < int(value) < 65536:
        raise HumansegError(f"--value {value}: a person's index is 1 to 255 (palette, 8-bit grey) or up to 65535")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".png")
    if not files:
        raise HumansegError(f"{folder}: no .png masks (expected DAVIS-style 00000.png, 00001.png, ...)")
    summary = ImportSummary(ignored=sorted(p.name for p in folder.iterdir() if p.is_file() and p not in files
                                           and not p.name.startswith(".") and p.name != "pids.json"))
    if value is None and (index := _index_of(folder, int(pid))) is not None:  # a palette export's own map (a walk
        value = index  # was told "the values in use: 1, 2, 3" of person 257's)
        summary.value_from = f"person {int(pid)} is index {index} in {folder / 'pids.json'}"
    scene = project.load_scene()
    try:
        known = set(int(i) for i in scene.frames.indices)
        size = (scene.frames.width, scene.frames.height)
        if int(pid) not in {int(p) for p in scene.pids}:
            raise HumansegError(unknown_person(scene, pid))
        first, last = scene.span(int(pid))
        named = _named_pid(folder)
        if not force and named is not None and named != int(pid) and named in {int(p) for p in scene.pids}:
            summary.named = named  # asked first (a walk's gt/260 became person 257's labels without a word)
            return summary
        to_video = _numbering(files, known, scene.trajectories, summary)
        offset_of = int(getattr(scene.trajectories, "frame_offset", 0))
        points = {to_video(f): uv for f in _frame_numbers(folder, files, known, to_video)
                  if (uv := scene.position_px(int(pid), to_video(f))) is not None}
    finally:
        scene.close()
    summary.far_px = default_threshold(*size)
    offset_hint = ("" if summary.renumbered or not offset_of else
                   f"; masks numbered as the trajectory file numbers its frames are read with the project's frame "
                   f"offset ({offset_of}) only when every one of them then falls in the video")
    masks: dict[int, np.ndarray] = {}
    read_from: dict[int, Path] = {}
    for i, path in enumerate(files):
        if cancel is not None:
            cancel.raise_if_cancelled()
        m = _NUMBER.findall(path.stem)
        if not m:
            raise HumansegError(f"{path}: no frame number in the file name")
        frame = to_video(int(m[-1]))
        if frame not in known:
            raise HumansegError(f"{path}: frame {frame} is not a frame of the video "
                                f"({min(known)}–{max(known)}, {len(known)} frames){offset_hint}")
        if frame in read_from:  # (a walk's 03740.png and 3740.png: the later file was taken without a word)
            raise HumansegError(f"{path}: frame {frame} again ({read_from[frame].name} is that frame too): keep one "
                                "mask a frame; nothing was imported")
        read_from[frame] = path
        masks[frame] = read_mask_file(path, value, size)
        yield Progress(i + 1, len(files), f"read {path.name}")
    _check_some(masks, folder, files, value)
    drawn = sorted(f for f, m in masks.items() if m.any())  # off the track: far from its point, or where it has none
    far = {f for f in drawn if f in points and point_box_distance(points[f], _box(masks[f])) > summary.far_px}
    off = [f for f in drawn if f not in points or f in far]
    if not force and drawn and len(off) * 2 >= len(drawn):  # asked first (a walk imported person 79's masks as 80's:
        summary.off_track, summary.placed = off, len(drawn)  # 101 labels stored, a note after, no undo; a review:
        return summary  # another's outside the track too); nothing is stored; ``force`` imports them
    held = {int(p.frame): p for p in project.proposals(int(pid), status=("accepted", "edited"))}
    earlier = {f: held[f].mask for f, m in masks.items() if f in held and held[f].mask is not None and m.any()
               and not np.array_equal(held[f].mask, m)}
    if earlier:  # the masks it replaces, as files the analyst finds (a data-safety review: the history table alone)
        summary.kept_in = str(keep_replaced_labels(project.folder, int(pid), earlier))
    for frame, mask in sorted(masks.items()):
        if not mask.any():
            summary.empty.append(frame)
            continue
        if frame in earlier:
            summary.replaced.append(frame)  # (its earlier mask goes to the proposal's history, said: a walk)
        if not first <= frame <= last:
            summary.outside_span.append(frame)
        elif frame in far:
            summary.far.append(frame)  # (a walk imported another person's masks without a word)
        set_label(project, pid, frame, mask, IMPORT_SOURCE)
        summary.imported.append(frame)
    done = set(summary.imported)
    there = [(int(p.id), p.status) for p in project.proposals(pid=int(pid), status=("pending", "accepted", "edited"),
                                                              with_masks=False)
             if p.frame in done and p.source != IMPORT_SOURCE and p.id is not None]
    # the frame's pending proposals and its other labels too: the imported mask replaces them (a data-safety walk's
    # frame kept two labels, and a later save of the older one won, unsaid); rejected, they stay in the project
    pending = [i for i, status in there if status == "pending"]
    others = [i for i, status in there if status != "pending"]
    project.set_statuses(pending + others, "rejected")
    summary.set_aside, summary.superseded = sorted(pending), sorted(others)
    return summary


REPLACED_LABELS = "replaced_labels"  # the project's folder of labels an import replaced: <pid>/<when>/%05d.png


def keep_replaced_labels(folder: Path, pid: int, masks: dict[int, np.ndarray]) -> Path:
    """Write ``masks`` ({frame: mask}, labels about to be replaced) as 0/255 PNGs in a new folder
    ``<project>/replaced_labels/<pid>/<UTC time>`` (whole or not at all); returns it."""
    import shutil
    import tempfile
    from datetime import datetime, timezone

    base = Path(folder) / REPLACED_LABELS / str(int(pid))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    tmp = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{stamp}.", dir=base))
        for frame, mask in masks.items():
            if not cv2.imwrite(str(tmp / f"{int(frame):05d}.png"), mask.astype(np.uint8) * 255):
                raise OSError(f"could not write {tmp / f'{int(frame):05d}.png'}")
        out, n = base / stamp, 1
        while out.exists():
            n += 1
            out = base / f"{stamp}-{n}"
        tmp.rename(out)
    except BaseException as exc:  # (a review: a failed write, or Ctrl-C, left the hidden folder)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise HumansegError(f"{base}: the labels this import replaces could not be kept there ({exc}); nothing "
                                "was imported") from None
        raise
    return out


def _index_of(folder: Path, pid: int) -> int | None:
    """The index ``folder/pids.json`` (a palette export's: ``{"0": "background", "1": "54", ...}``) gives person
    ``pid``, or None (no such file, unreadable, or the person not in it)."""
    import json

    try:
        mapping = json.loads((folder / "pids.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(mapping, dict):
        return None
    found = [int(k) for k, v in mapping.items() if str(v).strip() == str(pid) and str(k).isdigit() and int(k) > 0]
    return found[0] if len(found) == 1 else None


def _frame_numbers(folder: Path, files: list[Path], known: set[int],
                   to_video: Callable[[int], int] = lambda n: n) -> set[int]:
    """The numbers the file names of ``files`` give whose frames (``to_video``) are the video's (``known``): read
    before the masks, for the track points there (a bad name is said where the masks are read)."""
    found = (_NUMBER.findall(path.stem) for path in files)
    return {int(m[-1]) for m in found if m and to_video(int(m[-1])) in known}


def _numbering(files: list[Path], known: set[int], trajectories: Any,
               summary: ImportSummary) -> Callable[[int], int]:
    """How the file names' numbers become video frames: as they are; or, where some is not a frame of the video
    and every one is once read as the trajectory file's frames are (``frame_offset + frame_step * n``: a walk's
    masks numbered on the recording's clock, 10280.png for an MP4 clip's frame 0), that way, said in
    ``summary.renumbered``."""
    offset, step = int(getattr(trajectories, "frame_offset", 0)), int(getattr(trajectories, "frame_step", 1))
    numbers = [int(m[-1]) for m in (_NUMBER.findall(p.stem) for p in files) if m]
    if (offset, step) == (0, 1) or not numbers or all(n in known for n in numbers):
        return lambda n: n
    if not all(offset + step * n in known for n in numbers):
        return lambda n: n
    n0 = min(numbers)
    how = f"frame offset {offset}" + (f", frame step {step}" if step != 1 else "")
    summary.renumbered = (f"the file names read as the trajectory file numbers its frames ({how}): {n0:05d}.png is "
                          f"the video's frame {offset + step * n0}")
    return lambda n: offset + step * n


def _check_some(masks: dict[int, np.ndarray], folder: Path, files: list[Path], value: int | None) -> None:
    """An import where no mask holds the person is an error (nothing is stored), naming what they hold."""
    if any(m.any() for m in masks.values()):
        return
    if value is None:
        raise HumansegError(f"{folder}: every mask is empty: nothing to import")
    present = {v for path in files[:20] for v in mask_indices(path)}
    listed = id_list(present, 12) or "none"
    raise HumansegError(f"{folder}: no mask holds the value {value} (the values in use: {listed}); nothing "
                        "was imported")


def result_for_review(project: Project, pid: int, frame: int, mask: np.ndarray) -> int:
    """A segmentation result put up for review (source ``correction``, pending until fixed and saved); the
    stored one is kept when it was already decided. Returns the proposal id. A frame that holds the person's
    label already (accepted or edited) gives that label, to fix, and adds nothing: the network trained on it,
    and a second label there was counted twice in Review (a walk)."""
    held = [p for p in project.proposals(int(pid), status=("accepted", "edited"), with_masks=False)
            if int(p.frame) == int(frame)]
    if held:
        return int(max(held, key=lambda p: (p.status == "edited", int(p.id or 0))).id or 0)
    mask = np.asarray(mask, bool)
    box = _box(mask) if mask.any() else (0, 0, 0, 0)
    p = Proposal(frame=int(frame), pid=int(pid), box=box, mask=mask, source=CORRECTION_SOURCE,
                 flags=["from a segmentation result"])
    project.add_proposals([p])
    assert p.id is not None  # add_proposals gives it its row id
    return int(p.id)


def hand_label(project: Project, pid: int, frame: int, shape: tuple[int, int]) -> int:
    """An empty mask of ``pid`` on ``frame`` (``shape``: the frame's rows, columns) put up for the analyst to
    draw (source ``hand``, pending until saved): a frame the proposals skipped (the person mostly behind
    another, …) gets a label too. While empty it is never a label (``labels_from_proposals`` drops empty
    masks) nor accepted in bulk. Returns the proposal id."""
    skipped = [s.reason for s in project.skips(int(pid)) if int(s.frame) == int(frame)]
    p = Proposal(frame=int(frame), pid=int(pid), box=(0, 0, 0, 0), mask=np.zeros(tuple(shape), bool),
                 source=HAND_SOURCE, flags=["drawn by hand"] + [f"{SKIPPED_FLAG}{r}" for r in skipped])
    project.add_proposals([p])  # (which forgets the frame's skip: the flag keeps its reason, for a drop)
    assert p.id is not None
    return int(p.id)


def hidden_stretches(project: Project, annotated: Iterable[int], pid: int) -> list[tuple[int, int]]:
    """The stretches (first, last) of ``pid``'s consecutive ``annotated`` frames whose proposal was skipped as
    hidden behind a nearer person: the person has no label there, and its network guesses (a walk read Quality's
    0.70 and Agree's 0.77 for a person whose first 8 annotated frames, hidden, were segmented as its neighbour)."""
    hidden = {int(s.frame) for s in project.skips(int(pid)) if str(s.reason).startswith(HIDDEN_BEHIND)}
    out: list[tuple[int, int]] = []
    run: list[int] = []
    for f in sorted({int(f) for f in annotated}):
        if f in hidden:
            run.append(f)
        elif run:
            out.append((run[0], run[-1]))
            run = []
    return out + ([(run[0], run[-1])] if run else [])

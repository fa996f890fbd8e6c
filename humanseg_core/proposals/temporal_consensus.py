"""Temporal consensus: a person's masks on neighbouring frames fill and veto the mask of a frame.

A person looks much the same a few tenths of a second earlier or later. The masks of one frame carry
errors that the neighbouring frames do not share: a neighbour who passes close takes part of the body, or
gives it a piece of theirs; a lower body falls below the background threshold, or under the shadow test.
For each person of a frame (:func:`temporal_consensus`):

1. align: every mask of the same person on another frame within ``window`` frames (but at least
   ``min_gap`` away, so that the votes do not share the frame's own errors) is moved so that its track
   point lands on this frame's point and scaled by the ratio of the expected heights (perspective); then a
   small shift (``search`` x height each way) that best overlaps this frame's mask absorbs the track
   points' noise;
2. veto: a pixel of the mask that no aligned neighbour mask holds, even grown by ``tolerance`` x height
   (limbs swing), or fewer than ``veto_share`` of them when there are many (interpolated frames), and
   that another person's aligned neighbour masks do hold (``veto_needs_claim``), is dropped: it is a
   neighbour's, taken on this frame only. Without the second condition a dancer's arm that moved would
   be dropped too (measured: -0.014 median IoU on zara01_feet);
3. fill, nearest person first, from pixels nobody owns after the vetoes, so ownership stays one-to-one:
   a vetoed pixel goes to the person whose neighbours (``fill_share`` of them, and two) hold it; another
   free pixel (a lost lower body) needs ``free_share`` of the neighbours, this frame's background
   subtraction must have seen something there (``gate``: foreground or shadow), and the added part must
   be thicker than ``thickness`` x height (alignment is good to a few pixels: thin slivers along the edge
   are noise; without this rule zara01 lost 0.025 median IoU).

Persons with fewer than ``min_neighbours`` aligned masks keep their mask unchanged. Masks are handled as
crops (:class:`Part`), so a window of frames stays small in memory.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from .person_mask import box_of, person_axis


@dataclass(frozen=True)
class TemporalConfig:
    """Shares are of the person's expected height on the frame being corrected."""

    enabled: bool = True
    window: int = 20  # frames either side whose masks of the same person vote
    min_gap: int = 5  # neighbours nearer than this share the frame's errors and do not vote
    min_neighbours: int = 2  # fewer aligned masks: the mask stays as it is
    search: float = 0.05  # the aligned mask may shift this much each way to overlap the frame's mask best
    tolerance: float = 0.045  # veto: unsupported even by the neighbours' masks grown this much ...
    veto_share: float = 0.25  # ... or by fewer than this share of them (with many votes: --extra-frames)
    fill_share: float = 0.5  # a pixel is a person's when this share of its neighbours (and 2) hold it
    # fill from pixels nobody owns (a lost lower body) only where more neighbours agree, where the
    # frame's background subtraction saw something, and in parts thicker than ``thickness`` x height
    # (alignment is good to a few pixels: thinner slivers along the edge are noise, not missing body)
    free_share: float = 0.75
    thickness: float = 0.1
    veto: bool = True
    veto_needs_claim: bool = True  # veto only pixels that another person's neighbours agree are theirs
    claim_any: bool = True  # one neighbour of the other person is enough for that
    fill: bool = True


@dataclass(frozen=True)
class Part:
    """A bool mask crop whose top-left pixel is (x0, y0) in the frame."""

    x0: int
    y0: int
    mask: np.ndarray

    @staticmethod
    def of(full: np.ndarray, x0: int = 0, y0: int = 0) -> Part | None:
        """The part of a bool mask whose top-left pixel is (x0, y0) in the frame; None when empty."""
        x, y, w, h = cv2.boundingRect(full.astype(np.uint8))
        if w == 0 or h == 0:
            return None
        return Part(x0 + x, y0 + y, full[y:y + h, x:x + w].copy())

    def paste(self, shape) -> np.ndarray:
        out = np.zeros(shape, bool)
        h, w = self.mask.shape
        out[self.y0:self.y0 + h, self.x0:self.x0 + w] = self.mask
        return out


def probability_part(probs: np.ndarray) -> Part | None:
    """The crop of a full-frame probability map where it is above 1 %, as float16, in a :class:`Part` (None: nowhere);
    a proposal's score reads the parent's probabilities there (:func:`.score_bands.parent_certainty`)."""
    box = Part.of(probs > 0.01)
    if box is None:
        return None
    h, w = box.mask.shape
    return Part(box.x0, box.y0, probs[box.y0:box.y0 + h, box.x0:box.x0 + w].astype(np.float16))


@dataclass
class FrameMasks:
    """What one frame contributes: every person's point, expected height and mask crop; ``gate``: where
    its background subtraction saw anything (foreground or shadow), None without a background model."""

    frame: int
    points: dict  # {pid: (u, v)}
    heights: dict  # {pid: px}
    parts: dict = field(default_factory=dict)  # {pid: Part}
    gate: np.ndarray | None = None
    hidden: frozenset = frozenset()  # persons reported hidden: they neither vote nor change

    def voter(self, pid) -> Part | None:
        return None if pid in self.hidden else self.parts.get(pid)


def _window(point, h: float, shape, reach: float = 0.8) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the region where the person's pixels may lie: ``reach`` x h beside the point,
    1.2 h above and below it (any anchor)."""
    u, v = point
    rows, cols = shape
    x0, x1 = max(0, int(u - reach * h)), min(cols, int(u + reach * h) + 1)
    y0, y1 = max(0, int(v - 1.2 * h)), min(rows, int(v + 1.2 * h) + 1)
    return x0, y0, x1, y1


def _aligned(part: Part, src_point, src_h: float, dst_point, dst_h: float, win) -> np.ndarray:
    """``part`` moved from its frame into the window ``win`` of another frame: its point onto the other
    point, scaled by the ratio of the heights (float 0..1, bilinear)."""
    x0, y0, x1, y1 = win
    s = float(dst_h) / max(1.0, float(src_h))
    # crop pixel (i, j) of the source sits at frame (x0s + i, y0s + j); x_dst = s (x_src - u_src) + u_dst
    tx = s * (part.x0 - src_point[0]) + dst_point[0] - x0
    ty = s * (part.y0 - src_point[1]) + dst_point[1] - y0
    m = np.array([[s, 0, tx], [0, s, ty]], np.float32)
    return cv2.warpAffine(part.mask.astype(np.float32), m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


@functools.lru_cache(maxsize=64)
def _nearness(r: int) -> np.ndarray:
    """1e-3 x the length of each shift within ``r``, (2r+1, 2r+1): the nearer shift wins among equals."""
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    out = 1e-3 * np.hypot(dx, dy)
    out.setflags(write=False)
    return out


def _padded(current: np.ndarray, radius: int) -> np.ndarray | None:
    """``current`` as float32 with ``radius`` zeros around it (None: nothing to register against)."""
    if radius <= 0 or not current.any():
        return None
    r = radius
    return cv2.copyMakeBorder(current.astype(np.float32), r, r, r, r, cv2.BORDER_CONSTANT, value=0.0)


def _register(moved: np.ndarray, current: np.ndarray, radius: int, pad: np.ndarray | None = None) -> np.ndarray:
    """``moved`` shifted by the integer offset within ``radius`` that overlaps ``current`` most (ties: the
    smallest shift). ``pad``: :func:`_padded` of ``current`` when the caller has it (several ``moved``)."""
    pad = _padded(current, radius) if pad is None else pad
    if pad is None:
        return moved
    r = radius
    box = box_of(moved)
    if box is None:
        return moved
    x0, y0, x1, y1 = box
    # the overlap at each shift, over the moved mask's box only (zeros elsewhere add nothing): (2r+1, 2r+1)
    score = cv2.matchTemplate(pad[y0:y1 + 2 * r, x0:x1 + 2 * r], moved[y0:y1, x0:x1].astype(np.float32, copy=False),
                              cv2.TM_CCORR)
    score = score - _nearness(r)
    iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
    # score[iy, ix] compares current[y + iy - r] with moved[y]: moved goes down by iy - r
    return _shifted(moved, int(ix) - r, int(iy) - r)


def _shifted(a: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``a`` moved right by ``dx`` and down by ``dy`` whole pixels, zeros coming in."""
    out = np.zeros_like(a)
    rows, cols = a.shape[:2]
    if abs(dx) >= cols or abs(dy) >= rows:
        return out
    out[max(0, dy):rows + min(0, dy), max(0, dx):cols + min(0, dx)] = \
        a[max(0, -dy):rows - max(0, dy), max(0, -dx):cols - max(0, dx)]
    return out


def _votes(pid, target: FrameMasks, neighbours: Sequence[FrameMasks], win, current: np.ndarray,
           config: TemporalConfig) -> list[np.ndarray]:
    """The person's aligned masks (bool, window-sized) on the voting neighbours."""
    h = float(target.heights[pid])
    radius = int(round(config.search * h))
    pad = _padded(current, radius)  # once for every neighbour; None: the neighbours vote where they land
    out = []
    for nb in neighbours:
        gap = abs(nb.frame - target.frame)
        if gap < max(1, config.min_gap) or gap > config.window or nb.voter(pid) is None:
            continue
        moved = _aligned(nb.parts[pid], nb.points[pid], nb.heights[pid], target.points[pid], h, win)
        if pad is not None:
            moved = _register(moved, current, radius, pad)
        out.append(moved >= 0.5)
    return out


def _depth_key(point, h: float, anchor: str) -> float:
    """The feet row (larger: nearer the camera)."""
    return person_axis(point, anchor, h)[2]


def temporal_consensus(target: FrameMasks, neighbours: Sequence[FrameMasks], anchor: str,
                       shape, config: TemporalConfig = TemporalConfig()) -> dict:
    """{pid: Part or None}: the target frame's masks after the neighbours' veto and fill (see the module).

    ``neighbours``: other frames' :class:`FrameMasks` (any order; those out of the window are ignored);
    ``shape``: (rows, cols) of the frames."""
    parts = dict(target.parts)
    if not config.enabled or not parts:
        return parts
    hidden = target.hidden
    owner = np.full(shape, -1, np.int64)
    order = list(parts)
    index = {p: k for k, p in enumerate(order)}
    for p, part in parts.items():
        if part is not None:
            region = owner[part.y0:part.y0 + part.mask.shape[0], part.x0:part.x0 + part.mask.shape[1]]
            region[part.mask] = index[p]
    plans, len_votes = {}, {}
    claims = np.zeros(shape, np.int32)  # how many persons' neighbours agree on a pixel (fill_share)
    for p in order:  # 1: align
        if p in hidden or parts[p] is None or p not in target.points or p not in target.heights:
            continue
        h = float(target.heights[p])
        win = _window(target.points[p], h, shape)
        x0, y0, x1, y1 = win
        if x0 >= x1 or y0 >= y1:
            continue
        votes = _votes(p, target, neighbours, win, owner[y0:y1, x0:x1] == index[p], config)
        if len(votes) < max(1, config.min_neighbours):
            continue
        count = np.sum(votes, axis=0)
        sure = count >= max(2, int(np.ceil(config.fill_share * len(votes))))
        len_votes[p] = len(votes)
        claim = (count > 0) if config.claim_any else sure
        claims[y0:y1, x0:x1] += claim
        plans[p] = (win, count, sure, claim)
    vetoed = np.zeros(shape, bool)
    for p, ((x0, y0, x1, y1), count, _sure, claim) in plans.items() if config.veto else ():  # 2: veto
        k = max(1, int(round(2 * config.tolerance * target.heights[p])) | 1)
        # the most neighbours holding a pixel within the tolerance (limbs swing, alignment is rough)
        near = cv2.dilate(np.minimum(count, 255).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        drop = (owner[y0:y1, x0:x1] == index[p]) & (near < max(1, int(config.veto_share * len_votes[p])))
        if config.veto_needs_claim:  # only what another person's neighbours agree is theirs
            drop &= (claims[y0:y1, x0:x1] - claim) > 0
        owner[y0:y1, x0:x1][drop] = -1
        vetoed[y0:y1, x0:x1] |= drop
    if config.fill:  # 3: fill, nearest first, from pixels nobody owns
        for p in sorted(plans, key=lambda q: -_depth_key(target.points[q], target.heights[q], anchor)):
            (x0, y0, x1, y1), count, sure, _claim = plans[p]
            region = owner[y0:y1, x0:x1]
            add = sure & vetoed[y0:y1, x0:x1]
            if target.gate is not None:
                free = ((count >= max(2, int(np.ceil(config.free_share * len_votes[p]))))
                        & target.gate[y0:y1, x0:x1] & (region < 0))
                k = int(round(config.thickness * target.heights[p])) | 1
                if k >= 3:
                    free = cv2.morphologyEx(free.astype(np.uint8), cv2.MORPH_OPEN,
                                            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0
                add |= free
            region[add & (region < 0)] = index[p]
    out = dict(parts)
    for p, ((x0, y0, x1, y1), *_rest) in plans.items():  # the person's pixels lie in its window and old part
        old = parts[p]
        x0, y0 = min(x0, old.x0), min(y0, old.y0)
        x1, y1 = max(x1, old.x0 + old.mask.shape[1]), max(y1, old.y0 + old.mask.shape[0])
        out[p] = Part.of(owner[y0:y1, x0:x1] == index[p], x0, y0)
    return out


class ConsensusWindow:
    """Holds each frame until every frame within ``config.window`` after it is in, then corrects it.

    :meth:`push` a frame's :class:`FrameMasks` with any payload (frames in increasing order); it returns
    the ``(payload, parts)`` of the frames that are ready, in frame order; :meth:`flush` returns the rest.
    Frames already corrected keep voting (with their own uncorrected masks) while they are in the window."""

    def __init__(self, anchor: str, shape, config: TemporalConfig = TemporalConfig()):
        self.anchor, self.shape, self.config = anchor, tuple(shape[:2]), config
        self.pending: deque = deque()
        self.done: deque = deque()

    def push(self, masks: FrameMasks, payload) -> list:
        self.pending.append((masks, payload))
        return self._ready(masks.frame)

    def flush(self) -> list:
        return self._ready(None)

    def _ready(self, latest: int | None) -> list:
        out = []
        window = self.config.window if self.config.enabled else -1
        while self.pending and (latest is None or self.pending[0][0].frame + window < latest):
            masks, payload = self.pending.popleft()
            if self.config.enabled:
                voters = [m for m, _ in self.pending] + list(self.done)
                out.append((payload, temporal_consensus(masks, voters, self.anchor, self.shape, self.config)))
                self.done.append(masks)
            else:
                out.append((payload, dict(masks.parts)))
        if latest is None:
            self.done.clear()
        oldest = self.pending[0][0].frame if self.pending else latest
        while self.done and oldest is not None and self.done[0].frame < oldest - window:
            self.done.popleft()
        return out


__all__ = ["ConsensusWindow", "FrameMasks", "Part", "TemporalConfig", "temporal_consensus"]

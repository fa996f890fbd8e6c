"""Person cut-outs and background stills for the composite generator.

:class:`SpriteBank` reads any DAVIS-layout folder (``JPEGImages/480p/<seq>/*.jpg`` with
``Annotations/480p/<seq>/*.png``): every annotated frame becomes a sprite, the image and soft mask cropped to
the mask's bounding box (plus a margin) and stored at most ``max_height`` px tall. :func:`load_backgrounds`
reads still images (files or folders of .png/.jpg).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import InputError

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp")


@dataclass
class Sprite:
    """One person cut-out: BGR uint8 (h, w, 3), alpha float32 (h, w) in [0, 1]; mask bbox rows/cols inside."""

    seq: str
    frame: str
    image: np.ndarray
    alpha: np.ndarray
    top: int
    bottom: int  # inclusive last mask row
    left: int
    right: int  # inclusive last mask column

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1


@dataclass
class SpriteBank:
    """All sprites, grouped by sequence name (``bank.by_seq[name] -> list[Sprite]``)."""

    by_seq: dict[str, list[Sprite]] = field(default_factory=dict)

    @property
    def sequences(self) -> list[str]:
        return sorted(self.by_seq)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_seq.values())

    def pick(self, rng: np.random.Generator) -> Sprite:
        """A sprite: a uniformly chosen sequence, then a uniformly chosen frame."""
        seqs = self.sequences
        items = self.by_seq[seqs[int(rng.integers(len(seqs)))]]
        return items[int(rng.integers(len(items)))]

    @classmethod
    def from_davis(cls, roots: Sequence[str | Path], include: Iterable[str] | None = None,
                   exclude: Iterable[str] = (), every: int = 1, max_height: int = 200,
                   min_area: int = 400) -> SpriteBank:
        """Read sprites from DAVIS-layout roots; ``include``/``exclude`` filter sequence names.

        Raises InputError naming the folder when a root has no annotated sequence."""
        inc = set(include) if include is not None else None
        exc = set(exclude)
        bank = cls()
        why: dict[str, int] = {}  # the masks left out, by reason (said when nothing is left)
        for root in roots:
            root = Path(root)
            ann_root = root / "Annotations" / "480p"
            img_root = root / "JPEGImages" / "480p"
            if not ann_root.is_dir() or not img_root.is_dir():
                raise InputError(root, "not a DAVIS-layout folder (needs JPEGImages/480p and Annotations/480p)")
            for seq_dir in sorted(p for p in ann_root.iterdir() if p.is_dir()):
                name = seq_dir.name
                if (inc is not None and name not in inc) or name in exc:
                    continue
                for png in sorted(seq_dir.glob("*.png"))[::max(1, every)]:
                    sprite = _read_sprite(name, png, img_root / name / (png.stem + ".jpg"), max_height, min_area)
                    if isinstance(sprite, Sprite):
                        bank.by_seq.setdefault(name, []).append(sprite)
                    else:
                        why[sprite] = why.get(sprite, 0) + 1
        if not bank.by_seq:  # (a walk's folders of 0/1 masks, PNG frames or half-size masks read only this line)
            said = "; ".join(f"{n} {reason}" for reason, n in sorted(why.items(), key=lambda kv: -kv[1]))
            raise InputError(", ".join(str(r) for r in roots), "no annotated person sequence found"
                             + (f" ({said})" if said else " (Annotations/480p/<sequence>/*.png, none)"))
        return bank


def _read_sprite(seq: str, mask_path: Path, image_path: Path, max_height: int, min_area: int) -> Sprite | str:
    """The cut-out of one mask and its frame, or why there is none."""
    mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
    image = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    if mask is None:
        return "masks that do not read"
    if image is None:
        return "masks without their frame (JPEGImages/480p/<sequence>/<same name>.jpg)"
    if mask.shape != image.shape[:2]:
        return "masks of another size than their frame"
    fg = mask > 127
    if int(fg.sum()) < min_area:
        return f"masks under {min_area} px of 255 (0/1 or palette masks read as empty)"
    ys, xs = np.nonzero(fg)
    t, b, le, r = int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())
    margin = max(2, (b - t) // 20)
    y0, y1 = max(0, t - margin), min(mask.shape[0], b + margin + 1)
    x0, x1 = max(0, le - margin), min(mask.shape[1], r + margin + 1)
    img = image[y0:y1, x0:x1]
    alpha: np.ndarray = fg[y0:y1, x0:x1].astype(np.float32)
    scale = min(1.0, max_height / float(b - t + 1))
    if scale < 1.0:
        size = (max(1, int(round(img.shape[1] * scale))), max(1, int(round(img.shape[0] * scale))))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    rows = np.nonzero(alpha.max(1) > 0.5)[0]
    cols = np.nonzero(alpha.max(0) > 0.5)[0]
    if len(rows) == 0 or len(cols) == 0:
        return "masks that vanish once scaled"
    return Sprite(seq, mask_path.stem, np.ascontiguousarray(img), alpha, int(rows[0]), int(rows[-1]),
                  int(cols[0]), int(cols[-1]))


def load_backgrounds(paths: Sequence[str | Path]) -> list[np.ndarray]:
    """BGR stills from files or folders (their .png/.jpg files, not recursive). InputError names a bad file."""
    out: list[np.ndarray] = []
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_EXTS) if p.is_dir() else [p]
        if not files:  # (a walk's folder of .txt files trained on the generator's own backgrounds, unsaid)
            raise InputError(p, f"no background still in this folder ({', '.join(sorted(IMAGE_EXTS))} files)")
        for f in files:
            img = cv2.imread(str(f), cv2.IMREAD_COLOR)
            if img is None:
                raise InputError(f, "not a readable image (background still)")
            out.append(img)
    return out

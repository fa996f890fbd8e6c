"""Composite generator: deterministic by seed, exact visible masks (occluded parts removed), anchors."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from humanseg_core.errors import InputError
from humanseg_core.prior import crops
from humanseg_core.prior.composites import CompositeGenerator, Placement, anchor_point, compose
from humanseg_core.prior.sprites import SpriteBank, load_backgrounds


def make_davis(root: Path, seqs=("walker", "runner"), frames=3) -> Path:
    """A tiny DAVIS-layout folder: textured frames with an upright ellipse 'person' mask."""
    rng = np.random.default_rng(0)
    for s, seq in enumerate(seqs):
        (root / "JPEGImages" / "480p" / seq).mkdir(parents=True)
        (root / "Annotations" / "480p" / seq).mkdir(parents=True)
        for f in range(frames):
            img = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
            mask = np.zeros((120, 160), np.uint8)
            cv2.ellipse(mask, (60 + 10 * f + 20 * s, 60), (12, 45), 0, 0, 360, 255, -1)
            cv2.imwrite(str(root / "JPEGImages" / "480p" / seq / f"{f:05d}.jpg"), img)
            cv2.imwrite(str(root / "Annotations" / "480p" / seq / f"{f:05d}.png"), mask)
    return root


@pytest.fixture
def davis(tmp_path):
    return make_davis(tmp_path / "davis")


def test_compose_removes_occluded_parts_exactly():
    bg = np.zeros((40, 40, 3), np.uint8)
    far_alpha = np.ones((16, 16), np.float32)
    near_alpha = np.ones((20, 20), np.float32)
    far = Placement(np.full((16, 16, 3), 100, np.uint8), far_alpha, 5, 5, depth=20.0)
    near = Placement(np.full((20, 20, 3), 200, np.uint8), near_alpha, 12, 12, depth=31.0)
    img, (vis_near, vis_far) = compose(bg, [near, far])  # order of the list must not matter, depth does
    full_far = np.zeros((40, 40), bool)
    full_far[5:21, 5:21] = True
    full_near = np.zeros((40, 40), bool)
    full_near[12:32, 12:32] = True
    assert np.array_equal(vis_near, full_near)
    assert np.array_equal(vis_far, full_far & ~full_near)
    assert (img[full_near] == 200).all() and (img[vis_far] == 100).all() and (img[~(full_far | full_near)] == 0).all()


def test_compose_clips_persons_partly_outside():
    bg = np.zeros((10, 10, 3), np.uint8)
    p = Placement(np.full((6, 6, 3), 50, np.uint8), np.ones((6, 6), np.float32), -3, 7, depth=5.0)
    _, (vis,) = compose(bg, [p])
    assert vis.sum() == 3 * 3 and vis[7:10, 0:3].all()


def test_anchor_points_on_a_rectangle():
    alpha = np.zeros((110, 40), np.float32)
    alpha[5:105, 10:30] = 1.0  # 100 px tall, columns 10..29
    u, v = anchor_point(alpha, "head")
    assert u == pytest.approx(20.0) and v == pytest.approx(5 + 6.0)
    assert anchor_point(alpha, "feet") == pytest.approx((20.0, 105.0))
    assert anchor_point(alpha, "centre") == pytest.approx((20.0, 55.0))
    with pytest.raises(ValueError):
        anchor_point(alpha, "knee")


def test_generator_is_deterministic_by_seed(davis):
    bank = SpriteBank.from_davis([davis])
    g1 = CompositeGenerator(bank, [], size=48, seed=3)
    g2 = CompositeGenerator(SpriteBank.from_davis([davis]), [], size=48, seed=3)
    a, b = g1.sample(7), g2.sample(7)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.target, b.target)
    assert np.array_equal(a.maps, b.maps) and a.anchor == b.anchor
    c = CompositeGenerator(bank, [], size=48, seed=4).sample(7)
    assert not np.array_equal(a.image, c.image)
    x, y, hint = g1.batch(0, 12)
    assert x.shape == (12, 5, 48, 48) and y.shape == (12, 1, 48, 48) and hint.shape == (12, 3)
    assert set(hint.sum(1)) <= {0.0, 1.0}
    known = [i for i in range(12) if hint[i].sum() == 1]
    assert known and all(["head", "feet", "centre"][int(hint[i].argmax())] == g1.sample(i).anchor for i in known)
    assert np.array_equal(x[3, 3:], g1.sample(3).maps)


def test_a_grey_share_turns_that_share_grey_and_leaves_the_rest_as_it_was(davis):
    """Monochrome cameras (a grey video: parent proposals 0.802 -> 0.732 median IoU): composites turned grey,
    drawn apart from the stream, so that a share of 0 is every composite it always was."""
    bank = SpriteBank.from_davis([davis])
    plain = CompositeGenerator(bank, [], size=48, seed=3)
    some = CompositeGenerator(bank, [], size=48, seed=3, grey=0.5)
    grey = [i for i in range(12) if np.array_equal(some.sample(i).image[..., 0], some.sample(i).image[..., 2])
            and np.array_equal(some.sample(i).image[..., 1], some.sample(i).image[..., 2])]
    assert 2 <= len(grey) <= 10
    for i in range(12):
        a, b = plain.sample(i), some.sample(i)
        assert np.array_equal(a.target, b.target) and np.array_equal(a.maps, b.maps)
        assert (i in grey) != np.array_equal(a.image, b.image)


def test_a_tight_share_puts_one_more_person_beside_the_target_and_leaves_the_rest_as_it_was(davis):
    """Crowds' proposals confuse persons standing side by side, a neighbour's negative point on the target's body
    (BENCHMARKS "A neighbour's negative point"): composites with one more person right beside the target, drawn
    apart from the stream; with a share of 0 every composite is the one it always was."""
    bank = SpriteBank.from_davis([davis])
    plain = CompositeGenerator(bank, [], size=48, seed=3)
    none = CompositeGenerator(bank, [], size=48, seed=3, tight=0.0)
    every = CompositeGenerator(bank, [], size=48, seed=3, tight=1.0)
    for i in range(8):
        a, b, c = plain.sample(i), none.sample(i), every.sample(i)
        assert np.array_equal(a.image, b.image) and np.array_equal(a.target, b.target)
        assert c.n_persons == a.n_persons + 1
        assert (c.target <= a.target + 1e-6).all()  # the target as visible as before, or less (occluded)
        assert np.array_equal(c.target, every.sample(i).target)  # deterministic
    assert any(not np.array_equal(every.sample(i).maps[1], plain.sample(i).maps[1]) for i in range(8))  # its point
    shares = [(every.sample(i).target > 0.5).sum() / max(1, (plain.sample(i).target > 0.5).sum()) for i in range(8)]
    assert min(shares) < 0.95  # beside it, the neighbour hides part of the target somewhere


def test_generator_targets_are_masks_of_the_prompted_person(davis):
    g = CompositeGenerator(SpriteBank.from_davis([davis]), [], size=64, seed=0)
    hits = 0
    for i in range(24):
        s = g.sample(i)
        assert s.target.min() >= 0 and s.target.max() <= 1
        assert s.maps[0].max() > 0.5  # the point lies in the crop
        c = np.unravel_index(np.argmax(s.maps[0]), s.maps[0].shape)
        ys, xs = np.nonzero(s.target > 0.5)
        if len(ys):
            # the prompted point lies on (or within 25 % of the crop of) the target silhouette
            hits += int(np.min(np.hypot(ys - c[0], xs - c[1])) < 0.25 * 64)
    assert hits >= 18


def test_sprite_bank_filters_and_reports_bad_folders(davis, tmp_path):
    assert SpriteBank.from_davis([davis]).sequences == ["runner", "walker"]
    assert SpriteBank.from_davis([davis], exclude=["walker"]).sequences == ["runner"]
    assert len(SpriteBank.from_davis([davis], include=["walker"])) == 3
    with pytest.raises(InputError, match="DAVIS-layout"):
        SpriteBank.from_davis([tmp_path])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(InputError, match="bad.png"):
        load_backgrounds([bad])
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "readme.txt").write_text("x")  # a walk's folder without a still trained on none, unsaid
    with pytest.raises(InputError, match=r"notes: no background still in this folder"):
        load_backgrounds([notes])


def test_cut_outs_that_cannot_be_read_say_why(tmp_path):
    """A walk's 0/1 masks, PNG frames and half-size masks all read "no annotated person sequence found"."""
    root = make_davis(tmp_path / "d", seqs=("a", "b"), frames=2)
    for f in (root / "Annotations" / "480p" / "a").glob("*.png"):  # 0/1 masks
        cv2.imwrite(str(f), (cv2.imread(str(f), 0) > 0).astype(np.uint8))
    for f in (root / "JPEGImages" / "480p" / "b").glob("*.jpg"):  # PNG frames
        f.rename(f.with_suffix(".png"))
    with pytest.raises(InputError, match=r"no annotated person sequence found \(2 masks under 400 px of 255 \(0/1 "
                                         r"or palette masks read as empty\); 2 masks without their frame"):
        SpriteBank.from_davis([root])


def test_crop_cut_and_paste_round_trip():
    frame = np.zeros((50, 60), np.float32)
    frame[10:30, 20:30] = 1.0
    box = crops.box_for((25.0, 20.0), 20.0, 2.0)  # side 40, partly outside the frame
    assert box == (5, 0, 45, 40)
    c = crops.cut(frame, box, 40, fill=0.0)
    back = crops.paste(c, box, frame.shape)
    assert np.array_equal(back > 0.5, frame > 0.5)
    outside = crops.box_for((-100.0, -100.0), 10.0, 2.0)
    assert crops.paste(np.ones((8, 8)), outside, frame.shape).sum() == 0

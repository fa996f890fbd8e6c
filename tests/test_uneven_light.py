"""Light that changes across the frame (a cloud's shadow sweeping over the ground) is measured block by block,
and the background is relit to it (proposals/uneven_light.py, ADR 0058); even light changes nothing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from fakes import FloorFrames

from humanseg_core.proposals.clean_background import TrackMaskedBackground
from humanseg_core.proposals.detectors.bgs import shadow_free_difference
from humanseg_core.proposals.uneven_light import block_gains, even_samples, is_uneven, light_map, maybe_uneven

PERSON = (slice(60, 110), slice(250, 266))  # a dark person standing in the cloud's shadow on the last frames


class CloudFloor(FloorFrames):
    """A textured floor under a cloud's shadow (0.55 of the light, 120 px wide, soft edges of about 20 px) that
    sweeps from left to right, 8 px a frame; from frame 36 on a dark person stands where the shadow then lies."""

    def read(self, index: int) -> np.ndarray:
        x = np.arange(self.width, dtype=np.float32)
        centre = -40.0 + 8.0 * index
        light = 1.0 - 0.45 / (1.0 + np.exp((np.abs(x - centre) - 60.0) / 5.0))
        img = np.clip(self.bg.astype(np.float32) * light[None, :, None], 0, 255).astype(np.uint8)
        if index >= 36:
            img[PERSON] = 30
        return img


class EvenFloor(FloorFrames):
    """The floor brightening 1 % a frame everywhere alike (a camera's drift)."""

    def read(self, index: int) -> np.ndarray:
        return np.clip(self.bg.astype(np.float32) * (1 + 0.01 * index), 0, 255).astype(np.uint8)


def _background(frames) -> TrackMaskedBackground:
    scene = SimpleNamespace(frames=frames, persons_at=lambda f: {})
    return TrackMaskedBackground(scene, SimpleNamespace(height=lambda *a: 40.0), samples=15)


def test_a_cloud_shadow_is_not_taken_for_foreground_and_a_person_in_it_is_found():
    bg = _background(CloudFloor(40, 160, 320, seed=5))
    empty = bg.scene.frames.read(24)  # the shadow over columns 92-212, nobody there
    fg = bg.foreground(empty, 24)
    # with one gain for the frame, 0.41 of it differed (as a shadow, which the bodies' shadow rules give back)
    assert (fg > 0).mean() < 0.05, (fg > 0).mean()
    assert bg.uneven_frames == 1 and bg.uneven_samples > 0
    img = bg.scene.frames.read(38)  # the shadow over columns 204-324, over the person
    person = bg.foreground(img, 38)[PERSON] == 255
    assert person.mean() > 0.95


def test_even_light_changes_nothing():
    bg = _background(EvenFloor(30, 160, 240, seed=6))
    img = bg.scene.frames.read(20)
    fg = bg.foreground(img, 20)
    assert bg.uneven_frames == 0 and bg.uneven_samples == 0
    assert light_map(img, bg.background(20), np.ones(img.shape[:2], bool)) is None
    assert (fg == shadow_free_difference(img, bg.background(20), bg.threshold)).all()


def test_the_light_map_follows_the_shadow_where_people_are_left_out():
    floor = np.random.default_rng(1).integers(100, 160, (128, 256, 3)).astype(np.uint8)
    frame = floor.copy()
    frame[:, :128] = (frame[:, :128] * 0.6).astype(np.uint8)
    frame[40:100, 60:76] = 250  # a bright person in the shade, left out by ``free``
    free = np.ones(floor.shape[:2], bool)
    free[30:110, 50:86] = False
    gain = light_map(frame, floor, free)
    assert gain is not None
    assert abs(float(np.median(gain[:, :90])) - 0.6) < 0.03 and abs(float(np.median(gain[:, 170:])) - 1.0) < 0.03
    assert abs(float(gain[70, 68]) - 0.6) < 0.05  # the person's place takes its neighbours' light


def test_samples_in_even_light_are_left_as_they_are():
    floor = np.random.default_rng(2).integers(100, 160, (96, 128, 3)).astype(np.uint8)
    data = np.stack([np.clip(floor * g, 0, 255).astype(np.uint8) for g in (0.9, 1.0, 1.1)])
    frees = [np.ones(floor.shape[:2], bool)] * 3
    out, uneven = even_samples(data, frees)
    assert uneven == 0 and out is data


def test_the_quick_look_never_rules_out_light_the_full_measure_calls_uneven():
    floor = CloudFloor(40, 160, 320, seed=7)
    background = floor.bg
    free = np.ones(background.shape[:2], bool)
    full = [is_uneven(block_gains(floor.read(i), background, free)[0]) for i in range(0, 40, 2)]
    quick = [maybe_uneven(floor.read(i), background, free) for i in range(0, 40, 2)]
    assert any(full) and not all(full)  # the cloud in the frame and out of it
    assert all(q for q, f in zip(quick, full) if f)
    assert not maybe_uneven(background, background, free)


def test_a_frames_background_and_gain_do_not_depend_on_the_order_they_are_asked_in():
    reference = _background(CloudFloor(40, 160, 320, seed=5))
    img = reference.scene.frames.read(24)
    fg = reference.foreground(img, 24)
    gain, background = reference.gain(img, 24), reference.background(24)
    first = _background(CloudFloor(40, 160, 320, seed=5))
    assert first.gain(img, 24) == gain  # the gain asked for before the foreground: measured on the relit background
    assert (first.foreground(img, 24) == fg).all()
    reference.foreground(reference.scene.frames.read(26), 26)  # another frame in between
    assert (reference.background(24) == background).all() and reference.gain(img, 24) == gain
    reference.foreground(img, 24)
    assert reference.uneven_frames == 2  # frames counted once each


def test_the_blocks_medians_equal_numpys_nanmedian():
    """The block gains' medians, sorted once, equal np.nanmedian (odd and even counts of finite values)."""
    import numpy as np

    from humanseg_core.proposals.uneven_light import finite_medians

    rng = np.random.default_rng(3)
    for m in (1, 2, 3, 64, 1024):
        x = rng.random((9, m)).astype(np.float32)
        x[rng.random(x.shape) < 0.5] = np.nan
        x[:, 0] = rng.random(9)
        assert np.array_equal(finite_medians(x), np.nanmedian(x, axis=-1).astype(np.float32))

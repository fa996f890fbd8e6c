"""Training reads only the accepted frames it keeps: the cap (MAX_TRAIN_FRAMES) is spread over the usable
frames before any is decoded, and the kept frames are those of reading all and spreading the cap after."""

import numpy as np
import pytest

from humanseg_core.errors import HumansegError
from humanseg_core.osvos.samples import _load_samples, spread

H, W = 12, 16
N = 400
CAP = 150


def _person(n=N, no_point=(), unreadable=(), wrong_size=()):
    """A synthetic person with ``n`` accepted masks: a counting frame reader, the track, the masks."""
    reads: list[int] = []

    def reader(f):
        reads.append(f)
        if f in unreadable:
            raise HumansegError(f"frame {f} is damaged")
        shape = (H + 1, W) if f in wrong_size else (H, W)
        return np.full((*shape, 3), f % 256, np.uint8)

    def track(f):
        return None if f in no_point else (f * 0.1, 5.0)

    masks = {3 * i: np.eye(H, W, dtype=bool) for i in range(n)}
    return reader, track, masks, reads


def _old_rule(reader, track, masks):
    """The frames kept before: every usable frame read, then the cap spread over them."""
    every = _load_samples(reader, track, masks, True, [], cap=None)
    return [every[i].frame for i in np.linspace(0, len(every) - 1, CAP).round().astype(int)]


def test_spread_keeps_the_ends_and_at_most_the_cap():
    assert spread(5, 10) == [0, 1, 2, 3, 4] and spread(5, None) == [0, 1, 2, 3, 4]
    got = spread(400, 150)
    assert len(got) == 150 and got[0] == 0 and got[-1] == 399 and got == sorted(set(got))


def test_the_kept_frames_are_chosen_before_reading_and_are_those_of_reading_all():
    reader, track, masks, reads = _person(no_point={0, 30, 600, 1197})  # some frames outside the track
    notes: list[str] = []
    got = _load_samples(reader, track, masks, True, notes, cap=CAP)
    assert len(reads) == CAP  # one read per kept frame, none more
    assert [s.frame for s in got] == sorted(reads)
    assert [s.frame for s in got] == _old_rule(*_person(no_point={0, 30, 600, 1197})[:3])
    assert len(notes) == 4 and all("time span" in n for n in notes)
    s = got[1]
    assert s.img[0, 0, 0] == s.frame % 256 and s.mask.dtype == np.uint8 and s.point == (s.frame * 0.1, 5.0)


def test_under_the_cap_every_frame_is_read_in_order_with_its_notes():
    reader, track, masks, reads = _person(n=20, unreadable={9}, wrong_size={30})
    notes: list[str] = []
    got = _load_samples(reader, track, masks, True, notes, cap=CAP)
    assert [s.frame for s in got] == [f for f in sorted(masks) if f not in (9, 30)]
    assert reads == sorted(masks)
    assert len(notes) == 2 and notes[0].startswith("frame 9: cannot be read") and "does not match" in notes[1]


@pytest.mark.parametrize("bad", [{0}, {600, 603, 606}, {1197}, set(range(0, 1200, 6))])
def test_unusable_kept_frames_are_replaced_and_the_cap_still_holds(bad):
    reader, track, masks, reads = _person(unreadable=bad)
    got = [s.frame for s in _load_samples(reader, track, masks, True, [], cap=CAP)]
    usable = [f for f in sorted(masks) if f not in bad]
    assert len(got) == min(CAP, len(usable)) and got == sorted(set(got)) and not set(got) & bad
    assert got[0] == usable[0] and got[-1] == usable[-1]  # still spread over the whole span
    # no frame read twice; a read is a kept frame or an unusable one met on the way
    assert len(set(reads)) == len(reads) == len(got) + len(set(reads) & bad) < N
    # still evenly spread: no two kept frames further apart than two steps of the cap's spread
    step = (len(masks) - 1) / (CAP - 1)
    assert max(np.diff(got)) <= 3 * (2 * step + 1)


def test_no_usable_frame_gives_an_empty_list_with_every_reason():
    reader, track, masks, _reads = _person(n=5, unreadable={0, 3, 6, 9, 12})
    notes: list[str] = []
    assert _load_samples(reader, track, masks, True, notes, cap=2) == []
    assert len(notes) == 5

"""The filmstrip's thumbnail job (core, no Qt): batches, damaged rows, unreadable frames, cancel."""

import numpy as np
import pytest

from humanseg_core.errors import Cancelled, FrameError, ProjectError
from humanseg_core.jobs import CancelToken
from humanseg_core.project.thumbnails import (
    THUMB_H,
    THUMB_W,
    ThumbnailRequest,
    render_thumbnail,
    thumbnails_job,
)

H, W = 60, 80


def _mask(i: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[10:50, 20 + i:40 + i] = True
    return m


def _run(gen):
    reports = []
    while True:
        try:
            reports.append(next(gen))
        except StopIteration as stop:
            return reports, stop.value


def test_thumbnails_come_in_batches_with_their_pictures():
    frame = np.full((H, W, 3), 200, np.uint8)
    reqs = [ThumbnailRequest(i, 10 * i, (20 + i, 10, 40 + i, 50)) for i in range(8)]
    loaded = []
    reports, built = _run(thumbnails_job(reqs, lambda pid: loaded.append(pid) or _mask(pid),
                                         lambda f: frame, batch=3))
    assert built == 8 and loaded == list(range(8))
    assert [len(r.data["thumbnails"]) for r in reports] == [3, 3, 2] and reports[-1].done == 8
    thumbs = [t for r in reports for t in r.data["thumbnails"]]
    assert [t.proposal_id for t in thumbs] == list(range(8)) and thumbs[3].frame == 30
    img = thumbs[0].image
    assert img.shape == (THUMB_H, THUMB_W, 3) and img.dtype == np.uint8
    assert (img == 200).all(axis=2).any()  # the frame around the person
    assert (~(img == 200).all(axis=2)).any()  # the tinted mask


def test_a_given_mask_is_not_loaded_and_bad_rows_and_frames_do_not_stop_the_job():
    def load(pid):
        raise ProjectError(f"project.sqlite: proposals row {pid} is damaged")

    def read(f):
        raise FrameError("v.mp4", "corrupt", f)

    reqs = [ThumbnailRequest(1, 0, (0, 0, 10, 10)), ThumbnailRequest(2, 1, (20, 10, 40, 50), _mask(0))]
    reports, built = _run(thumbnails_job(reqs, load, read))
    bad, good = reports[-1].data["thumbnails"]
    assert built == 1 and bad.image is None and "row 1 is damaged" in bad.error
    assert good.image is not None and good.error == ""  # drawn over grey: the frame was unreadable


def test_cancel_stops_the_job():
    token = CancelToken()
    reqs = [ThumbnailRequest(i, i, (0, 0, 10, 10)) for i in range(20)]
    gen = thumbnails_job(reqs, lambda pid: _mask(0), lambda f: None, token, batch=1)
    next(gen)
    token.cancel()
    with pytest.raises(Cancelled):
        next(gen)


def test_a_frame_of_another_size_is_not_used():
    img = render_thumbnail(np.full((10, 10, 3), 255, np.uint8), _mask(0), (20, 10, 40, 50))
    assert img.shape == (THUMB_H, THUMB_W, 3) and not (img == 255).all(axis=2).any()

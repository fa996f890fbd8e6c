"""The MP4 export's frame rate: the video's own by default, any other when set (a walk's ETH frames folder,
about 15 frames a second, could only be written at 25)."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import FlatFrames

pytestmark = pytest.mark.gui


def test_the_mp4_is_written_at_the_videos_rate_unless_another_is_set(qtbot, tmp_path, monkeypatch):
    from app.segmentation import mp4_export

    rates = []

    def fake_export(reader, masks, path, frames=None, cancel=None, **opts):
        from types import SimpleNamespace

        rates.append(opts["fps"])
        yield from ()
        return SimpleNamespace(path=path, frames=len(frames or ()), note="", skipped=None)

    monkeypatch.setattr(mp4_export, "export_overlay_video", fake_export)
    frames = FlatFrames(6, 40, 60)
    mask = np.zeros((40, 60), bool)
    mask[10:30, 20:30] = True
    panel = mp4_export.Mp4ExportPanel(lambda source: (frames, {1: mask, 2: mask}, frames.indices, 25.0))
    qtbot.addWidget(panel)
    assert panel.fps.text().startswith("the video's")
    assert panel.export_to(tmp_path / "a.mp4")
    qtbot.waitUntil(lambda: not panel.is_running())
    panel.fps.setValue(15)
    assert panel.export_to(tmp_path / "b.mp4")
    qtbot.waitUntil(lambda: not panel.is_running())
    assert rates == [25.0, 15.0]

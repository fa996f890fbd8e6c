"""Segmenting again with an older network says that Play, Quality and Export still show the newest run.

Play, Quality and Export use the newest run that has results.  Segmenting with an older network chosen in
the Segment tab's Network box (e.g. the complete run #14 after a cancelled Whole scene left run #16 with 69
frames) stored the results under that run and said "190 frames segmented and saved", while Play went on
showing run #16: the new results looked lost.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.jobs import Progress
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs


def test_results_of_an_older_run_say_which_run_play_shows(opened, qtbot, tmp_path, scene_dir, gen):
    from app.job_footer import OK_STYLE, WARN_STYLE
    from app.segmentation.install import install_segmentation

    project = Project.create(tmp_path / "proj", ProjectInputs(video=str(scene_dir / "frames"),
                                                              trajectories=str(scene_dir / "trajectories.txt"),
                                                              homography=str(scene_dir / "H.txt")))
    mask = np.zeros((gen.HEIGHT, gen.WIDTH), bool)
    mask[40:80, 30:50] = True
    older = project.add_run(1, "osvos-parent", checkpoint="a.pt")
    newer = project.add_run(1, "osvos-parent", checkpoint="b.pt")
    project.save_results(1, newer, {0: mask})

    def factory(request, cancel):
        masks = {f: mask for f in range(request["first"], request["first"] + 3)}
        project.save_results(request["pid"], request["run"]["id"], masks)  # as segment_person stores them
        yield Progress(1, 1, "done")
        return masks

    c = install_segmentation(opened, project)
    opened.select_person(1)
    c.segment.set_factory(factory)
    try:
        assert c.segment.select_run(older)
        with qtbot.waitSignal(c.segment.results_saved, timeout=5000):
            c.segment.start_btn.click()
        text = c.segment.status.text()
        assert text.startswith("Person 1: 3 frames segmented and saved")
        assert f"\nPlay, Quality and Export show run #{newer}'s results (the run used by default), not these " \
               f"of run #{older}." in text
        assert c.segment.status.styleSheet() == WARN_STYLE
        qtbot.waitUntil(lambda: not c.segment.is_running())
        assert c.segment.select_run(newer)
        with qtbot.waitSignal(c.segment.results_saved, timeout=5000):
            c.segment.start_btn.click()
        assert "not these" not in c.segment.status.text() and c.segment.status.styleSheet() == OK_STYLE
    finally:
        project.close()

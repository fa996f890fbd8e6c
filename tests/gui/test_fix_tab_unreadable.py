"""The Fix tab says which frames of the ranked run have no result because their image could not be read.

Walk: demo with frames/00005.jpg truncated, person 3, Rank: "Person 3, run 18: 190 result frames ranked,
worst first", and nothing of frame 5, the one frame of the span that has no result at all.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui

from humanseg_core.records import ProjectInputs

H, W = 120, 160
REASON = "/data/frames/00025.png: frame 25: damaged PNG; the frame is skipped"


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    import cv2

    from app.main_window import MainWindow
    from app.review.install import install_review

    monkeypatch.setenv("HUMANSEG_KEYS", str(tmp_path / "keys.json"))
    folder = tmp_path / "scene"
    (folder / "frames").mkdir(parents=True)
    for f in (10, 20, 30, 40):
        cv2.imwrite(str(folder / "frames" / f"{f:05d}.png"), np.full((H, W, 3), 100, np.uint8))
    (folder / "trajectories.txt").write_text("".join(f"{f}\t1\t{2 + f / 10:.2f}\t3.00\n" for f in (10, 20, 30, 40)))
    window = MainWindow()
    qtbot.addWidget(window)
    ctrl = install_review(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_inputs(ProjectInputs(video=str(folder / "frames"),
                                            trajectories=str(folder / "trajectories.txt")))
    assert ctrl.new_project(folder=tmp_path / "proj")
    return window, ctrl


def _one_run(project):
    """Person 1's run with a result on frames 10, 20, 30, 40; returns (run id, the mask)."""
    run = project.add_run(1, "osvos-parent", checkpoint="c.pt")
    mask = np.zeros((H, W), bool)
    mask[20:60, 20:40] = True
    project.save_results(1, run, {f: mask for f in (10, 20, 30, 40)})
    return run, mask


def _ranked(qtbot, ctrl):
    """The Fix tab after Rank on person 1 (its 4 frames listed)."""
    ctrl.panel.set_person(1)
    corr = ctrl.correction
    corr.refresh()
    qtbot.waitUntil(lambda: corr.list.count() == 4, timeout=10_000)
    return corr


def test_rank_names_the_frames_without_a_result(qtbot, studio):
    from humanseg_core.workflows.person import record_unreadable

    window, ctrl = studio
    run, _mask = _one_run(ctrl.project)
    record_unreadable(ctrl.project, 1, run, [10, 20, 25, 30, 40], {25: REASON})
    corr = _ranked(qtbot, ctrl)
    assert corr.status.text() == (f"Person 1, run {run}: 4 result frames ranked, worst first, 1 unreadable "
                                  "without a result (frame 25)")


def test_rank_marks_the_frames_already_fixed(qtbot, studio):
    """A new-user walk: after fixing frame 5351 and retraining, Rank listed it first again with nothing to say
    it had been fixed."""
    from humanseg_core.workflows.labels import CORRECTION_SOURCE, set_label

    window, ctrl = studio
    _run, mask = _one_run(ctrl.project)
    set_label(ctrl.project, 1, 20, mask, CORRECTION_SOURCE)  # the analyst fixed frame 20 (an edited label)
    corr = _ranked(qtbot, ctrl)
    texts = {corr.list.item(i).data(0x0100): corr.list.item(i).text() for i in range(corr.list.count())}
    assert texts[20].endswith("fixed by you") and not any(t.endswith("fixed by you") for f, t in texts.items()
                                                           if f != 20)


def test_a_ranking_without_warning_signs_says_it_is_no_proof(qtbot, studio):
    """A walk read "looks consistent" on all 200 frames of a run that missed the person's upper body on every
    one of them: a ranking with no warning sign now says that a mask wrong the same way throughout is not
    flagged."""
    from types import SimpleNamespace

    from app.review.correction_panel import NO_SIGN

    window, ctrl = studio
    run, _mask = _one_run(ctrl.project)
    ctrl.panel.set_person(1)
    corr = ctrl.correction
    calm = [SimpleNamespace(frame=f, score=0.05, reasons=[], slight="") for f in (10, 20)]
    corr._ranked((run, calm, {}))
    assert corr.status.text().endswith(NO_SIGN) and "no warning sign" in corr.list.item(0).text()
    flagged = SimpleNamespace(frame=10, score=0.9, reasons=["far from its neighbours"], slight="")
    corr._ranked((run, [flagged, *calm], {}))
    assert not corr.status.text().endswith(NO_SIGN)

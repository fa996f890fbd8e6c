"""Issue 10: the rows of a project skipped as damaged (Project.warnings) are shown when it opens, in a
non-modal banner with a Problems list naming the file and the row; nothing is deleted."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


@pytest.fixture
def studio(window):
    from app.review.install import install_review

    return window, install_review(window)


def _project_with_a_bad_row(scene_dir, folder):
    """Four proposals of person 1; the second gets pid 'abc' (a hand-edited value)."""
    project = Project.create(folder, ProjectInputs(video=str(scene_dir / "frames"),
                                                   trajectories=str(scene_dir / "trajectories.txt"),
                                                   homography=str(scene_dir / "H.txt")))
    mask = np.zeros((240, 320), bool)
    mask[60:100, 40:60] = True
    props = [Proposal(frame=f, pid=1, box=(40, 60, 60, 100), mask=mask, source="bgs:test") for f in (0, 10, 20, 30)]
    project.add_proposals(props)
    path = project.path
    project.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE proposals SET pid = 'abc' WHERE id = ?", (props[1].id,))
    conn.commit()
    conn.close()
    return path, props[1].id


def _rows(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM proposals").fetchone()[0]
    finally:
        conn.close()


def test_opening_a_project_with_a_bad_row_shows_its_problems(studio, scene_dir, tmp_path, qtbot):
    window, ctrl = studio
    path, bad_id = _project_with_a_bad_row(scene_dir, tmp_path / "proj")
    banner = ctrl.problems
    assert not banner.isVisible()
    assert ctrl.open_project(str(tmp_path / "proj"))
    assert banner.isVisible()  # at once, without a modal box
    assert "1 problem in project" in banner.text.text() and "nothing was deleted" in banner.text.text()
    assert [p.frame for p in ctrl.panel._props] == [0, 20, 30]  # the bad row is skipped, the rest works
    dialog = banner.show_details()
    assert dialog.isVisible() and not dialog.isModal()
    (line,) = dialog.warnings()
    assert str(path) in line and f"proposals row {bad_id}" in line and "pid 'abc'" in line
    assert _rows(path) == 4  # nothing was deleted
    dialog.close()
    # a warning found later (e.g. by a background job) reaches the banner by the poll
    banner.dismiss()
    assert not banner.isVisible()
    ctrl.project.warnings.append(f"{path}: results row 9 is damaged (test); it is skipped")
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert "2 problems" in banner.text.text()
    ctrl.close_project()
    assert not banner.isVisible()


def test_a_damaged_mask_found_by_the_thumbnail_job_reaches_the_banner(studio, scene_dir, tmp_path, qtbot):
    window, ctrl = studio
    path, bad_id = _project_with_a_bad_row(scene_dir, tmp_path / "proj")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE proposals SET mask = x'00010203' WHERE id = ?", (bad_id + 1,))  # a 4-byte mask
    conn.commit()
    conn.close()
    assert ctrl.open_project(str(tmp_path / "proj"))
    assert ctrl.panel.filmstrip.render_all(timeout_s=20)  # the job met the damaged mask off the GUI thread
    qtbot.waitUntil(lambda: "2 problems" in ctrl.problems.text.text(), timeout=5000)
    lines = ctrl.problems.show_details().warnings()
    assert any(f"proposals row {bad_id + 1}" in w and "4 bytes" in w for w in lines)
    assert _rows(path) == 4


def test_a_clean_project_shows_no_banner(studio, scene_dir, tmp_path):
    window, ctrl = studio
    path, _bad = _project_with_a_bad_row(scene_dir, tmp_path / "proj")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE proposals SET pid = 1 WHERE pid = 'abc'")
    conn.commit()
    conn.close()
    assert ctrl.open_project(str(tmp_path / "proj"))
    assert ctrl.project.warnings == [] and not ctrl.problems.isVisible()


def test_going_to_a_damaged_proposal_says_so_instead_of_raising(studio, scene_dir, tmp_path):
    window, ctrl = studio
    path, bad_id = _project_with_a_bad_row(scene_dir, tmp_path / "proj")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE proposals SET mask = x'00010203' WHERE id = ?", (bad_id + 1,))
    conn.commit()
    conn.close()
    assert ctrl.open_project(str(tmp_path / "proj"))
    said = []
    ctrl.panel.message.connect(said.append)
    ctrl.panel.go_to(bad_id + 1)
    assert any("damaged" in s for s in said)


def test_the_problems_strip_reads_dark_text_on_orange_under_the_studios_style(qtbot):
    """A screenshot of the keys strip, built like this one, read dark text on the theme's dark label ground."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QApplication

    from app.main import load_style
    from app.review.problems import ProblemsBanner

    app = QApplication.instance()
    before = app.styleSheet()
    load_style(app)
    try:
        banner = ProblemsBanner()
        qtbot.addWidget(banner)
        banner.set_project(SimpleNamespace(folder="P", warnings=["P/project.sqlite: proposals row 3 is damaged"]))
        banner.resize(700, 40)
        image = banner.grab().toImage()
        corner = banner.text.geometry().topLeft()
        colour = image.pixelColor(corner.x() + 1, corner.y() + 1)
    finally:
        app.setStyleSheet(before)
    assert colour.red() > 200 and colour.green() > 140 and colour.blue() < 120, colour.name()

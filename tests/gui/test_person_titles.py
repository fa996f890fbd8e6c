"""The Persons table's column titles read whole in a narrow dock (a walk read "Pendinc" and "Trainec" at 500 px):
each column as wide as its title or widest cell, narrower docks scroll sideways."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics


def test_every_title_reads_whole_in_a_500_px_dock(qtbot):
    from app.person_panel import COLUMNS, PersonPanel

    panel = PersonPanel()
    qtbot.addWidget(panel)
    panel.resize(480, 400)
    panel.show()
    qtbot.waitExposed(panel)
    header = panel.table.horizontalHeader()
    bold = QFont(header.font())
    bold.setWeight(QFont.Weight.Medium)
    fm = QFontMetrics(bold)
    cut = [c for i, c in enumerate(COLUMNS) if header.sectionSize(i) < fm.horizontalAdvance(c) + 2]
    assert cut == [], cut
    assert header.length() <= 500  # the ten fit a 1280 px window's dock (Qt's own hints: 746 px)
    # the sorted column's title has room for the sort arrow too (a walk read "Persor▾")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle

    arrow = panel.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
    agree = COLUMNS.index("Agree")
    for column in (0, agree):
        panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        assert header.sectionSize(column) >= fm.horizontalAdvance(COLUMNS[column]) + arrow + 4, column
    assert header.sectionSize(COLUMNS.index("Pending")) < fm.horizontalAdvance("Pending") + arrow  # no arrow there


def test_the_review_person_box_shows_a_three_digit_id_whole(qtbot):
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from app.review.review_panel import ReviewPanel

    panel = ReviewPanel()
    qtbot.addWidget(panel)
    box = panel.person_box
    box.addItem("1452", 1452)
    panel.show()
    qtbot.waitExposed(panel)
    opt = QStyleOptionComboBox()
    box.initStyleOption(opt)
    text = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField,
                                      box)
    assert text.width() >= box.fontMetrics().horizontalAdvance("1452") + box.iconSize().width()


def test_a_short_videos_columns_fit_a_1280_px_windows_dock_under_the_studios_style(qtbot, qapp):
    """A walk at 1280x800 (a 160-frame video, persons 20-35): the last column read "Agre", its values "0.9", and
    the table scrolled sideways: room was kept for five-digit frames and person ids."""
    from app.main import style_sheet
    from app.person_panel import COLUMNS, PersonPanel

    Scene = _scene(0, 150, range(20, 36))

    qapp.setStyleSheet(style_sheet())
    try:
        panel = PersonPanel()
        qtbot.addWidget(panel)
        header = panel.table.horizontalHeader()
        panel.table.ensurePolished()
        fm = panel.table.fontMetrics()
        wide = {c: header.sectionSize(i) for i, c in enumerate(COLUMNS)}
        panel.set_scene(Scene())
        narrow = {c: header.sectionSize(i) for i, c in enumerate(COLUMNS)}
        # three-digit frames, two-digit ids: two digits fewer in First and Last (under Xvfb the ten then took
        # 480 px of the 505 at hand, Agree whole)
        two_digits = fm.horizontalAdvance("00")
        assert wide["First"] - narrow["First"] >= two_digits - 8 and wide["Last"] - narrow["Last"] >= two_digits - 8
        # ... yet whole: the style's text margins on both sides (a walk read "42…" for 4200 at + 6 px)
        from PySide6.QtWidgets import QStyle

        margin = panel.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, panel.table) + 1
        assert narrow["Last"] >= fm.horizontalAdvance("150") + 2 * margin
        fixed = COLUMNS[:-1]  # the last one stretches to the table's edge
        assert sum(narrow[c] for c in fixed) <= sum(wide[c] for c in fixed) - 2 * (two_digits - 8)
    finally:
        qapp.setStyleSheet("")


def test_first_and_last_say_the_span_segmented(qtbot, scene_dir):
    """A walk read Last 7070 beside Results 160 for a person segmented to 7079: the span runs past the last
    annotation (positions extrapolated). First and Last say it on hover."""
    from PySide6.QtCore import Qt

    from app.person_panel import PersonPanel
    from humanseg_core.inputs.scene import load_scene

    scene = load_scene(scene_dir / "frames", scene_dir / "trajectories.txt", scene_dir / "H.txt")
    try:
        panel = PersonPanel()
        qtbot.addWidget(panel)
        panel.set_scene(scene)
        model = panel.model
        row = 0
        pid = model.pid_at(row)
        span = scene.span_in_video(pid)
        tip = model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("Last annotated frame of the video; segmented over ") and f"{span[0]}–{span[1]}" in tip
        assert (span != (scene.trajectories.tracks[pid].first, scene.trajectories.tracks[pid].last)) == (
            "extrapolated" in tip)
    finally:
        scene.close()


def test_a_span_a_clip_cuts_is_not_said_extrapolated(qtbot, tmp_path):
    """A review: a person annotated 0-50 on a clip of frames 10-39 read "past its annotations the positions are
    extrapolated", though the clip's ends cut an annotated span."""
    import cv2
    import numpy as np
    from PySide6.QtCore import Qt

    from app.person_panel import PersonPanel
    from humanseg_core.inputs.scene import load_scene

    (tmp_path / "frames").mkdir()
    for i in range(10, 40):
        cv2.imwrite(str(tmp_path / "frames" / f"{i:05d}.jpg"), np.full((120, 160, 3), 128, np.uint8))
    rows = [f"{f}\t1\t{0.01 * (40 + f)}\t0.8" for f in (0, 10, 20, 30, 40, 50)]
    (tmp_path / "t.txt").write_text("\n".join(rows) + "\n")
    (tmp_path / "H.txt").write_text("0.01 0 0\n0 0.01 0\n0 0 1\n")
    scene = load_scene(tmp_path / "frames", tmp_path / "t.txt", tmp_path / "H.txt")
    try:
        panel = PersonPanel()
        qtbot.addWidget(panel)
        panel.set_scene(scene)
        tip = panel.model.data(panel.model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
        assert "segmented over 10–39, 30 frames" in tip and "extrapolated" not in tip
    finally:
        scene.close()



def test_the_right_dock_grows_to_show_five_digit_frames_whole(qtbot, window):
    """A re-walk at 1280x720 on eth_dense (frames 10280-10470): the Persons table cut Agree to "Agre" beside its
    scroll bar; the right dock now grows to what the table needs (at most 55 % of the window)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget

    from app.panels import fit_to_screen, grow_right_dock, install_panels

    Scene = _scene(10280, 10470, range(238, 280))

    install_panels(window)
    window.resize(1280, 720)
    fit_to_screen(window)
    window.show()
    qtbot.waitExposed(window)
    window.person_panel.set_scene(Scene())
    grow_right_dock(window)
    qtbot.wait(50)
    dock = next(d for d in window.findChildren(QDockWidget) if d.widget() is window.person_panel)
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    need = window.person_panel.needed_width()
    assert need <= 0.55 * 1280  # a 1280 px window holds it
    assert dock.width() >= min(need, int(0.55 * window.width())) - 2  # (the offscreen screen may be narrower)
    # what the table needs does not follow the dock's width (its last column stretches): the dock grew by 18 px at
    # every start, restored and grown again, until its limit (a session's screenshots)
    window.resizeDocks([dock], [need + 60], Qt.Orientation.Horizontal)  # the analyst widens it (or a restore)
    qtbot.wait(50)
    assert dock.width() > need + 20  # the table's last column stretched with it
    assert window.person_panel.needed_width() == need


def _scene(first: int, last: int, pids):
    """A stand-in scene class: persons ``pids`` annotated every 10 frames from ``first`` to ``last``."""

    class Track:
        def __init__(self, pid):
            self.pid, self.first, self.last, self.frames = pid, first, last, list(range(first, last + 1, 10))

    class Scene:
        class trajectories:
            tracks = {p: Track(p) for p in pids}

        trajectories.pids = list(trajectories.tracks)
        frames = range(first, last + 1)

        def inside_share(self, pid):
            return 1.0

        def pids_in_video(self):
            return list(self.trajectories.pids)

        def annotated_frames(self):
            return list(range(first, last + 1, 10))

    return Scene


def test_a_three_digit_id_reads_whole_beside_its_swatch_when_sorted_by_another_column(qtbot, qapp):
    """A crowd re-walk sorted the table by Pending: the Person column (no sort arrow then) read "2…" for every id of
    eth_dense (238-289): the swatch's room was too small under the style sheet. A pixel check: the cell drawn at its
    fitted width looks as it does widened."""
    from PySide6.QtCore import Qt

    from app.main import style_sheet
    from app.person_panel import PersonPanel

    qapp.setStyleSheet(style_sheet())
    try:
        panel = PersonPanel()
        qtbot.addWidget(panel)
        panel.resize(700, 300)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_scene(_scene(10280, 10470, range(238, 250))())
        panel.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        header = panel.table.horizontalHeader()
        fitted = header.sectionSize(0)
        rect = panel.table.visualRect(panel.table.model().index(0, 0))
        assert rect.isValid() and rect.width() >= fitted - 2  # (less the grid line)
        cell = panel.table.viewport().grab(rect.adjusted(0, 0, -2, 0)).toImage()
        header.resizeSection(0, fitted + 40)
        qtbot.wait(10)
        wide = panel.table.viewport().grab(rect.adjusted(0, 0, -2, 0)).toImage()
        assert cell == wide  # not elided: the same pixels where the fitted cell ends
    finally:
        qapp.setStyleSheet("")

"""View > Panels brings a panel to the front: on a tab another tab covers it closed the panel instead
(students03 walk, keyboard only: View > Panels > Correction removed the Fix tab)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDockWidget

pytestmark = pytest.mark.gui


def test_a_covered_panel_comes_to_the_front_and_one_in_front_closes(window, qtbot):
    from app.panels import install_panels

    install_panels(window)
    review = window.findChild(QDockWidget, "dock_Review")
    fix = window.findChild(QDockWidget, "dock_Correction")
    window.resize(1280, 720)
    review.show()
    review.raise_()

    def in_front(dock):
        return not dock.isHidden() and not dock.widget().visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(review) and not in_front(fix), timeout=2000)
    fix.toggleViewAction().trigger()  # View > Panels > Correction, the Fix tab covered
    qtbot.waitUntil(lambda: in_front(fix), timeout=2000)
    assert fix.toggleViewAction().isChecked()
    fix.toggleViewAction().trigger()  # now in front: the menu closes it, as before
    assert fix.isHidden()
    fix.toggleViewAction().trigger()  # and shows it again, in front
    qtbot.waitUntil(lambda: in_front(fix), timeout=2000)


def test_the_fix_tab_hint_wraps_in_a_narrow_dock(qtbot):
    """The Fix tab's first line ('Press Rank to list the latest run's result frames most likely wrong, worst
    first') ran off a narrow dock behind a horizontal scroll bar."""
    from app.review.correction_panel import CorrectionPanel

    class Review:
        project = None
        window = None
        panel = type("P", (), {"pid": None, "scene": None})()

    panel = CorrectionPanel(Review())
    qtbot.addWidget(panel)
    panel.resize(320, 400)
    panel.show()
    qtbot.waitExposed(panel)
    bar = panel.list.horizontalScrollBar()
    assert bar.maximum() == 0 or not bar.isVisible()
    rect = panel.list.visualItemRect(panel.list.item(0))
    assert rect.right() <= panel.list.viewport().width() and rect.height() > panel.list.fontMetrics().height()

"""The dock layout is saved when the window closes and restored when the studio starts again."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget


def _studio(qtbot, settings):
    from app.main_window import MainWindow
    from app.panels import install_panels

    w = install_panels(MainWindow(settings=settings))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_dock_layout_survives_a_restart(qtbot, settings):
    from app.dock_layout import restore_layout

    first = _studio(qtbot, settings)
    assert restore_layout(first, settings) is False  # nothing saved yet: the default layout stays
    quality = first.findChild(QDockWidget, "dock_Quality")
    training = first.findChild(QDockWidget, "dock_Training")
    quality.hide()
    first.removeDockWidget(training)
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, training)
    training.show()
    first.close()
    second = _studio(qtbot, settings)
    assert not second.findChild(QDockWidget, "dock_Quality").isHidden()  # the default before restoring
    assert restore_layout(second, settings) is True
    assert second.findChild(QDockWidget, "dock_Quality").isHidden()
    assert second.dockWidgetArea(second.findChild(QDockWidget, "dock_Training")) == Qt.DockWidgetArea.LeftDockWidgetArea
    second.close()


def test_a_saved_layout_taller_than_the_screen_is_not_restored(qtbot, settings):
    """CI: a window a test had closed with its panels stacked one above another (untabbed, 2541 px of minimum
    height) was restored by the next start, which then opened 800x2541 on an 800x800 screen."""
    from PySide6.QtGui import QGuiApplication

    from app.dock_layout import restore_layout, save_layout

    first = _studio(qtbot, settings)
    for dock in first.findChildren(QDockWidget):  # each panel in a row of its own on the right
        if first.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea:
            first.removeDockWidget(dock)
            first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock, Qt.Orientation.Vertical)
            dock.show()
    avail = QGuiApplication.primaryScreen().availableGeometry()
    assert first.minimumSizeHint().height() > avail.height()  # the layout the test is about
    save_layout(first, settings)
    first.close()
    second = _studio(qtbot, settings)
    assert restore_layout(second, settings) is False
    assert second.minimumSizeHint().height() <= avail.height()
    second.close()


def test_a_restored_layout_opens_on_the_persons_tab_without_a_project(qtbot, settings):
    """A walk's studio opened, with no project, on the Fix tab it had left: "Press Rank…", greyed out."""
    from app.dock_layout import restore_layout, save_layout
    from app.panels import raise_start_tab

    first = _studio(qtbot, settings)
    first.findChild(QDockWidget, "dock_Correction").raise_()
    save_layout(first, settings)
    first.close()
    second = _studio(qtbot, settings)
    assert restore_layout(second, settings) is True
    persons = second.findChild(QDockWidget, "dock_Persons")
    assert persons.visibleRegion().isEmpty()  # the restored layout shows the Fix tab
    raise_start_tab(second)
    qtbot.waitUntil(lambda: not persons.visibleRegion().isEmpty(), timeout=2000)
    second.close()


def test_the_studio_raises_the_start_tab_over_a_restored_layout(qapp, monkeypatch):
    """The wiring in `main()`: a restored layout is followed by the start tab (a mutation audit: untested)."""
    from app import dock_layout, panels
    from app.main import main

    raised: list[bool] = []
    monkeypatch.setattr(dock_layout, "restore_layout", lambda window, settings: True)
    monkeypatch.setattr(panels, "raise_start_tab", lambda window: raised.append(window.review.project is None))
    try:
        assert main(["--quit-after", "600"]) == 0
    finally:
        qapp.setStyleSheet("")
    assert raised[-1] is True  # after the restore, with no project open (install_panels raises it first too)
    assert len(raised) == 2

"""Plug the workflow panels into the main window: review (proposals) and segmentation (training, playback)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget

from .review.install import install_review
from .segmentation.install import install_segmentation

RIGHT_DOCK_SHARE = 0.40  # of the window's width; every right-hand panel's minimum width stays under ~420 px


def install_panels(window):
    """Install every panel on ``window``; the segmentation side follows the project the review side opens.

    The right-hand side holds one tab group, in workflow order, so the window fits a laptop screen:
    Persons | Review | Training | Segment | Export MP4 | Playback | Quality.
    """
    window.review = install_review(window)
    seg = window.segmentation = install_segmentation(window, project=window.review.project)
    window.review.project_changed.connect(seg.set_project)
    # a decision or a saved edit changes the accepted masks the training / playback panels count and show;
    # "accept remaining" emits one signal per proposal: refresh once, after the burst
    pending_refresh = QTimer(window, singleShot=True, interval=0)
    pending_refresh.timeout.connect(seg.refresh)
    window.review.panel.status_changed.connect(lambda *_: pending_refresh.start())
    for name in ("training", "segment", "export", "playback", "quality"):
        # one tab group on the right: stacked groups would make the window taller than a laptop screen
        window.removeDockWidget(seg.docks[name])
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, seg.docks[name])
        window.tabifyDockWidget(window.review.dock, seg.docks[name])
        seg.docks[name].show()
    from .scene_panel import install_scene_panel  # every person at once (issue 11)

    scene = window.scene_run = install_scene_panel(window, window.review.project, on_done=lambda _r: seg.refresh())
    window.review.project_changed.connect(scene.set_project)
    window.removeDockWidget(scene.dock)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, scene.dock)
    window.tabifyDockWidget(window.review.dock, scene.dock)
    scene.dock.show()
    # until a project opens, the persons list is what an analyst needs (opening a project raises Review)
    persons = window.findChild(QDockWidget, "dock_Persons")
    (persons if persons is not None and window.review.project is None else window.review.dock).raise_()
    return window


def fit_to_screen(window) -> None:
    """Never open taller or wider than the screen, whatever the panels' preferred sizes."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    w = min(window.width(), avail.width())
    h = min(window.height(), avail.height())
    window.resize(w, h)
    share_right_dock(window)


def share_right_dock(window, share: float = RIGHT_DOCK_SHARE) -> None:
    """Give the right-hand tab group ``share`` of the window's width; the video gets the rest."""
    right = [d for d in window.findChildren(QDockWidget)
             if window.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea and not d.isFloating()]
    if right:
        window.resizeDocks(right[:1], [int(share * window.width())], Qt.Orientation.Horizontal)

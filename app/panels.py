"""Plug the workflow panels into the main window: review (proposals) and segmentation (training, playback)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget

from .dock_tabs import shorten_dock_titles, tabs_width
from .review.install import install_review
from .run_follow import follow_play_pick
from .segmentation.install import install_segmentation

RIGHT_DOCK_SHARE = 0.40  # of the window's width; every right-hand panel's minimum width stays under ~420 px
RESTORED = "layout_restored"  # window property: the analyst's saved dock layout was restored (dock_layout)
RIGHT_DOCK_MAX_SHARE = 0.55  # the right dock may grow to this share so that every tab reads in full
SMALL_SCREEN_WIDTH = 1366  # screens this wide or narrower (logical px): the window opens maximised
LARGE_WINDOW = (1920, 1200)  # on larger screens the window opens at most this size, centred


def install_panels(window):
    """Install every panel on ``window``; the segmentation side follows the project the review side opens.

    The right-hand side holds one tab group, in workflow order, so the window fits a laptop screen:
    Persons | Review | Training | Segment | Export MP4 | Playback | Quality | Correction | Whole scene,
    with short tab titles (``dock_tabs``) so that every tab reads in full at 1280x720.
    """
    window.review = install_review(window)
    from .review.demo_project import open_demo_project

    window.demo_then = lambda: open_demo_project(window.review)  # File ▸ Open Demo opens the demo's project too
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
    from .scene_install import install_scene_panel  # every person at once (issue 11)

    scene = window.scene_run = install_scene_panel(window, window.review.project, on_done=lambda _r: seg.refresh())
    window.review.project_changed.connect(scene.set_project)
    scene.run_ended.connect(window.review.proposals_added)  # the run proposed for persons that had none
    follow_play_pick(seg, scene, window.review.correction)  # Scene overlay, Scene notes and Fix use Play's run
    from .banner_actions import follow_placed_work

    follow_placed_work(window, window.review)  # the banner's homography line once work is placed (ADR 0053)
    from .person_status import install_person_status  # the Persons table: pending, labels, results per person

    window.person_status = install_person_status(window, window.review, seg, scene)
    from .outside_changes import install_outside_changes  # a humanseg command's writes shown in every panel

    window.outside_changes = install_outside_changes(window, window.review, seg, scene)
    window.outside_changes.version_changed.connect(window.person_status.start)  # the table's counts, live
    window.removeDockWidget(scene.dock)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, scene.dock)
    window.tabifyDockWidget(window.review.dock, scene.dock)
    scene.dock.show()
    raise_start_tab(window)
    shorten_dock_titles(window)
    from .calibrate_action import install_calibrate  # File ▸ Estimate Homography from the Video… (ADR 0014)

    install_calibrate(window)
    from .tab_keys import install_tab_keys  # Ctrl+Tab / Ctrl+Shift+Tab: the next / previous tab (a keyboard walk)

    window.tab_keys = install_tab_keys(window)
    from .help_menu import build_help_menu  # last in the menu bar: Getting Started, the keys, About

    build_help_menu(window, window.review.act_keys)
    return window


def raise_start_tab(window) -> None:
    """Until a project opens, the persons list is what an analyst needs (opening a project raises Review): also
    over a restored layout, whose last tab may be one that says nothing yet (a walk's studio opened on the Fix
    tab's greyed-out "Press Rank…")."""
    persons = window.findChild(QDockWidget, "dock_Persons")
    (persons if persons is not None and window.review.project is None else window.review.dock).raise_()


def initial_geometry(available: QRect) -> tuple[QRect, bool]:
    """(geometry, maximised) of a new window on a screen whose available area is ``available``: maximised
    on screens up to :data:`SMALL_SCREEN_WIDTH` wide, else at most :data:`LARGE_WINDOW`, centred."""
    if available.width() <= SMALL_SCREEN_WIDTH:
        return QRect(available), True
    w, h = min(available.width(), LARGE_WINDOW[0]), min(available.height(), LARGE_WINDOW[1])
    rect = QRect(0, 0, w, h)
    rect.moveCenter(available.center())
    return rect, False


def place_on_screen(window, available: QRect | None = None) -> bool:
    """Show ``window`` sized for its screen (``available``: that screen's available area, default the
    window's screen); True when maximised. The right dock then gets its share (``share_right_dock``)."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            window.show()
            return False
        available = screen.availableGeometry()
    rect, maximised = initial_geometry(available)
    window.show()  # first: before it is shown, the docks' tab groups are not laid out and the minimum is too tall
    window.setGeometry(rect)  # also where a window manager ignores "maximised" (Xvfb has none)
    if maximised:
        window.showMaximized()
    else:
        window.showNormal()
    share_right_dock(window)
    # again once the new size is laid out (a 2560 px screen's 1920 px window gave the right tabs 960 px, not their
    # 40 %: the share was scaled with the resize), unless a saved layout was restored meanwhile (dock_layout)
    QTimer.singleShot(0, lambda: window.property(RESTORED) or share_right_dock(window))
    return maximised


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
    """Give the right-hand tab group ``share`` of the window's width, or what its tabs need to read in full
    (at most :data:`RIGHT_DOCK_MAX_SHARE`); the video gets the rest."""
    area = Qt.DockWidgetArea.RightDockWidgetArea
    right = [d for d in window.findChildren(QDockWidget) if window.dockWidgetArea(d) == area and not d.isFloating()]
    if right:
        need = max(tabs_width(window, area) + 4, _persons_width(window))  # the tab bar's own frame
        width = max(int(share * window.width()), min(need, int(RIGHT_DOCK_MAX_SHARE * window.width())))
        window.resizeDocks(right[:1], [width], Qt.Orientation.Horizontal)


def _persons_width(window) -> int:
    """What the Persons table needs to show every column whole (0 without one)."""
    panel = getattr(window, "person_panel", None)
    return int(panel.needed_width()) if panel is not None and hasattr(panel, "needed_width") else 0


def grow_right_dock(window) -> None:
    """Widen the right-hand tab group to what the Persons table needs now (its columns follow the scene's frame
    numbers), at most :data:`RIGHT_DOCK_MAX_SHARE` of the window; never narrower than the analyst made it."""
    area = Qt.DockWidgetArea.RightDockWidgetArea
    right = [d for d in window.findChildren(QDockWidget) if window.dockWidgetArea(d) == area and not d.isFloating()]
    if right:
        need = min(_persons_width(window), int(RIGHT_DOCK_MAX_SHARE * window.width()))
        if need > right[0].width():
            window.resizeDocks(right[:1], [need], Qt.Orientation.Horizontal)

"""Short dock titles so that every tab of the right-hand group reads in full at 1280x720.

Nine panels share one tab group on the right; with their long names ("Correction", "Whole scene",
"Export MP4") Qt elided them to "Pers…", "Rev…" on a laptop screen. Each dock keeps its object name
(``dock_<long name>``: saved layouts and code find it by that) and its long name in the View ▸ Panels menu
and in the tab's tooltip; the tab and the dock's title bar show the short title.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QToolTip

#: object name -> (short title on the tab, long name for the menu and the tooltip)
DOCK_TITLES: dict[str, tuple[str, str]] = {
    "dock_Persons": ("Persons", "Persons: every person of the trajectories"),
    "dock_Review": ("Review", "Review: accept, reject or edit the proposals"),
    "dock_Correction": ("Fix", "Correction: fix a result frame, retrain and re-segment"),
    "dock_Training": ("Train", "Training: fine-tune the person's network"),
    "dock_Segment": ("Segment", "Segment: run a trained network over the frames"),
    "dock_Export MP4": ("MP4", "Export MP4: the video with the masks overlaid"),
    "dock_Playback": ("Play", "Playback: play the masks over the video"),
    "dock_Quality": ("Quality", "Quality: J per frame against the accepted masks the network did not train on"),
    "dock_Whole scene": ("Scene", "Whole scene: every person at once"),
}
#: the menu's Alt letter where the first one is taken: in View ▸ Panels (Persons) and Segmentation (Play results)
MNEMONICS = {"Play": "P&lay", "Scene": "S&cene", "Timeline": "T&imeline"}


class _TabToolTips(QObject):
    """Shows a dock's long name over its tab (Qt's own tab tooltip repeats the short title)."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.long_names: dict[str, str] = {}

    def eventFilter(self, obj, event) -> bool:  # Qt's name
        if event.type() == QEvent.Type.ChildPolished and isinstance(event.child(), QTabBar):
            event.child().installEventFilter(self)  # tab bars of dock groups come and go with the layout
        elif event.type() == QEvent.Type.ToolTip and isinstance(obj, QTabBar):
            index = obj.tabAt(event.pos())
            text = self.long_names.get(obj.tabText(index)) if index >= 0 else None
            if text:
                QToolTip.showText(event.globalPos(), text, obj)
                return True
        return False


def shorten_dock_titles(window: QMainWindow, titles: dict[str, tuple[str, str]] = DOCK_TITLES) -> None:
    """Give the window's docks their short titles, long names in the menu and in the tab tooltips."""
    tips = getattr(window, "_dock_tab_tips", None)
    if tips is None:
        tips = window._dock_tab_tips = _TabToolTips(window)
        window.installEventFilter(tips)
        for bar in window.findChildren(QTabBar):
            bar.installEventFilter(tips)
    for dock in window.findChildren(QDockWidget):
        short, long = titles.get(dock.objectName(), (None, None))
        if short is None:  # a dock of its own title (the Timeline): its Alt letter alone
            title = dock.windowTitle()
            if title and "&" not in dock.toggleViewAction().text():
                dock.toggleViewAction().setText(MNEMONICS.get(title, f"&{title}"))
            continue
        dock.setWindowTitle(short)
        name = long.split(":")[0]  # the tab's name first (a laptop walk read Correction in the menu, Fix on the tab);
        keyed = MNEMONICS.get(short, f"&{short}")  # an Alt letter each (a keyboard walk: Panels had none)
        dock.toggleViewAction().setText(keyed if name == short else f"{keyed} ({name})")  # set after the title
        dock.toggleViewAction().setToolTip(long)
        tips.long_names[short] = long


def elided_tabs(window: QMainWindow) -> list[str]:
    """The texts of the window's visible dock tabs that are drawn narrower than their text (cut or elided)."""
    cut = []
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible() or bar.visibleRegion().isEmpty():
            continue
        fm = bar.fontMetrics()
        for i in range(bar.count()):
            rect = bar.tabRect(i)  # narrower than its natural size: Qt elides the text
            if (rect.width() < fm.horizontalAdvance(bar.tabText(i)) or rect.width() < bar.tabSizeHint(i).width()
                    or not bar.rect().contains(rect)):
                cut.append(bar.tabText(i))
    return cut


def tabs_width(window: QMainWindow, area) -> int:
    """The width the tab bar of ``area``'s tab group needs to show every tab in full (0: no tabs)."""
    docks = [d for d in window.findChildren(QDockWidget)
             if window.dockWidgetArea(d) == area and not d.isFloating() and not d.isHidden()]
    need = 0
    for bar in window.findChildren(QTabBar):  # hidden until the window shows, but sized already
        if any(bar.tabText(i) in {d.windowTitle() for d in docks} for i in range(bar.count())):
            need = max(need, sum(bar.tabSizeHint(i).width() for i in range(bar.count())))
    return need

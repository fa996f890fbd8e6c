"""The studio window's own menus: File, View, Go."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from .recent import RecentMenu
from .zoom_target import zoom_views


def build_menus(self) -> None:  # (self: the MainWindow)
    """The studio window's File, View and Go menus (the Project, Review, Segmentation and Help menus: the panels')."""
    bar = self.menuBar()
    file = bar.addMenu("&File")
    add_action(self, file, "&Open…", QKeySequence.StandardKey.Open, self._open_dialog)
    recent = RecentMenu(self.recent, self)
    recent.open_requested.connect(self.open_recent)
    file.addMenu(recent)
    add_action(self, file, "Open &Demo", "Ctrl+D", lambda: self.open_demo(then=self.demo_then))
    file.addSeparator()
    add_action(self, file, "&Quit", "Ctrl+Q", self.close)  # StandardKey.Quit maps to nothing on some desktops (a walk)
    view = bar.addMenu("&View")
    add_action(self, view, "&Fit", ["F", "Ctrl+0"], self.frame_view.fit)
    add_action(self, view, "Zoom &In", [QKeySequence.StandardKey.ZoomIn, "+", "="], lambda: zoom_views(self, True))
    add_action(self, view, "Zoom &Out", [QKeySequence.StandardKey.ZoomOut, "-"], lambda: zoom_views(self, False))
    view.addSeparator()
    self.act_labels = add_action(self, view, "Show &Labels", "L", self.overlay.set_show_labels, checked=True)
    self.act_trails = add_action(self, view, "Show &Trails", "T", self.overlay.set_show_trails, checked=True)
    view.addSeparator()
    self._panels_menu = view.addMenu("&Panels")
    go = bar.addMenu("&Go")
    for act in self.timeline.go_actions():
        go.addSeparator() if act is None else go.addAction(act)
        if act is not None:
            self.addAction(act)  # shortcuts work wherever the focus is in the window


def add_action(self, menu, text, keys, slot, checked: bool | None = None) -> QAction:
    """An action in ``menu`` and in the window (its shortcuts work wherever the focus is)."""
    act = QAction(text, self)
    keys = keys if isinstance(keys, list) else [keys]
    act.setShortcuts([k if isinstance(k, QKeySequence) else QKeySequence(k) for k in keys])
    if checked is not None:
        act.setCheckable(True)
        act.setChecked(checked)
        act.toggled.connect(slot)
    else:
        act.triggered.connect(lambda _=False: slot())
    menu.addAction(act)
    self.addAction(act)
    return act

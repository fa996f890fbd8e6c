"""The review's menus: Project (new, open, close, generate, export), Review and Edit (the review keys), and
File ▸ Import Masks…"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from .. import keys


def build_menus(self) -> None:  # (self: the ReviewController)
    """The Project and Review menus, the Edit menu's review keys, and File ▸ Import Masks…"""
    bar = self.window.menuBar()
    menu = bar.addMenu("&Project")
    self.act_new = add_action(self, menu, "&New Project…", self.new_project, "Ctrl+Shift+N")
    self.act_open = add_action(self, menu, "&Open Project…", self.open_project, "Ctrl+Shift+O")
    self.act_close = add_action(self, menu, "&Close Project", self.close_project)
    menu.addSeparator()
    self.act_generate = add_action(self, menu, "&Generate Proposals…", self.generate, "Ctrl+G")
    self.act_export = add_action(self, menu, "&Export Masks…", self.export, "Ctrl+E")
    from .summary_action import show_summary

    self.act_summary = add_action(self, menu, "Project &Summary…", lambda: show_summary(self))
    menu.addSeparator()
    from .parent_action import parent_network

    self.act_parent = add_action(self, menu, "&Parent Network…", lambda: parent_network(self))
    file_menu = next((a.menu() for a in bar.actions() if a.text() == "&File"), None)
    # File ▸ Import Masks… (before Quit), where one looks first; only in Project when there is no File menu
    self.act_import = add_action(self, file_menu or menu, "&Import Masks…", self.import_masks, "Ctrl+I")
    if file_menu is not None:
        file_menu.removeAction(self.act_import)
        file_menu.insertAction(file_menu.actions()[-1], self.act_import)
    # the review keys: one table (app/keys.py), window-wide actions (they work wherever the focus is)
    self.review_actions = []
    menus = {"Review": bar.addMenu("&Review")}
    edit = QMenu("&Edit", bar)
    bar.insertMenu(next((a for a in bar.actions() if a.text() == "&View"), None), edit)
    menus["Edit"] = edit
    go = next((a.menu() for a in bar.actions() if a.text() == "&Go"), None)  # Go to Person beside Go to Frame (a
    if go is not None:  # re-walk looked there)
        go.addSeparator()
    menus["Go"] = go or menus["Review"]
    for spec in keys.KEYS:
        act = self.panel.key_actions[spec.id]
        self.window.addAction(act)  # active even while another tab hides the review panel
        menus[spec.menu].addAction(act)
        self.review_actions.append(act)
    menus["Review"].addSeparator()
    from .label_here import KEYS, TEXT, label_this_frame

    self.act_label_here = add_action(self, menus["Review"], TEXT, lambda: label_this_frame(self), KEYS)
    add_action(self, menus["Review"], "Sho&w Review Panel", self.show_panel, "Ctrl+R")
    # every key, the menus' too (Help lists it as well)
    self.act_keys = add_action(self, menus["Review"], "Review &Keys…", self.show_keys, "F1")


def add_action(self, menu, text: str, slot, keys: str | None = None) -> QAction:
    """An action in ``menu``; with ``keys``, also the window's (its shortcut works wherever the focus is)."""
    act = QAction(text, self.window)
    if keys:
        act.setShortcut(keys)
        self.window.addAction(act)
    act.triggered.connect(lambda _=False: slot())
    menu.addAction(act)
    return act

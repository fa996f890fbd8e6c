"""A keys.json that cannot be followed, said where it is seen: a strip above the video until hidden, and stderr.

A docs walk found both failures silent: the README's own example, ``{"accept": "Space"}``, gave Space to two
actions (Qt then runs neither: "Ambiguous shortcut overload"), and a bad entry's message went to the status bar,
replaced within a second by the project's. :func:`key_clashes` finds a key the file gives that another action
of the window already has; :class:`KeyProblemsBanner` shows every problem at once.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

STYLE = ("#keyProblems { background:#ffb74d; } #keyProblems QLabel { color:#1c1c1c; font-weight:600; "
         "background: transparent; }")


def key_clashes(window: QWidget, overrides: Mapping[str, str], path: Path) -> list[str]:
    """The keys ``overrides`` ({action id: key}, from ``path``) gives that another action of ``window`` has."""
    held: dict[str, list[QAction]] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            if not seq.isEmpty():
                held.setdefault(seq.toString(), []).append(action)
    from app.keys import EDIT_KEYS, PANEL_KEYS

    panel = {QKeySequence(k).toString(): (what, where) for table, where in ((PANEL_KEYS, "the Review panel's"),
                                                                            (EDIT_KEYS, "the mask editor's"))
             for keys, what in table for k in keys.split(" / ")}
    problems = []
    for name, key in overrides.items():
        seq = QKeySequence(key).toString() if key else ""
        first = seq.split(", ")[0]  # a sequence starting with another's key waits on it (Ctrl+Z, Ctrl+Y: Undo)
        others = [a for k in {seq, first} for a in held.get(k, []) if a.objectName() != f"action_{name}"] \
            if key else []
        if others:
            what = others[0].text().replace("&", "") or others[0].objectName()
            problems.append(f"{path}: {name!r}: {key} is {what}'s key too, and a key two actions share does neither: "
                            "choose another")
        elif key and first in panel:
            what, where = panel[first]
            problems.append(f"{path}: {name!r}: {key} is {where} key ({what.split(':')[0]}): it would take it over; "
                            "choose another")
    return problems


class KeyProblemsBanner(QWidget):
    """A strip naming the key file's problems, with Hide."""

    def __init__(self, problems: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("keyProblems")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # (else dark text on the dark window)
        self.setStyleSheet(STYLE)
        self.label = QLabel("Review keys: " + " · ".join(problems) + " (the other keys are as set)")
        self.label.setWordWrap(True)
        hide = QPushButton("Hide")
        hide.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(hide)


def show_key_problems(window, problems: list[str]) -> KeyProblemsBanner | None:
    """Say ``problems`` on stderr and in a banner of ``window`` (its ``add_banner``); None when there are none."""
    if not problems:
        return None
    for text in problems:
        print(f"humanseg-studio: warning: {text}", file=sys.stderr)
    banner = KeyProblemsBanner(problems)
    add = getattr(window, "add_banner", None)
    if add is not None:
        add(banner)
    return banner

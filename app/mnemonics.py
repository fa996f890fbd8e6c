"""Alt+letter to a dialog's fields: each form row's label without a mnemonic gets one no other label or button of the
dialog uses (a walk could reach the fields of Open, Generate and Export only by Tab, through every field before).

Qt's form rows made from text have the field as the label's buddy, so the letter moves the focus there."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QFormLayout, QLabel, QRadioButton, QWidget

_TAKEN = re.compile(r"&([^&\s])")


def _taken(root: QWidget) -> set[str]:
    texts = [w.text() for w in root.findChildren(QAbstractButton)] + [w.text() for w in root.findChildren(QLabel)]
    return {m.group(1).lower() for t in texts for m in _TAKEN.finditer(t.replace("&&", ""))}


def _choice(text: str, taken: set[str]) -> int | None:
    """The index of the letter to mark: a word's first letter first, then any letter; None when all are taken."""
    starts = [m.start() for m in re.finditer(r"\b[^\W\d_]", text)]
    rest = [i for i, c in enumerate(text) if c.isalpha() and i not in starts]
    return next((i for i in starts + rest if text[i].lower() not in taken), None)


def _takes_focus(widget: QWidget | None) -> bool:
    return widget is not None and (widget.focusPolicy() != Qt.FocusPolicy.NoFocus or widget.focusProxy() is not None)


def _first_focusable(item) -> QWidget | None:
    """The first widget of a form row's field (a widget, a layout of them, or a box holding them) that takes the
    focus, or None."""
    if item is None:
        return None
    widget = item.widget()
    if isinstance(widget, QAbstractButton):  # never a button: Alt+letter would press it (a radio's choice made)
        return None
    if widget is not None and (_takes_focus(widget) or widget.layout() is None):
        return widget if _takes_focus(widget) else None
    layout = widget.layout() if widget is not None else item.layout()
    for k in range(layout.count() if layout is not None else 0):
        found = _first_focusable(layout.itemAt(k))
        if found is not None:
            return found
    return None


def add_mnemonics(root: QWidget) -> list[str]:
    """Mark a free letter in every form label of ``root`` that has none yet, with its field (the first widget of a
    row of several) as its buddy; returns the letters given."""
    taken = _taken(root)
    given = []
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel) and not _takes_focus(label.buddy()):  # a row of several widgets (a walk:
                label.setBuddy(_first_focusable(form.itemAt(row, QFormLayout.ItemRole.FieldRole)))  # Export's Folder)
            if not isinstance(label, QLabel) or label.buddy() is None or "&" in label.text():  # marked already
                continue
            text = label.text()
            at = _choice(text, taken)
            if at is None:
                continue
            label.setText(text[:at] + "&" + text[at:])
            taken.add(text[at].lower())
            given.append(text[at].lower())
    for button in [*root.findChildren(QRadioButton), *root.findChildren(QCheckBox)]:  # the choices: their own letters
        text = button.text()
        at = _choice(text, taken) if text and "&" not in text else None
        if at is not None:
            button.setText(text[:at] + "&" + text[at:])
            taken.add(text[at].lower())
            given.append(text[at].lower())
    return given

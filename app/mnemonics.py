"""Alt+letter to a dialog's fields: each form row's label without a mnemonic gets one no other label or button of the
dialog uses (a walk could reach the fields of Open, Generate and Export only by Tab, through every field before).

Qt's form rows made from text have the field as the label's buddy, so the letter moves the focus there."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QAbstractButton, QFormLayout, QLabel, QWidget

_TAKEN = re.compile(r"&([^&\s])")


def _taken(root: QWidget) -> set[str]:
    texts = [w.text() for w in root.findChildren(QAbstractButton)] + [w.text() for w in root.findChildren(QLabel)]
    return {m.group(1).lower() for t in texts for m in _TAKEN.finditer(t.replace("&&", ""))}


def _choice(text: str, taken: set[str]) -> int | None:
    """The index of the letter to mark: a word's first letter first, then any letter; None when all are taken."""
    starts = [m.start() for m in re.finditer(r"\b[^\W\d_]", text)]
    rest = [i for i, c in enumerate(text) if c.isalpha() and i not in starts]
    return next((i for i in starts + rest if text[i].lower() not in taken), None)


def add_mnemonics(root: QWidget) -> list[str]:
    """Mark a free letter in every form label of ``root`` that has a buddy and none yet; returns the letters given."""
    taken = _taken(root)
    given = []
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if not isinstance(label, QLabel) or label.buddy() is None or "&" in label.text():  # marked already
                continue
            text = label.text()
            at = _choice(text, taken)
            if at is None:
                continue
            label.setText(text[:at] + "&" + text[at:])
            taken.add(text[at].lower())
            given.append(text[at].lower())
    return given

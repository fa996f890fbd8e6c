"""A question with one way forward and Cancel (a warning box): True when the way forward was chosen."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_one_way(parent: QWidget | None, title: str, text: str, button: str, cancel_first: bool = False) -> bool:
    """Ask ``text``; the button ``button`` (e.g. "Locate…") answers True, Cancel or closing False. ``button`` is the
    default (Enter) unless ``cancel_first``: a step with no undo (a review cleared a list with Enter)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    way = box.addButton(button, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if cancel_first else way)
    box.exec()
    return box.clickedButton() is way

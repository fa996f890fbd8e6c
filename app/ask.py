"""A question with one way forward and Cancel (a warning box): True when the way forward was chosen."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_one_way(parent: QWidget | None, title: str, text: str, button: str) -> bool:
    """Ask ``text``; the default button ``button`` (e.g. "Locate…") answers True, Cancel or closing False."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    way = box.addButton(button, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(way)
    box.exec()
    return box.clickedButton() is way

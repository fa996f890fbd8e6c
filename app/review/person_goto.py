"""Review ▸ Go to Person… (G): a person's id typed, reviewed near the frame on screen (a crowd walk had no key to
reach person 272 of 41: the Person box wanted the mouse, Ctrl+PgDown walked the table's order)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog


def ask_person(panel) -> None:
    """Ask for a person id and choose it in ``panel``'s Person box (which reviews it near the frame on screen)."""
    box = panel.person_box
    ids = [int(pid) for pid in (box.itemData(i) for i in range(box.count())) if pid is not None]
    if not ids:
        panel.message.emit("Go to Person: no person has proposals yet")
        return
    text, ok = QInputDialog.getText(panel, "Go to Person",
                                    f"Person id ({len(ids)} with proposals, {min(ids)}–{max(ids)}):")
    if not ok or not text.strip():
        return
    try:
        pid = int(text.strip())
    except ValueError:
        panel.message.emit(f"Go to Person: '{text.strip()}' is not a person id")
        return
    if pid not in ids:
        panel.message.emit(f"Go to Person: person {pid} has no proposals in this project")
        return
    box.setCurrentIndex(box.findData(pid))

"""The Whole scene panel's person table: one row per person (id in its colour, state), kept sorted by id.

Rows arrive in any order (this run's persons as the run names them, then the persons of earlier runs that
keep their results); a new row goes where its id belongs, so the table reads 1, 2, 3… whatever the order.
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from app.colors import person_color

WRAP_FROM = 32  # characters: a state longer than this may not fit one line of a narrow dock


def person_table() -> QTableWidget:
    """The empty table: Person and State, read-only, Tab leaving it (a keyboard walk was held in its cells)."""
    table = QTableWidget(0, 2)
    table.setTabKeyNavigation(False)
    table.setHorizontalHeaderLabels(["Person", "State"])
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setToolTip("Click a person to select it (Play and Quality then show that person)")
    return table


def set_state(table: QTableWidget, rows: dict[int, int], pid: int, text: str) -> None:
    """Set ``pid``'s state to ``text``; a new person gets a row at its place by id (``rows``: {pid: row},
    updated)."""
    pid = int(pid)
    row = rows.get(pid)
    if row is None:
        row = bisect_left(sorted(rows), pid)
        table.insertRow(row)
        for other, r in rows.items():  # the rows below shift down by one
            if r >= row:
                rows[other] = r + 1
        rows[pid] = row
        item = QTableWidgetItem(str(pid))
        item.setData(Qt.ItemDataRole.UserRole, pid)
        item.setData(Qt.ItemDataRole.DecorationRole, person_color(pid))  # the colour its results are drawn in
        table.setItem(row, 0, item)
    state = QTableWidgetItem(text)
    state.setToolTip(text)  # the whole of it on hover too
    table.setItem(row, 1, state)
    one_line = table.verticalHeader().defaultSectionSize()
    if len(text) > WRAP_FROM:  # a long state wraps onto more lines (a walk read 'Play an…' after a cancel)
        table.resizeRowToContents(row)
        table.setRowHeight(row, max(one_line, table.rowHeight(row)))
    elif table.rowHeight(row) != one_line:
        table.setRowHeight(row, one_line)

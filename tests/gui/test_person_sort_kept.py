"""The Persons table's sort is kept across sessions (a walk sorted by Agree, reopened, and found id order)."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_sort_is_restored_from_the_settings(qtbot, settings):
    from PySide6.QtCore import Qt

    from app.person_panel import COLUMNS, PersonPanel

    first = PersonPanel()
    qtbot.addWidget(first)
    first.keep_sort(settings)
    agree = len(COLUMNS) - 1
    first.table.sortByColumn(agree, Qt.SortOrder.AscendingOrder)
    again = PersonPanel()
    qtbot.addWidget(again)
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == 0  # before the settings are read: by id
    again.keep_sort(settings)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (agree, Qt.SortOrder.AscendingOrder)
    settings.setValue("persons/sort", "garbage")
    third = PersonPanel()
    qtbot.addWidget(third)
    third.keep_sort(settings)  # unreadable: the default sort, no error
    assert third.table.horizontalHeader().sortIndicatorSection() == 0

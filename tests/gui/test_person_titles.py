"""The Persons table's column titles read whole in a narrow dock (a walk read "Pendinc" and "Trainec" at 500 px):
each column as wide as its title or widest cell, narrower docks scroll sideways."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics


def test_every_title_reads_whole_in_a_500_px_dock(qtbot):
    from app.person_panel import COLUMNS, PersonPanel

    panel = PersonPanel()
    qtbot.addWidget(panel)
    panel.resize(480, 400)
    panel.show()
    qtbot.waitExposed(panel)
    header = panel.table.horizontalHeader()
    bold = QFont(header.font())
    bold.setWeight(QFont.Weight.Medium)
    fm = QFontMetrics(bold)
    cut = [c for i, c in enumerate(COLUMNS) if header.sectionSize(i) < fm.horizontalAdvance(c) + 2]
    assert cut == [], cut
    assert header.length() <= 500  # the ten fit a 1280 px window's dock (Qt's own hints: 746 px)


def test_the_review_person_box_shows_a_three_digit_id_whole(qtbot):
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from app.review.review_panel import ReviewPanel

    panel = ReviewPanel()
    qtbot.addWidget(panel)
    box = panel.person_box
    box.addItem("1452", 1452)
    panel.show()
    qtbot.waitExposed(panel)
    opt = QStyleOptionComboBox()
    box.initStyleOption(opt)
    text = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField,
                                      box)
    assert text.width() >= box.fontMetrics().horizontalAdvance("1452") + box.iconSize().width()

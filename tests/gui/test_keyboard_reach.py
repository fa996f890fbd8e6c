"""What the keyboard reaches outside Review (a keyboard-only walk): tables Tab leaves, the Fix tab's buttons Tab
reaches, and a focused button that looks focused."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_tables_let_tab_go_on_and_the_fix_buttons_take_it(qtbot):
    """The walk was held in the Scene table's cells by Tab, and could reach none of Rank, Fix frame, Looks right
    and Retrain from here (no focus at all, no key)."""
    from PySide6.QtCore import Qt

    from app.person_panel import PersonPanel
    from app.review.correction_panel import CorrectionPanel
    from app.scene_table import person_table

    persons = PersonPanel()
    qtbot.addWidget(persons)
    assert not persons.table.tabKeyNavigation() and not person_table().tabKeyNavigation()

    class Review:  # what the Fix tab asks of the review controller, as in test_panels_menu
        project = None
        window = None
        panel = type("P", (), {"pid": None, "scene": None})()

    fix = CorrectionPanel(Review())
    qtbot.addWidget(fix)
    for button in (fix.refresh_btn, fix.fix_btn, fix.checked_btn, fix.retrain_btn):
        assert button.focusPolicy() == Qt.FocusPolicy.TabFocus  # Tab, not a click, moves the keys' focus there


@pytest.fixture
def styled_row(qtbot, qapp):
    """A shown row of the widgets given, under the studio's style sheet (taken off afterwards)."""
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from app.main import style_sheet

    qapp.setStyleSheet(style_sheet())
    hosts = []  # kept alive for the test

    def show(*widgets):
        host = QWidget()
        hosts.append(host)
        qtbot.addWidget(host)
        row = QHBoxLayout(host)
        for w in widgets:
            row.addWidget(w)
        host.show()
        qtbot.waitExposed(host)
        return widgets

    yield show
    qapp.setStyleSheet("")


def _left_edge(qtbot, widget, other) -> list:
    """The colour of ``widget``'s left border half-way down: with ``other`` focused, then with itself focused."""
    colours = []
    for focus in (other, widget):
        focus.setFocus()
        qtbot.waitUntil(focus.hasFocus, timeout=2000)
        colours.append(widget.grab().toImage().pixelColor(0, widget.height() // 2))
    return colours


def test_a_focused_button_looks_focused(qtbot, styled_row):
    """The walk measured 1.1:1 between a focused push button's fill and an unfocused one's."""
    from PySide6.QtWidgets import QLineEdit, QPushButton

    edge = _left_edge(qtbot, *styled_row(QPushButton("Start"), QLineEdit()))  # a light blue when focused
    assert edge[1].blue() > 200 and edge[0].blue() < 120, edge


def test_a_focused_drop_down_looks_focused(qtbot, styled_row):
    """A walk: Alt+letter moved the focus to a drop-down of the Open dialog, which looked like any other."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    box, other = styled_row(QComboBox(), QLineEdit())
    box.addItems(["uv", "rowcol"])
    edge = _left_edge(qtbot, box, other)
    assert edge[1].blue() > 200 and edge[0].blue() < 120, edge


def test_each_menu_s_mnemonics_are_unique(qtbot):
    """The walk's Review menu had E three times, R and P twice: pressing e only moved the highlight."""
    from app.main_window import MainWindow
    from app.panels import install_panels

    window = install_panels(MainWindow())
    qtbot.addWidget(window)
    menus = [(top.text(), top.menu()) for top in window.menuBar().actions()]
    seen = []
    while menus:
        name, menu = menus.pop()
        letters, missing = [], []
        for act in menu.actions():
            if act.isSeparator():
                continue
            if act.menu() is not None:  # submenus too (View ▸ Panels had no Alt letter at all: a keyboard walk)
                menus.append((f"{name} ▸ {act.text()}", act.menu()))
            text = act.text().replace("&&", "")
            at = text.find("&")
            if at >= 0:
                letters.append(text[at + 1].lower())
            elif "Panels" in name:
                missing.append(text)
        twice = sorted({c for c in letters if letters.count(c) > 1})
        assert twice == [] and missing == [], (name, twice, missing)
        seen.append(name)
    assert any("Panels" in n for n in seen)


def test_the_status_chips_words_read_at_4_5_to_1():
    """The walk measured white on the pending grey at 2.96:1 and on the accepted green at 3.03:1 (WCAG AA asks 4.5)."""
    from PySide6.QtGui import QColor

    from app.review.status_counts import STATUS_COLORS, text_on

    def lum(c: QColor) -> float:
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for status, back in STATUS_COLORS.items():
        a, b = sorted((lum(back), lum(QColor(text_on(back)))))
        assert (b + 0.05) / (a + 0.05) >= 4.5, status


def test_a_checked_box_and_a_status_chip_look_focused_too(qtbot, styled_row):
    """A re-walk: a checked box's focus edge was hidden by its checked border, and the Review chips showed none."""
    from PySide6.QtWidgets import QCheckBox, QLineEdit

    from app.review.status_counts import StatusCounts

    box, other, counts = styled_row(QCheckBox("use it"), QLineEdit(), StatusCounts())
    box.setChecked(True)
    counts.set_counts({"pending": 3, "accepted": 1, "rejected": 0, "edited": 0})
    chip = counts.buttons["pending"]
    for widget in (box, chip):
        other.setFocus()
        qtbot.waitUntil(other.hasFocus, timeout=2000)
        plain = widget.grab().toImage()
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus, timeout=2000)
        assert widget.grab().toImage() != plain, widget

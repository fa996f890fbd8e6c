"""The studio on a laptop screen and on a large one: every dock tab reads in full at 1280x720, the window
opens maximised on screens up to 1366 px wide and at most 1920x1200, centred, on larger ones."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDockWidget, QTabBar


@pytest.fixture
def studio(qtbot, settings):
    from app.main import STYLE
    from app.main_window import MainWindow
    from app.panels import install_panels

    w = install_panels(MainWindow(settings=settings))
    w.setStyleSheet(STYLE.read_text(encoding="utf-8"))  # the studio's look (fonts, paddings), this window only
    qtbot.addWidget(w)
    yield w
    w.close()


def _tab_texts(window):
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and not b.visibleRegion().isEmpty()]
    return bars, [b.tabText(i) for b in bars for i in range(b.count())]


def _laptop(studio, qtbot):
    from app.panels import share_right_dock

    studio.show()
    qtbot.waitExposed(studio)
    studio.resize(1280, 720)
    share_right_dock(studio)
    qtbot.waitUntil(lambda: studio.width() == 1280 and bool(_tab_texts(studio)[1]), timeout=2000)


def test_every_dock_tab_reads_in_full_at_1280x720(studio, qtbot):
    from app.dock_tabs import elided_tabs

    _laptop(studio, qtbot)
    qtbot.waitUntil(lambda: elided_tabs(studio) == [], timeout=3000)  # the dock's new width is laid out
    bars, texts = _tab_texts(studio)
    assert len(texts) >= 9 and {"Persons", "Review", "Train", "Play"} <= set(texts)
    for bar in bars:
        fm = bar.fontMetrics()
        for i in range(bar.count()):
            assert bar.tabRect(i).width() >= fm.horizontalAdvance(bar.tabText(i)), bar.tabText(i)
            assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)  # not elided
            assert bar.rect().contains(bar.tabRect(i)), bar.tabText(i)  # not scrolled out of sight
    assert elided_tabs(studio) == []
    assert studio.frame_view.width() >= 0.4 * 1280  # the video still gets a good share


def test_the_check_sees_cut_tabs_with_the_long_titles(studio, qtbot):
    from app.dock_tabs import DOCK_TITLES, elided_tabs

    _laptop(studio, qtbot)
    for dock in studio.findChildren(QDockWidget):
        if dock.objectName() in DOCK_TITLES:
            dock.setWindowTitle(DOCK_TITLES[dock.objectName()][1].split(":")[0])  # the old long names
    qtbot.waitUntil(lambda: "Whole scene" in _tab_texts(studio)[1], timeout=2000)
    assert elided_tabs(studio)  # what the analyst saw before: "Pers…", "Rev…"


def test_long_names_stay_in_the_menu_and_the_tab_tooltips(studio, qtbot):
    _laptop(studio, qtbot)
    dock = studio.findChild(QDockWidget, "dock_Correction")
    assert dock.windowTitle() == "Fix" and dock.toggleViewAction().text() == "&Fix (Correction)"
    review = studio.findChild(QDockWidget, "dock_Review")
    assert review.toggleViewAction().text() == "&Review"  # one name, said once (with its Alt letter)
    assert "retrain" in dock.toggleViewAction().toolTip()
    assert studio._dock_tab_tips.long_names["Scene"].startswith("Whole scene")


@pytest.mark.parametrize("screen, expected, maximised", [
    (QRect(0, 0, 1280, 720), QRect(0, 0, 1280, 720), True),
    (QRect(0, 0, 1366, 768), QRect(0, 0, 1366, 768), True),
    (QRect(0, 0, 1600, 900), QRect(0, 0, 1600, 900), False),
    (QRect(0, 0, 2560, 1440), QRect(320, 120, 1920, 1200), False),
    (QRect(1920, 0, 3840, 2160), QRect(1920 + 960, 480, 1920, 1200), False),  # a second, 4K screen
])
def test_initial_geometry_by_screen_size(screen, expected, maximised):
    from app.panels import initial_geometry

    assert initial_geometry(screen) == (expected, maximised)


def test_the_window_opens_maximised_on_a_small_screen_and_centred_on_a_large_one(studio, qtbot):
    from app.panels import place_on_screen

    assert place_on_screen(studio, QRect(0, 0, 1280, 720)) is True
    qtbot.waitExposed(studio)
    assert studio.windowState() & Qt.WindowState.WindowMaximized
    studio.showNormal()
    assert place_on_screen(studio, QRect(0, 0, 2560, 1440)) is False
    assert not studio.windowState() & Qt.WindowState.WindowMaximized
    qtbot.waitUntil(lambda: studio.size().width() == 1920, timeout=2000)
    assert studio.geometry() == QRect(320, 120, 1920, 1200)


def test_a_long_status_message_is_elided_in_the_middle_at_1280x720(studio, qtbot):
    """The bar's message area ends where the cursor and frame labels begin: a longer message keeps its start
    and its end (elided in the middle), the whole text is the tooltip and what ``currentMessage`` says."""
    _laptop(studio, qtbot)
    bar = studio.statusBar()
    bar.set_frame(1234, 25.0, 5000)
    bar.set_cursor(640.0, 360.0, (12.34, 5.67))
    qtbot.waitUntil(lambda: bar.cursor_label.geometry().left() > 0, timeout=2000)
    text = ("Person 3: 212 proposals (180 new, 32 frames skipped: no detection near the track point within "
            "40 px; the trajectory leaves the image on 14 frames) written to /home/analyst/projects/zara01/"
            "proposals in 3 min 12 s -- the END")
    bar.showMessage(text, 60_000)
    drawn = super(type(bar), bar).currentMessage()  # what Qt draws
    fm = bar.fontMetrics()
    room = bar.cursor_label.geometry().left()  # the message starts near x = 0
    assert fm.horizontalAdvance(text) > room  # the case: the whole text would be cut
    assert fm.horizontalAdvance(drawn) <= room and "…" in drawn
    assert drawn.startswith("Person 3: 212") and drawn.endswith("the END")
    assert bar.toolTip() == text and bar.currentMessage() == text
    bar.showMessage("Short message", 60_000)  # a message that fits: as it is, no tooltip
    assert super(type(bar), bar).currentMessage() == "Short message" and bar.toolTip() == ""
    bar.clearMessage()
    assert bar.currentMessage() == "" and bar.toolTip() == ""


def test_the_edit_toolbar_keeps_undo_redo_and_save_on_one_row_at_1280(studio, qtbot):
    """At 1280 px the Review edit toolbar wrapped 'Redo' away from 'Undo' (13_edit.png): the three actions
    now wrap together, below the tools."""
    from PySide6.QtCore import QPoint

    _laptop(studio, qtbot)
    studio.review.dock.raise_()
    editor = studio.review.panel.editor
    editor.setVisible(True)  # as in edit mode
    qtbot.waitUntil(lambda: editor.width() > 0 and editor.isVisible(), timeout=2000)
    qtbot.wait(50)

    def y(w):
        return w.mapTo(editor, QPoint(0, 0)).y()

    assert y(editor.undo_button) == y(editor.redo_button) == y(editor.save_button)
    assert editor.redo_button.mapTo(editor, QPoint(0, 0)).x() > editor.undo_button.mapTo(editor, QPoint(0, 0)).x()


def test_a_large_screens_window_gives_the_right_tabs_their_share(studio, qtbot):
    """A walk on a 2560 px screen: the 1920 px window gave the right-hand tabs 960 px (half), not their 40 %; the
    share is given again once the new size is laid out, unless the analyst's saved layout was restored."""
    from PySide6.QtWidgets import QDockWidget

    from app.panels import RESTORED, RIGHT_DOCK_SHARE, place_on_screen

    def right_width() -> int:
        area = Qt.DockWidgetArea.RightDockWidgetArea
        return max(d.width() for d in studio.findChildren(QDockWidget)
                   if studio.dockWidgetArea(d) == area and not d.isFloating() and d.isVisible())

    place_on_screen(studio, QRect(0, 0, 2560, 1440))
    qtbot.waitUntil(lambda: studio.size().width() == 1920, timeout=2000)
    qtbot.waitUntil(lambda: abs(right_width() - RIGHT_DOCK_SHARE * 1920) <= 12, timeout=2000)
    place_on_screen(studio, QRect(0, 0, 2560, 1440))  # then, before any event, the analyst's layout restored
    studio.resizeDocks([d for d in studio.findChildren(QDockWidget) if d.isVisible()
                        and studio.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea][:1],
                       [1000], Qt.Orientation.Horizontal)
    studio.setProperty(RESTORED, True)
    qtbot.wait(100)
    assert right_width() > RIGHT_DOCK_SHARE * 1920 + 100  # left as restored


def test_a_message_has_the_cursor_labels_room_while_the_cursor_is_off_the_video(studio, qtbot):
    """A re-walk at 1280 px: messages had about 610 px, the empty cursor label keeping its 330 px ("Project demo
    closed (other inputs opened; al… open: Project ▸ New Project…"). Off the video that room is the message's."""
    _laptop(studio, qtbot)
    bar = studio.statusBar()
    bar.set_frame(1234, 25.0, 5000)
    bar.set_cursor(None)
    text = ("Project demo closed (other inputs opened; all is saved) · no project open: Project ▸ New Project… "
            "(Ctrl+Shift+N)")
    bar.showMessage(text, 60_000)
    assert super(type(bar), bar).currentMessage() == text  # whole
    bar.set_cursor(640.0, 360.0, (12.34, 5.67))  # over the video: the coordinates take their room back
    qtbot.waitUntil(lambda: bar.cursor_label.isVisible() and bar.cursor_label.geometry().left() > 0, timeout=2000)
    assert "…" in super(type(bar), bar).currentMessage() and bar.currentMessage() == text
    bar.set_cursor(None)
    assert super(type(bar), bar).currentMessage() == text

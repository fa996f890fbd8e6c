"""The Review keys help fits the screen and says each key once (a walk: its OK button was below the screen's edge at
1280x720 and 1400x900; rows read "Accept: Accept this mask…", "Reject: Reject: wrong person…")."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_the_keys_help_fits_the_screen_and_scrolls(qtbot):
    from app import keys
    from app.text_dialog import SCREEN_SHARE, text_dialog

    html = keys.help_text()
    dialog = text_dialog(None, "Review keys", html)
    qtbot.addWidget(dialog)
    avail = dialog.screen().availableGeometry()
    assert dialog.height() <= avail.height() * SCREEN_SHARE + 1 and dialog.width() <= avail.width() * SCREEN_SHARE + 1
    long = text_dialog(None, "t", "<p>line</p>" * 400)  # far taller than any screen: it scrolls
    qtbot.addWidget(long)
    assert long.height() <= avail.height() * SCREEN_SHARE + 1


def test_each_key_is_said_once():
    from app import keys

    html = keys.help_text()
    assert "Accept: Accept" not in html and "Reject: Reject" not in html
    assert "Accept this mask as a training label" in html


def test_the_help_fits_its_window_too(qtbot):
    """A walk on a 2560x1440 screen: the keys help, sized to the screen, stood out above the 1920x1200 window."""
    from PySide6.QtWidgets import QWidget

    from app import keys
    from app.text_dialog import SCREEN_SHARE, text_dialog

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(700, 420)
    window.show()
    qtbot.waitExposed(window)
    dialog = text_dialog(window, "Review keys", keys.help_text())
    qtbot.addWidget(dialog)
    assert dialog.height() <= 420 * SCREEN_SHARE + 1 and dialog.width() <= 700 * SCREEN_SHARE + 1

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

"""The first dialogs' modules are imported in the background once the studio is up (the Generate dialog's first
opening had paused the window 0.7 s)."""

import sys

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_warm_up_imports_what_it_can_and_skips_what_is_missing(qtbot):
    from app.warm_up import MODULES, warm_up

    assert "humanseg_core.proposals.association" in MODULES
    done = warm_up(("humanseg_core.proposals.association", "no_such_module_here"))
    assert done == ["humanseg_core.proposals.association"] and "humanseg_core.proposals.association" in sys.modules


def test_warm_up_later_runs_it_off_the_gui_thread(qtbot, monkeypatch):
    import threading

    import app.warm_up as module

    seen = []
    monkeypatch.setattr(module, "warm_up", lambda: seen.append(threading.current_thread().name))
    module.warm_up_later(0)
    qtbot.waitUntil(lambda: seen == ["warm-up"], timeout=2000)

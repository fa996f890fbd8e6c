"""PySide6 6.12 on CPython 3.11 drops references to None and True in Qt calls; app/__init__ guards them (a long
session died with "Fatal Python error: none_dealloc", a walk's studio with "bool_dealloc")."""

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui


def test_many_void_qt_calls_do_not_exhaust_none():
    """PySide6 6.12 on CPython 3.11 drops a reference to None per void call; app/__init__ guards it."""
    import sys

    from PySide6.QtCore import QObject

    import app  # noqa: F401

    if sys.implementation.name == "cpython" and sys.version_info < (3, 12):
        assert sys.getrefcount(None) > 1 << 39  # the guard: None is as good as immortal
    obj = QObject()
    for _ in range(20_000):  # more than None's whole reference count in a fresh interpreter
        obj.setObjectName("x")
    assert sys.getrefcount(None) > 1_000_000 or sys.version_info >= (3, 12)


def test_many_signal_emits_do_not_exhaust_true():
    """The same build drops a reference to True on every Signal.emit(): a walk's studio died with "Fatal Python
    error: bool_dealloc" after 57 s of playback (its brush edits unsaved)."""
    import sys

    from PySide6.QtCore import QObject, Signal

    import app  # noqa: F401

    class Emitter(QObject):
        fired = Signal()

    if sys.implementation.name == "cpython" and sys.version_info < (3, 12):
        assert sys.getrefcount(True) > 1 << 39 and sys.getrefcount(False) > 1 << 39
    e = Emitter()
    e.fired.connect(lambda: None)
    for _ in range(20_000):  # more than True's whole reference count in the studio (about 4,400)
        e.fired.emit()
    assert sys.getrefcount(True) > 1_000_000 or sys.version_info >= (3, 12)

"""HumanSeg Studio: the Qt user interface. All model work happens in humanseg_core, off the GUI thread."""

import sys as _sys

# PySide6/shiboken6 6.12.0 on CPython < 3.12 drops one reference to None on every call of a Qt method that
# returns void or a null pointer (measured: 100 calls of QObject.setObjectName lower
# sys.getrefcount(None) by 100), so a long session or a benchmark loop dies with "Fatal Python error:
# none_dealloc". CPython 3.12 makes None immortal; do the same here by giving None a huge reference count.
# The same build drops one reference to True on every Signal.emit() (a walk: 88 per 20 brush strokes, 297 per 10 s
# of playback; "Fatal Python error: bool_dealloc" after 57 s of playing): True and False get the same treatment.
if _sys.implementation.name == "cpython" and _sys.version_info < (3, 12):
    import ctypes as _ctypes

    for _singleton in (None, True, False):
        if _sys.getrefcount(_singleton) < (1 << 40):
            _ctypes.c_ssize_t.from_address(id(_singleton)).value += 1 << 40

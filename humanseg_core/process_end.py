"""Ending the process once its work is done, without the interpreter's teardown (seconds once torch is imported),
for the console command (ADR 0050) and the studio (``app.main.exit_now``)."""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn


def end_process(code: int) -> NoReturn:
    """Run the ``atexit`` handlers (project locks, Ray's shutdown, temporary folders, logging), flush stdout and
    stderr, and end the process with ``code``."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)

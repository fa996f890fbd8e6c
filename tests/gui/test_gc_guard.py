"""Cyclic garbage is collected on the GUI thread only while the studio runs (a worker thread collecting Qt
objects can crash PySide)."""

from __future__ import annotations

import gc
import weakref

import pytest

pytestmark = pytest.mark.gui


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_collector_turns_automatic_gc_off_and_collects_on_its_timer(qtbot):
    from app.gc_guard import GuiThreadCollector

    was_enabled = gc.isenabled()
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        collector.thresholds = (0, 0, 0)  # every count is due
        node = Node()
        ref = weakref.ref(node)
        del node
        assert ref() is not None  # nobody collected it yet: automatic collection is off
        qtbot.waitUntil(lambda: ref() is None, timeout=2000)  # the timer's collection freed it
    finally:
        collector.stop()
    assert gc.isenabled()
    if not was_enabled:
        gc.disable()


def test_nothing_is_due_below_the_thresholds(qtbot):
    from app.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(interval_ms=10_000)
    try:
        collector.thresholds = (10**9, 10**9, 10**9)
        assert collector.collect_due() == 0
    finally:
        collector.stop()

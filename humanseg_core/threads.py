"""CPU threads that give way to other work on the machine.

torch's OpenMP threads spin while they wait for each other, so a thread the operating system gives to another
process stalls all of them: on a 2-core machine with another job using most of one core, two threads trained
4-10x slower than one (walks: 60 s against 6 s for 14 steps; a whole-scene run 164 s against 18 s). Idle, two
threads train about 25 % faster than one (BENCHMARKS "Training threads on this 2-core machine").

:class:`ThreadGovernor` keeps the torch thread count at the cores the *other* processes leave free, measured
from ``/proc/stat`` (all cores' busy time) less this process's own CPU time (``/proc/self/stat``), between
calls of :meth:`ThreadGovernor.tick` at most every ``every_s`` seconds. It never goes above the count it started
with (the user's ``--workers``, ``OMP_NUM_THREADS`` or torch's default) and never below one. Where ``/proc`` is
not there (macOS, Windows) it does nothing.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable

#: another process's use of a core (in cores) from which a thread is given up: a quarter of a core stalls the
#: spinning threads often enough to lose the idle machine's gain
GIVE_WAY = 0.25
EVERY_S = 3.0  # how often the load is looked at (reading two /proc files: about 0.1 ms)
FIRST_S = 0.5  # the first look, after the job starts
_BASE: list[int] = []  # the process's thread count when the first governor was made


def base_threads(now: int) -> int:
    """The thread count this process started its jobs with (the user's ``--workers``, ``OMP_NUM_THREADS`` or
    torch's default): a job started while an earlier one had given threads up may take them back."""
    if not _BASE:
        _BASE.append(int(now))
    return _BASE[0]


def _machine_busy_s() -> float | None:
    """Seconds all cores have been busy since boot (``/proc/stat``'s first line: user, nice, system, irq,
    softirq, steal), or None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            parts = fh.readline().split()
        if parts[0] != "cpu":
            return None
        ticks = [int(x) for x in parts[1:]]
    except (OSError, ValueError, IndexError):
        return None
    busy = ticks[0] + ticks[1] + ticks[2] + sum(ticks[5:8])  # not idle (3) nor iowait (4)
    return busy / _hz()


def _own_busy_s() -> float:
    """This process's CPU seconds, every thread (user + system)."""
    t = os.times()
    return t.user + t.system


def _hz() -> float:
    try:
        return float(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError, AttributeError):
        return 100.0


def threads_for(others_busy: float, most: int, cores: int | None = None) -> int:
    """Threads to use when other processes keep ``others_busy`` cores busy, at most ``most``, at least 1, on a
    machine of ``cores`` cores (default: this one's)."""
    cores = cores or os.cpu_count() or 1
    taken = max(0, math.ceil(others_busy - GIVE_WAY))  # cores the others hold
    return max(1, min(int(most), cores - taken))


class ThreadGovernor:
    """Sets torch's thread count to what the machine's other work leaves (see the module's text).
    ``set_threads``/``get_threads``: torch's by default (tests give others)."""

    def __init__(self, most: int | None = None, every_s: float = EVERY_S,
                 set_threads: Callable[[int], None] | None = None, get_threads: Callable[[], int] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 machine: Callable[[], float | None] = _machine_busy_s, own: Callable[[], float] = _own_busy_s,
                 cores: int | None = None):
        if set_threads is None or get_threads is None:
            import torch

            set_threads, get_threads = torch.set_num_threads, torch.get_num_threads
        self._set, self._get = set_threads, get_threads
        self.start_threads = int(get_threads())
        self.most = int(most) if most is not None else base_threads(self.start_threads)
        self.every_s = float(every_s)
        self._clock, self._machine, self._own = clock, machine, own
        self.cores = cores
        self._last = self._sample()
        self._next = self._clock() + min(FIRST_S, self.every_s)  # the first look soon after the start
        self.changes: list[tuple[float, int]] = []  # (others' busy cores, threads set) at each change

    def _sample(self) -> tuple[float, float, float] | None:
        machine = self._machine()
        return None if machine is None else (self._clock(), machine, self._own())

    @property
    def active(self) -> bool:
        return self._last is not None and self.most > 1

    def tick(self) -> int:
        """Look at the load when ``every_s`` has passed since the last look; returns the thread count in use."""
        if not self.active:
            return int(self._get())
        assert self._last is not None
        if self._clock() < self._next:
            return int(self._get())
        sample = self._sample()
        if sample is None:
            return int(self._get())
        self._next = sample[0] + self.every_s
        elapsed = sample[0] - self._last[0]
        others = max(0.0, (sample[1] - self._last[1]) - (sample[2] - self._last[2])) / max(elapsed, 1e-6)
        self._last = sample
        want = threads_for(others, self.most, self.cores)
        if want != int(self._get()):
            self._set(want)
            self.changes.append((round(others, 2), want))
        return want

    def restore(self) -> None:
        """Back to the count it started with (the job is done)."""
        if int(self._get()) != self.start_threads:
            self._set(self.start_threads)


class JobGovernor:
    """What a job's runner (:func:`humanseg_core.jobs.run_job`, the studio's worker) ticks at each progress
    report: a :class:`ThreadGovernor` made once the job has loaded torch (a job without torch, an export, never
    loads it for this). Set ``HUMANSEG_FIXED_THREADS=1`` to keep the thread count as it is."""

    def __init__(self) -> None:
        self.governor: ThreadGovernor | None = None
        self._off = os.environ.get("HUMANSEG_FIXED_THREADS", "") not in ("", "0")

    def tick(self) -> None:
        if self._off:
            return
        if self.governor is None:
            if "torch" not in sys.modules:
                return
            self.governor = ThreadGovernor()
        self.governor.tick()


__all__ = ["GIVE_WAY", "JobGovernor", "ThreadGovernor", "base_threads", "threads_for"]

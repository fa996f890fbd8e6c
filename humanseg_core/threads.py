"""CPU threads that give way to other work on the machine.

torch's OpenMP threads spin while they wait for each other, so a thread the operating system gives to another
process stalls all of them: on a 2-core machine with another job using most of one core, two threads trained
4-10x slower than one (walks: 60 s against 6 s for 14 steps; a whole-scene run 164 s against 18 s). Idle, two
threads train about 25 % faster than one (BENCHMARKS "Training threads on this 2-core machine").

:class:`ThreadGovernor` keeps the torch thread count at the cores the *other* processes leave free, measured
from ``/proc/stat`` (all cores' busy time) less this process's own CPU time (``os.times``), between calls of
:meth:`ThreadGovernor.tick` at most every ``every_s`` seconds. Work at a lower priority than ours (the
``nice`` column, when this process is not niced itself) is not counted: the scheduler gives us its cores (a
review: an always-on nice-19 job on every core of a workstation would have held every run to one thread). It
never goes above the count the job started with (the user's ``--workers``, ``OMP_NUM_THREADS`` or torch's
default), follows a count the job's own code sets (``osvos.batch``'s one thread per parallel person), never goes
below one, and puts the count back when the job ends (:meth:`ThreadGovernor.restore`). Where ``/proc`` is not
there (macOS, Windows) it does nothing.
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
EVERY_S = 3.0  # how often the load is looked at (reading /proc/stat: about 0.1 ms)
FIRST_S = 0.5  # the first look, after the job starts


def _niced() -> bool:
    """Whether this process runs at a lower priority than the default (then niced work competes with it)."""
    try:
        return os.nice(0) > 0
    except (OSError, AttributeError):
        return False


def _machine_busy_s() -> float | None:
    """Seconds all cores have been busy since boot (``/proc/stat``'s first line: user, nice when this process
    is niced itself, system, irq, softirq, steal), or None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            parts = fh.readline().split()
        if parts[0] != "cpu":
            return None
        ticks = [int(x) for x in parts[1:]]
    except (OSError, ValueError, IndexError):
        return None
    nice = ticks[1] if _niced() else 0  # not idle (3) nor iowait (4)
    busy = ticks[0] + nice + ticks[2] + sum(ticks[5:8])
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
        self.most = int(most) if most is not None else self.start_threads
        self._seen = self.start_threads  # the count after the last look
        self._mine = False  # whether this governor set the count in use
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
        return self._last is not None

    def tick(self) -> int:
        """Look at the load when ``every_s`` has passed since the last look; returns the thread count in use."""
        if not self.active:
            return int(self._get())
        assert self._last is not None
        now = int(self._get())
        if now != self._seen:  # the job's own code set it (osvos.batch: one a parallel person): the ceiling now
            self.most, self._seen, self._mine = now, now, False
        if self._clock() < self._next:
            return now
        sample = self._sample()
        if sample is None:
            return now
        self._next = sample[0] + self.every_s
        elapsed = sample[0] - self._last[0]
        others = max(0.0, (sample[1] - self._last[1]) - (sample[2] - self._last[2])) / max(elapsed, 1e-6)
        self._last = sample
        want = threads_for(others, self.most, self.cores)
        if want != now:
            self._set(want)
            self._mine = True
            self.changes.append((round(others, 2), want))
        self._seen = want
        return want

    def restore(self) -> None:
        """Undo this governor's own change (the job is done: the next one, and threads started later, begin from
        the job's count, not the one the load left)."""
        if self._mine and int(self._get()) == self._seen and self._seen != self.most:
            self._set(self.most)
        self._mine = False


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

    def close(self) -> None:
        """The job ended (done, failed or cancelled): the thread count as it found it."""
        if self.governor is not None:
            self.governor.restore()


__all__ = ["GIVE_WAY", "JobGovernor", "ThreadGovernor", "threads_for"]

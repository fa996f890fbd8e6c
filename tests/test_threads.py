"""Torch's CPU threads give way to other work on the machine (humanseg_core.threads): walks on a busy 2-core
machine trained 4-10x slower with two spinning threads than with one."""

from humanseg_core.threads import ThreadGovernor, threads_for


def test_threads_follow_the_cores_other_processes_leave():
    assert threads_for(0.0, 2, cores=2) == 2
    assert threads_for(0.2, 2, cores=2) == 2  # a little background noise: both
    assert threads_for(0.8, 2, cores=2) == 1  # the walk's case: another job on most of a core
    assert threads_for(2.0, 2, cores=2) == 1  # never below one
    assert threads_for(1.0, 8, cores=8) == 7 and threads_for(3.5, 8, cores=8) == 4
    assert threads_for(0.0, 1, cores=8) == 1  # never above what it started with


class _Machine:
    """A fake clock, machine and process: ``others`` cores busy with other work, ``mine`` with this process."""

    def __init__(self):
        self.t, self.machine, self.own, self.others, self.mine, self.threads = 0.0, 0.0, 0.0, 0.0, 1.0, 2

    def advance(self, seconds):
        self.t += seconds
        self.machine += (self.others + self.mine) * seconds
        self.own += self.mine * seconds

    def governor(self, **kw):
        return ThreadGovernor(set_threads=self._set, get_threads=lambda: self.threads, clock=lambda: self.t,
                              machine=lambda: self.machine, own=lambda: self.own, cores=2, **kw)

    def _set(self, n):
        self.threads = n


def test_the_governor_gives_a_thread_up_under_load_and_takes_it_back():
    m = _Machine()
    g = m.governor(most=2, every_s=3.0)
    assert g.active
    m.others = 0.9
    m.advance(0.6)
    assert g.tick() == 1 and m.threads == 1  # the first look comes soon after the start
    m.advance(1.0)
    m.others = 0.0
    assert g.tick() == 1  # not looked at again before every_s
    m.advance(3.0)
    assert g.tick() == 2 and m.threads == 2  # the other job ended: both threads again
    assert [n for _, n in g.changes] == [1, 2]


def test_the_governor_counts_only_the_other_processes():
    m = _Machine()
    m.mine = 2.0  # this process on both cores: that is not load to give way to
    g = m.governor(most=2, every_s=1.0)
    m.advance(2.0)
    assert g.tick() == 2 and not g.changes


def test_the_governor_stays_out_of_the_way_without_proc_or_with_one_thread():
    m = _Machine()
    g = ThreadGovernor(most=2, set_threads=m._set, get_threads=lambda: m.threads, clock=lambda: m.t,
                       machine=lambda: None, own=lambda: m.own)
    m.others = 2.0
    m.advance(10)
    assert not g.active and g.tick() == 2
    m.threads = 1
    g = m.governor()
    m.others = 0.0
    m.advance(10)
    assert g.tick() == 1 and m.threads == 1 and not g.changes  # a single-thread job: never more


def test_the_governor_follows_the_jobs_own_count_and_puts_its_change_back():
    """A review: osvos.batch sets one thread a parallel person; the governor took it back to two on its next
    look. And the count the load left stayed after the job (every later thread started at one)."""
    m = _Machine()
    g = m.governor(every_s=1.0)
    m.threads = 1  # the job's code: one thread while persons run in parallel
    m.advance(2.0)
    assert g.tick() == 1 and m.threads == 1 and not g.changes  # idle, still one: the job's ceiling
    m.threads = 2  # the job's code puts its count back
    m.others = 0.9
    m.advance(2.0)
    assert g.tick() == 1 and m.threads == 1  # loaded: one
    g.restore()  # the job ended: its own count again
    assert m.threads == 2
    m.threads = 1
    g.restore()  # nothing of the governor's to undo
    assert m.threads == 1


def test_lower_priority_work_is_not_load_unless_this_process_is_niced(monkeypatch):
    """A review: an always-on nice-19 job on every core would have held every run to one thread."""
    import humanseg_core.threads as threads

    line = "cpu  1000 5000 100 90000 10 0 0 0 0 0\n"  # user, nice, system, idle, iowait, irq, softirq, steal

    class File:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def readline(self):
            return line

    monkeypatch.setattr(threads, "open", File, raising=False)
    monkeypatch.setattr(threads, "_hz", lambda: 100.0)
    monkeypatch.setattr(threads, "_niced", lambda: False)
    assert threads._machine_busy_s() == 11.0  # user + system: the niced 5000 ticks left out
    monkeypatch.setattr(threads, "_niced", lambda: True)
    assert threads._machine_busy_s() == 61.0


def test_a_job_runner_looks_at_the_load_at_each_report_once_torch_is_loaded(monkeypatch):
    """run_job (the CLI, Ray units) and the studio's worker tick a JobGovernor: training reports every step."""
    import pytest

    pytest.importorskip("torch")  # the governor is made once a job has loaded torch
    import humanseg_core.threads as threads
    from humanseg_core.jobs import Progress, run_job

    ticks = []

    class Fake:
        def __init__(self):
            ticks.append("made")

        def tick(self):
            ticks.append("tick")

        def restore(self):
            ticks.append("restore")

    monkeypatch.setattr(threads, "ThreadGovernor", Fake)

    def job():
        for i in range(3):
            yield Progress(i, 3, "step")
        return "done"

    assert run_job(job()) == "done" and ticks == ["made", "tick", "tick", "tick", "restore"]
    def failing():
        yield Progress(0, 1, "step")
        raise RuntimeError("boom")

    ticks.clear()
    try:
        run_job(failing())
    except RuntimeError:
        pass
    assert ticks == ["made", "tick", "restore"]  # a failed job puts the count back too
    monkeypatch.setenv("HUMANSEG_FIXED_THREADS", "1")
    ticks.clear()
    assert run_job(job()) == "done" and ticks == []


def test_the_studios_worker_ticks_the_governor_too(qtbot, monkeypatch):
    import pytest

    pytest.importorskip("torch")
    import humanseg_core.threads as threads
    from app.worker import JobWorker
    from humanseg_core.jobs import Progress

    ticks = []

    class Fake:
        def __init__(self):
            pass

        def tick(self):
            ticks.append("tick")

        def restore(self):
            ticks.append("restore")

    monkeypatch.setattr(threads, "ThreadGovernor", Fake)

    def factory(token):
        for i in range(2):
            yield Progress(i, 2, "step")
        return 1

    worker = JobWorker(factory, name="test")
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert ticks == ["tick", "tick", "restore"]

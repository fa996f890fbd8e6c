"""The remaining time of a job is measured from its first item done, not from its start."""

from humanseg_core.jobs import EtaClock


def test_the_eta_leaves_out_the_time_before_the_first_item():
    """A walk's Segment tab said "ETA 3:26" after frame 1 of 200 (a network loaded first) and was done in 0:25."""
    now = [0.0]
    clock = EtaClock(clock=lambda: now[0])
    now[0] = 20.0  # 20 s of loading, then a frame every 0.1 s
    assert clock.eta(1, 200) is None  # one report: no rate yet
    now[0] = 20.1
    assert abs(clock.eta(2, 200) - 19.8) < 1e-6
    now[0] = 30.0
    assert abs(clock.eta(101, 200) - 9.9) < 1e-6
    assert clock.eta(101, 200) is not None and clock.eta(0, 200) is None and clock.eta(5, 0) is None
    now[0] = 40.0
    assert clock.eta(200, 200) == 0.0

"""A cancel while a person's training prepares stops within one unit of work: train_job checks its cancel
token between the parts of the preparation (reading, label cleaning, the network, the geometry fit, the
parent's opinion on the labels, the training crops) and inside their per-frame loops; train_person checks
it between loading torch, the scene and the accepted masks, before train_job takes over."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from fakes import demo_point, most_seen_person, tiny_parent_file

from humanseg_core.demo import make_demo
from humanseg_core.errors import Cancelled
from humanseg_core.jobs import run_job
from humanseg_core.osvos import label_refine, label_trust, train
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.parent_crops import ParentBatcher
from humanseg_core.prior.parent_net import DEFAULT_CONFIG

TINY = {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 64}
N_FRAMES = 30
#: the expensive units of the preparation, as the spies log them
WORK = {"read", "clean", "net", "geometry", "opinion", "cut"}


class TripToken:
    """A fake cancel token that logs every check and trips after ``after`` checks (None: never)."""

    def __init__(self, log: list[str], after: int | None = None) -> None:
        self.log, self.after, self.checks = log, after, 0

    def raise_if_cancelled(self) -> None:
        self.checks += 1
        self.log.append("check")
        if self.after is not None and self.checks > self.after:
            raise Cancelled("cancelled by the test")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = make_demo(seed=0, n_frames=N_FRAMES, n_walkers=3)
    pid = most_seen_person(d)
    path, _ = tiny_parent_file(tmp_path_factory.mktemp("parent"), TINY)
    masks = {f: d.gt[pid][f] for f in range(0, N_FRAMES, 5) if f in d.gt[pid]}
    assert len(masks) >= 4
    return d, pid, path, masks


def _run(setup, monkeypatch, log: list[str], after: int | None, steps_wanted: int = 1):
    """train_job of osvos-parent with every preparation part on (label cleaning, the parent's opinion),
    each expensive unit logged; returns (the token, the training steps reported)."""
    d, pid, path, masks = setup
    monkeypatch.setattr(label_trust, "CHUNK", 1)  # one crop per forward: one unit between checks

    def spy(name, fn):
        def wrapped(*a, **k):
            log.append(name)
            return fn(*a, **k)
        return wrapped

    def start_net(*a, **k):
        log.append("net")
        return (yield from start_orig(*a, **k))

    start_orig = train._start_net
    monkeypatch.setattr(train, "_start_net", start_net)
    monkeypatch.setattr(train, "fit_geometry", spy("geometry", train.fit_geometry))
    monkeypatch.setattr(label_refine, "refine_label", spy("clean", label_refine.refine_label))
    monkeypatch.setattr(label_trust, "person_input", spy("opinion", label_trust.person_input))
    monkeypatch.setattr(ParentBatcher, "_cut", spy("cut", ParentBatcher._cut))
    token = TripToken(log, after)
    steps: list[int] = []

    def progress(p) -> None:
        if p.data.get("stage") == "train":
            log.append(f"step {p.data['step']}")
            steps.append(int(p.data["step"]))

    config = TrainConfig(model="osvos-parent", steps=steps_wanted, parent=path, refine_labels=True, disagree_conf=0.8,
                         frame_weighting=True, holdout=0)
    others = [q for q in d.pids if q != pid]
    job = train.train_job(spy("read", d.frames), lambda f: demo_point(d, pid, f), masks, config, pid=pid,
                          others_px=lambda f: [demo_point(d, q, f) for q in others if d.world(q, f) is not None],
                          cancel=token)
    try:
        run_job(job, progress)
    finally:
        monkeypatch.undo()
    return token, steps


def test_every_unit_of_the_preparation_is_followed_by_a_check(setup, monkeypatch):
    torch.set_num_threads(1)
    log: list[str] = []
    _token, steps = _run(setup, monkeypatch, log, None)
    assert steps[-1] == 1
    prep = log[: log.index("step 0")]  # before the first report of the step loop
    assert {e for e in prep if e != "check"} == WORK  # every part ran (the test sees them all)
    assert prep[0] == "check"
    since_check: list[str] = []
    for e in prep:
        if e == "check":
            since_check = []
        else:
            since_check.append(e)
            assert len(since_check) <= 1, f"no cancel check between {since_check} (log {prep})"


def test_a_cancel_during_preparation_stops_before_any_training_step(setup, monkeypatch):
    torch.set_num_threads(1)
    log: list[str] = []
    _run(setup, monkeypatch, log, None)
    prep = log[: log.index("step 0")]
    n = prep.count("check")
    assert n >= 10
    for after in sorted({0, 1, n // 4, n // 2, 3 * n // 4, n - 1}):
        log = []
        with pytest.raises(Cancelled):
            _run(setup, monkeypatch, log, after)
        assert not any(e.startswith("step") for e in log), after  # no training step, not even its start
        last = len(log) - 1 - log[::-1].index("check")  # the check that raised
        assert log.count("check") == after + 1 and last == len(log) - 1
        # between the last check let through and the one that raised: at most one unit of work
        assert sum(e in WORK for e in log[0 if after == 0 else _nth(log, after):]) <= 1


def test_a_cancel_between_training_steps_stops_the_training(setup, monkeypatch):
    """Every step checks the token: a cancel three steps in ends a 30-step training there."""
    torch.set_num_threads(1)
    log: list[str] = []
    _run(setup, monkeypatch, log, None)
    prep_checks = log[: log.index("step 0")].count("check")
    log = []
    with pytest.raises(Cancelled):
        _run(setup, monkeypatch, log, prep_checks + 3, steps_wanted=30)
    steps = [int(e.split()[1]) for e in log if e.startswith("step")]
    assert steps and max(steps) <= 4


def _nth(log: list[str], k: int) -> int:
    """The index of the ``k``-th check (1-based)."""
    seen = 0
    for i, e in enumerate(log):
        seen += e == "check"
        if seen == k:
            return i
    raise AssertionError(k)


def _run_person(tmp_path, monkeypatch, log: list[str], after: int | None):
    """train_person on a tiny project, loading the scene, the accepted masks and each frame logged; returns
    the project's runs of the person afterwards."""
    from test_osvos_checkpoint import _tiny_project

    from humanseg_core.project import Project
    from humanseg_core.workflows import train_person

    folder = tmp_path / f"after{after}"
    folder.mkdir()
    project_folder, _masks = _tiny_project(folder)

    def spy(name, fn):
        def wrapped(*a, **k):
            log.append(name)
            return fn(*a, **k)
        return wrapped

    def progress(p) -> None:
        if p.data.get("stage") == "train":
            log.append(f"step {p.data['step']}")

    with Project.open(project_folder) as project:
        load_scene = project.load_scene

        def scene():
            log.append("scene")
            sc = load_scene()
            monkeypatch.setattr(sc.frames, "read", spy("read", sc.frames.read))
            return sc

        monkeypatch.setattr(project, "load_scene", scene)
        monkeypatch.setattr(project, "accepted_masks", spy("masks", project.accepted_masks))
        config = TrainConfig(model="osvos-lite", steps=1, holdout=0, refine_labels=False, allow_download=False)
        try:
            run_job(train_person(project, 1, config, TripToken(log, after)), progress)
        finally:
            monkeypatch.undo()
        return project.runs(1)


def test_a_cancel_while_train_person_loads_the_scene_and_masks_returns_at_once(tmp_path, monkeypatch):
    torch.set_num_threads(1)
    log: list[str] = []
    assert len(_run_person(tmp_path, monkeypatch, log, None)) == 1
    loading = log[: log.index("read") + 1]  # up to the first frame the training reads
    assert loading[0] == "check" and {"scene", "masks"} <= set(loading)
    since = 0
    for e in loading:
        since = 0 if e == "check" else since + 1
        assert since <= 1, f"no cancel check before {e} (log {loading})"
    for after in range(loading.count("check")):
        log = []
        with pytest.raises(Cancelled):
            _run_person(tmp_path, monkeypatch, log, after)
        assert log[-1] == "check" and log.count("check") == after + 1  # the check that raised is the last event
        units = [e for e in log[0 if after == 0 else _nth(log, after):] if e != "check"]
        assert len(units) <= 1, (after, log)  # at most one loading step between the last check passed and it
        assert not any(e.startswith("step") for e in log)

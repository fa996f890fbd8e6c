"""The proposal jobs report every frame (done of total planned frames), and report before any work, so the
studio's bar is never left busy: joint (bgs-owned), per-frame (bgs) and the storing workflow."""

import pytest
from test_joint_proposals import marching_row
from test_osvos_checkpoint import _tiny_project

from humanseg_core.jobs import Progress, run_job
from humanseg_core.project import Project
from humanseg_core.proposals.generate import generate_proposals
from humanseg_core.records import Proposal
from humanseg_core.workflows import ProposeConfig, propose_into


class CountingFrames:
    """Wraps a scene's frames and counts the reads."""

    def __init__(self, frames):
        self._frames, self.reads = frames, 0

    def __getattr__(self, name):
        return getattr(self._frames, name)

    def read(self, index):
        self.reads += 1
        return self._frames.read(index)


def _run(job, frames):
    reports = []
    run_job(job, lambda p: reports.append((p, frames.reads)))
    return reports


@pytest.mark.parametrize("method", ["bgs-owned", "bgs"])
def test_every_frame_is_reported_after_an_early_prepare_report(method):
    scene = marching_row(3)
    scene.frames = frames = CountingFrames(scene.frames)
    reports = _run(generate_proposals(scene, scene.pids, method=method, bgs_algorithm="median"), frames)
    first, reads_before = reports[0]
    assert first.data.get("stage") == "prepare" and first.total > 0
    if method == "bgs-owned":
        assert reads_before == 0  # said before the background model read a frame
    prepare = [p for p, _ in reports if p.data.get("stage") == "prepare"]
    assert len(prepare) >= 2 and len({p.total for p in prepare}) == 1
    assert [p.done for p in prepare] == sorted(p.done for p in prepare) and prepare[-1].done >= prepare[0].total - 1
    per_frame = [p for p, _ in reports if p.data.get("stage") is None]
    plan = sorted({f for p in scene.pids for f in scene.annotated[p]})
    assert [(p.done, p.total) for p in per_frame] == [(i, len(plan)) for i in range(1, len(plan) + 1)]
    assert [p.data["frame"] for p in per_frame] == plan
    # the stages come in order: preparing, then the frames
    stages = [p.data.get("stage") for p, _ in reports]
    assert stages == ["prepare"] * len(prepare) + [None] * len(per_frame)


def test_propose_into_passes_the_frames_on_and_reports_storing(tmp_path):
    folder, masks = _tiny_project(tmp_path)

    def generate(scene, pids, cancel=None, **kw):
        for i in range(1, 4):
            yield Progress(i, 3, f"frame {i}", data={"frame": i})
        return [Proposal(1, 1, (60, 40, 80, 90), masks[1], "bgs:fake")], []

    with Project.open(folder) as project:
        reports = []
        run_job(propose_into(project, [1], ProposeConfig(), generate=generate), reports.append)
    assert [(p.done, p.total) for p in reports] == [(1, 3), (2, 3), (3, 3), (3, 3)]
    assert reports[-1].data["stage"] == "store" and "storing 1 proposals" in reports[-1].message

"""What the whole-scene job says while it segments (the studio's Scene panel shows it): a new analyst on
zara02_center read 'Prepare 0%' / 'Prepare: segmenting preparing: background…' and then 'Segmenting
frame 5055: 0 proposals, 0 skipped' for a whole minute."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from humanseg_core.jobs import Progress, run_job


def test_the_segment_stage_is_not_renamed_by_the_joint_steps_preparation():
    from humanseg_core.workflows.scene_run import segment_progress

    inner = Progress(0, 8, "preparing: background and heights from 8 sample frames", data={"stage": "prepare"})
    p = segment_progress(inner)
    assert p.data["stage"] == "segment"  # was "prepare": the panel's bar read "Prepare 0%"
    assert p.message == "segmenting: preparing: background and heights from 8 sample frames"
    q = segment_progress(Progress(3, 9, "frames 0-31", data={"person_frames": {1: 32}}, eta_s=5.0))
    assert (q.done, q.total, q.eta_s, q.data) == (3, 9, 5.0, {"person_frames": {1: 32}, "stage": "segment"})
    assert q.message == "segmenting: frames 0-31"


def test_per_frame_evidence_names_the_frame_not_proposals(monkeypatch):
    """The joint step streams its masks to the run's writer, so its 'N proposals' count stayed 0."""
    import humanseg_core.proposals.joint as joint
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    def fake_joint(scene, pids, **kwargs):
        yield Progress(0, 2, "preparing: sample frame 1 of 2", data={"stage": "prepare"})
        for k, f in enumerate((10, 20), start=1):
            kwargs["frame_sink"](f, [])
            yield Progress(k, 2, f"frame {f}: 0 proposals, 0 skipped", data={"frame": f, "proposals": 0})
        return [], []

    monkeypatch.setattr(joint, "generate_joint", fake_joint)
    scene = SimpleNamespace(frames=SimpleNamespace(read=lambda f: None),
                            pixel_track=lambda pid: (np.array([10, 20]), None))
    messages: list[str] = []
    run_job(evidence_masks_job(scene, {}, {1: [10, 20]}, parent=object()),
            on_progress=lambda p: messages.append(p.message))
    assert messages[0] == "preparing: sample frame 1 of 2"
    assert messages[1:] == ["frame 10 read (1 of 2 decided)", "frame 20 read (2 of 2 decided)"]


def test_run_prints_a_persons_training_every_few_seconds_and_each_start_message(capsys):
    """A walk's `run` said "person 44 (1/3): training starts" and then nothing for 35 s: its training now says
    its step and loss every few seconds; the start's second message ("3 persons chosen; …") is printed too."""
    from humanseg_core.cli.run import StageProgress

    now = [0.0]
    said = StageProgress(every_s=5.0, clock=lambda: now[0])
    said(Progress(0, 1, "starting on cpu", data={"stage": "start"}))
    said(Progress(0, 1, "1 person chosen; person 7 (run 2) already has results", data={"stage": "start"}))
    for step in range(1, 31):  # 30 steps, one a second
        now[0] += 1.0
        said(Progress(0, 1, f"person 7 (1/1): step {step} loss 0.5", data={"stage": "train", "pid": 7}))
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == ["[start] starting on cpu",  # no "0/1" (a fresh-clone walk)
                         "[start] 1 person chosen; person 7 (run 2) already has results"]
    assert [line.split("step ")[1].split()[0] for line in lines[2:]] == ["1", "6", "11", "16", "21", "26"]
    said(Progress(0, 0, "preparing", data={"stage": "propose", "step": "prepare"}))  # no known length
    said(Progress(0, 0, "looking for empty masks"))  # export's steps: no stage named
    assert capsys.readouterr().err.splitlines() == ["[propose prepare] preparing", "looking for empty masks"]


def test_run_prints_segmentation_and_export_every_few_seconds_not_every_frame(capsys):
    """A walk's `run` log held a line for each of 200 frames exported: the first report of a stage, one every
    few seconds, and the last are printed."""
    from humanseg_core.cli.run import StageProgress

    now = [0.0]
    said = StageProgress(every_s=5.0, clock=lambda: now[0])
    for stage in ("segment", "export"):
        for f in range(1, 201):  # 200 frames, eight a second
            now[0] += 0.125
            said(Progress(f, 200, f"frame {f}", data={"stage": stage}))
        said(Progress(200, 200, "frame 200", data={"stage": stage}))  # a repeated last report: said once
    said(Progress(200, 200, "12 proposals stored for 2 persons", data={"stage": "export", "summary": True}))
    lines = capsys.readouterr().err.splitlines()
    assert lines.pop() == "[export 200/200] 12 proposals stored for 2 persons"  # a stage's summary: said
    done = [(line.split()[0][1:], int(line.split()[1].split("/")[0])) for line in lines]
    assert done == [("segment", 1), ("segment", 41), ("segment", 81), ("segment", 121), ("segment", 161),
                    ("segment", 200), ("export", 1), ("export", 41), ("export", 81), ("export", 121),
                    ("export", 161), ("export", 200)]


def test_a_stages_preparation_is_counted_apart_from_its_frames(capsys):
    """A walk read "[segment 8/8]" (sample frames) and then "[segment 31/250]" (frames) as one counter."""
    from humanseg_core.cli.run import StageProgress
    from humanseg_core.workflows.scene_run import segment_progress

    now = [0.0]
    said = StageProgress(every_s=5.0, clock=lambda: now[0])
    for k in range(1, 9):
        said(segment_progress(Progress(k, 8, f"preparing {k}", data={"stage": "prepare"}), "evidence"))
    for f in range(1, 3):
        said(segment_progress(Progress(f, 250, f"frame {f}", data={"stage": "segment", "frame": f}), "evidence"))
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("] ")[0] + "]" for line in lines] == ["[segment prepare 1/8]", "[segment prepare 8/8]",
                                                            "[segment 1/250]"]


def test_the_training_stage_says_the_time_left():
    """A walk watched 13 persons train for 6 minutes with 'Training 21%' and no time left said."""
    import time

    from humanseg_core.workflows.scene_run import _training_eta

    eta = _training_eta(time.monotonic() - 10.0, 2.0, 5)  # 2 persons in 10 s: 3 more take about 15 s
    assert eta is not None and 14.0 < eta < 16.5
    assert _training_eta(time.monotonic() - 10.0, 0.05, 5) is None  # too little done to say
    assert _training_eta(time.monotonic(), 5.0, 5) == 0.0


def test_the_time_left_is_said_to_be_the_stages(capsys):
    """A walk read "[labels 16/17] … eta 0s" as the run's time left, a minute before the run ended."""
    from humanseg_core.cli.run import StageProgress

    said = StageProgress(every_s=5.0, clock=lambda: 0.0)
    said(Progress(16, 17, "person 208 (16/17): cleaning labels", data={"stage": "labels"}, eta_s=3.0))
    assert capsys.readouterr().err.strip().endswith("eta 3s for this stage")
    said(Progress(17, 17, "person 209 (17/17): cleaning labels", data={"stage": "labels"}, eta_s=5.0))
    assert "eta" not in capsys.readouterr().err  # the stage's last report: no time left (a walk: "80/80 … eta 5s")


def test_the_last_report_of_any_command_says_no_time_left(capsys):
    """The same for the commands that print every report (stderr_progress): "[12/12] … eta 3s" read as work left."""
    from humanseg_core.cli.common import stderr_progress

    stderr_progress(Progress(11, 12, "frame 110", eta_s=3.0))
    assert capsys.readouterr().err.strip().endswith("eta 3s")
    stderr_progress(Progress(12, 12, "storing", eta_s=3.0))
    assert "eta" not in capsys.readouterr().err

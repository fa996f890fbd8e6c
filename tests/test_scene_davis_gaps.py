"""The Whole scene run's own DAVIS export names the frames it has no mask for, like every other export.

Walk: the studio's Whole scene with an export folder (davis) on the demo with frames/00005.jpg truncated:
``<out>/<pid>/`` had no 00005.png and nothing said why (the mots and palette exports of the same run write
skipped_frames.json, through export_job; the DAVIS one is written frame by frame and had none).
"""

import json

import torch

from humanseg_core.demo import write_demo
from humanseg_core.jobs import run_job
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_run import scene_run_job


def test_the_runs_davis_folder_has_skipped_frames_json(tmp_path):
    demo = write_demo(tmp_path / "demo", n_frames=21, width=360, height=288)
    [frame5] = [p for p in (demo / "frames").iterdir() if p.stem.endswith("05")]
    frame5.write_bytes(frame5.read_bytes()[:40])
    config = SceneRunConfig(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu",
                            chunk_frames=8, batch_size=8, refine_labels=False, refine="none",
                            out=tmp_path / "run", fmt="davis")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with Project.create(tmp_path / "proj", ProjectInputs(video=str(demo / "frames"),
                                                             trajectories=str(demo / "trajectories.txt"),
                                                             homography=str(demo / "H.txt"))) as project:
            result = run_job(scene_run_job(project, config))
    finally:
        torch.set_num_threads(threads)
    assert result.persons == [1, 2] and list(result.unreadable) == [5]
    for pid in (1, 2):
        pngs = {p.name for p in (tmp_path / "run" / str(pid)).iterdir()}
        assert "00004.png" in pngs and "00005.png" not in pngs
    [entry] = json.loads((tmp_path / "run" / "skipped_frames.json").read_text())
    assert entry["frame"] == 5 and entry["persons"] == [1, 2] and entry["at"] == "segmentation"
    assert entry["file"].endswith(frame5.name)

"""`humanseg import` / workflows.labels: a DAVIS-style mask folder becomes accepted labels to train on."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fakes import run_cli as _run
from PIL import Image

from humanseg_core.demo import write_demo
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "demo", seed=1, n_frames=21, width=320, height=256)


@pytest.fixture
def project(demo, tmp_path):
    inputs = ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                           homography=str(demo / "H.txt"))
    Project.create(tmp_path / "proj", inputs).close()
    return tmp_path / "proj"


def _pid_with_masks(demo):
    return max((d for d in (demo / "gt").iterdir()), key=lambda d: len(list(d.glob("*.png"))))


@pytest.mark.slow  # trains a few steps
def test_import_binary_masks_then_train(capsys, demo, project):
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import train_person

    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    files = sorted(gt.glob("*.png"))
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", gt)
    assert code == 0, err
    assert doc["imported"] + len(doc["empty"]) == len(files) and doc["imported"] >= 3
    with Project.open(project) as p:
        labels = p.accepted_masks(pid)
        frame = doc["frames"][0]
        truth = cv2.imread(str(gt / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0
        assert np.array_equal(labels[frame], truth)
        config = TrainConfig(model="osvos-lite", steps=2, refine_labels=False, from_scratch=True, prior=False,
                             batch_size=1, max_side=160)
        run = run_job(train_person(p, pid, config))
        assert p.runs(pid)[-1]["id"] == run.run_id and run.steps == 2
    code, doc, _ = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", gt)  # again: no duplicate
    with Project.open(project) as p:
        assert len(p.proposals(pid, with_masks=False)) == doc["imported"]


def test_import_palette_value_and_clear_errors(capsys, demo, project, tmp_path):
    gt = _pid_with_masks(demo)
    pid = int(gt.name)
    frame = int(sorted(gt.glob("*.png"))[0].stem)
    truth = cv2.imread(str(gt / f"{frame:05d}.png"), cv2.IMREAD_GRAYSCALE) > 0
    pal = tmp_path / "pal"
    pal.mkdir()
    index = np.zeros(truth.shape, np.uint8)
    index[truth] = 2
    index[:5, :5] = 1  # another object
    img = Image.fromarray(index, mode="P")
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    img.save(pal / f"{frame:05d}.png")
    code, doc, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", pal, "--value", 2)
    assert code == 0, err
    with Project.open(project) as p:
        assert np.array_equal(p.accepted_masks(pid)[frame], truth)
    bad = tmp_path / "bad"
    bad.mkdir()
    cv2.imwrite(str(bad / "00003.png"), np.full((10, 10), 255, np.uint8))
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", bad)
    assert code == 2 and "00003.png" in err and "10x10" in err and "320x256" in err
    (bad / "00003.png").unlink()
    cv2.imwrite(str(bad / "09999.png"), np.full((256, 320), 255, np.uint8))
    code, _, err = _run(capsys, "import", "--project", project, "--pid", pid, "--masks", bad)
    assert code == 2 and "09999.png" in err and "not a frame of the video" in err

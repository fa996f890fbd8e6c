"""Checkpoints round-trip; corrupt files and missing weights give clear messages; the VGG baseline."""

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from humanseg_core.errors import HumansegError, WeightsError
from humanseg_core.jobs import run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.osvos.segment import Segmenter, segment_job
from humanseg_core.osvos.train import train_job
from humanseg_core.osvos.weights import backbone_state, load_checkpoint, save_checkpoint


def _scene(n=6):
    rng = np.random.default_rng(0)
    frames = {f: rng.integers(0, 255, (120, 160, 3), np.uint8) for f in range(n)}
    masks = {}
    for f in range(n):
        frames[f][40:90, 60 + f:80 + f] = (20, 200, 30)
        m = np.zeros((120, 160), bool)
        m[40:90, 60 + f:80 + f] = True
        masks[f] = m
    track = lambda f: (70.0 + f, 40.0)  # noqa: E731  (the head)
    return frames.__getitem__, track, masks


def test_checkpoint_round_trip(tmp_path):
    reader, track, masks = _scene()
    path = tmp_path / "ck" / "p1.pt"
    res = run_job(train_job(reader, track, masks, TrainConfig(steps=3, allow_download=False), checkpoint_path=path))
    assert res.checkpoint == str(path) and path.is_file()
    state, meta = load_checkpoint(path)
    assert meta["model"] == "osvos-lite" and meta["guidance"] is True and meta["steps"] == 3
    for k, v in res.state_dict.items():
        assert torch.equal(v, state[k])
    a = run_job(segment_job(path, reader, track, [0, 5]))
    b = run_job(segment_job(res, reader, track, [0, 5]))
    assert all(np.array_equal(a[f], b[f]) for f in (0, 5))
    # Resume continues from it.
    res2 = run_job(train_job(reader, track, masks, TrainConfig(steps=2, resume=path, allow_download=False)))
    assert res2.steps == 2
    with pytest.raises(HumansegError, match="cannot resume"):
        run_job(train_job(reader, track, masks, TrainConfig(steps=2, resume=path, guidance=False,
                                                                allow_download=False)))


def test_corrupt_or_foreign_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(WeightsError, match="bad.pt: checkpoint cannot be used: the file is not a PyTorch weights file"):
        load_checkpoint(bad)
    with pytest.raises(WeightsError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(WeightsError, match="not a HumanSeg checkpoint"):
        load_checkpoint(other)
    unknown = save_checkpoint(tmp_path / "u.pt", {}, {"model": "unet-9000"})
    with pytest.raises(WeightsError, match="unknown model"):
        Segmenter.load(unknown)


def test_missing_imagenet_weights_give_a_visible_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    state, warnings = backbone_state("osvos-lite", allow_download=False)
    assert state is None and "training from scratch" in warnings[0]
    assert "mobilenet_v3_small" in warnings[0]
    corrupt = tmp_path / "w.pth"
    corrupt.write_bytes(b"garbage")
    with pytest.raises(WeightsError, match="w.pth: .*is not a PyTorch weights file"):
        backbone_state("osvos-lite", allow_download=False, local_file=corrupt)


def test_cached_imagenet_weights_are_used(tmp_path, monkeypatch):
    import torchvision

    from humanseg_core.osvos.nets_lite import OsvosLite

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    (tmp_path / "checkpoints").mkdir()
    fake = torchvision.models.mobilenet_v3_small().state_dict()  # random, stands in for the real file
    torch.save(fake, tmp_path / "checkpoints" / "mobilenet_v3_small-047dcff4.pth")
    state, warnings = backbone_state("osvos-lite", allow_download=False)
    assert warnings == [] and state is not None
    net = OsvosLite(4, norm="frozen_bn")
    net.load_backbone(state)
    w = net.encoder[0][0].weight
    assert torch.equal(w[:, :3], fake["features.0.0.weight"]) and not w[:, 3].any()


def test_vgg_baseline_structure_and_learning_rates():
    from humanseg_core.osvos.nets_vgg import OsvosVGG, param_groups

    net = OsvosVGG()
    outs = net(torch.zeros(1, 3, 50, 70))
    assert len(outs) == 5 and all(o.shape == (1, 1, 50, 70) for o in outs)
    assert all(not up.weight.requires_grad for up in list(net.upscale) + list(net.upscale_))
    groups = param_groups(net, lr=1e-8)
    lrs = sorted({g["lr"] for g in groups})
    assert lrs == pytest.approx([1e-10, 2e-10, 1e-8, 2e-8])
    trainable = {id(p) for g in groups for p in g["params"]}
    assert not any(id(up.weight) in trainable for up in net.upscale)
    assert id(net.fuse.weight) in trainable


def test_vgg_trains_one_step_full_frame():
    reader, track, masks = _scene(2)
    res = run_job(train_job(reader, track, masks, TrainConfig(model="osvos-vgg16", steps=1, guidance=False,
                                                                allow_download=False, max_side=64)))
    assert res.meta["model"] == "osvos-vgg16" and res.meta["guidance"] is False
    out = run_job(segment_job(res, reader, None, [0]))
    assert out[0].shape == (120, 160)
    with pytest.raises(HumansegError, match="trained without trajectory guidance"):
        run_job(segment_job(res, reader, track, [0], guidance=True))


def _tiny_project(tmp_path, n=6):
    import cv2

    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal

    reader, track, masks = _scene(n)
    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(n):
        cv2.imwrite(str(frames / f"{f:05d}.png"), reader(f))
    # World = pixel * 0.05 (pixel -> world homography); the track point is the head.
    (tmp_path / "H.txt").write_text("0.05 0 0\n0 0.05 0\n0 0 1\n")
    (tmp_path / "traj.txt").write_text("".join(f"{f}\t1\t{track(f)[0] * 0.05:.4f}\t{track(f)[1] * 0.05:.4f}\n"
                                               for f in (0, n - 1)))
    p = Project.create(tmp_path / "proj", ProjectInputs(video=str(frames), trajectories=str(tmp_path / "traj.txt"),
                                                         homography=str(tmp_path / "H.txt")))
    p.add_proposals([Proposal(f, 1, (60, 40, 80, 90), masks[f], "bgs:test", status="accepted")
                     for f in (0, 2, 4)])
    p.close()
    return tmp_path / "proj", masks


def test_cli_train_then_segment(tmp_path, capsys):
    import json

    import cv2

    from humanseg_core.cli import main
    from humanseg_core.project import Project

    proj, masks = _tiny_project(tmp_path)
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "3", "--offline",
                 "--model", "osvos-lite"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out.strip().splitlines()[-1])
    assert "no label was held out (--holdout 0, or fewer than 4 accepted masks)" in captured.err
    assert doc["pid"] == 1 and doc["steps"] == 3 and doc["checkpoint"].startswith(str(proj / "checkpoints"))
    assert any("from scratch" in w for w in doc["warnings"])
    assert doc["holdout_J"] is None and doc["holdout_frames"] == 0  # none held out unless asked
    assert doc["kept_step"] is None  # no network given back (the JSON says which when one is)
    out = tmp_path / "masks"
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(out), "--frames", "1:4"]) == 0
    seg = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert seg["frames"] == 3 and seg["run_id"] == doc["run_id"] and seg["pid"] == 1
    png = cv2.imread(str(out / "00002.png"), cv2.IMREAD_GRAYSCALE)
    assert png.shape == (120, 160) and set(np.unique(png)) <= {0, 255}
    with Project.open(proj) as p:
        assert sorted(p.results(1)) == [1, 2, 3]
        assert p.runs(1)[-1]["metrics"]["steps"] == 3
    # --out is written whole, as `masks --out`: a second call refuses the folder without --force, and never
    # mixes into a folder of other files or the project's (a walk: 15 masks of two calls, PNGs in the project)
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(out), "--frames", "1:3"]) == 2
    assert "already exists and holds an earlier export" in capsys.readouterr().err
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(out), "--frames", "1:3",
                 "--force"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.glob("*.png")) == ["00001.png", "00002.png"]
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(proj), "--frames", "1:2"]) == 2
    assert "project folder" in capsys.readouterr().err and not list(proj.glob("*.png"))
    (tmp_path / "file.txt").write_text("x")
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(tmp_path / "file.txt"),
                 "--frames", "1:2"]) == 2
    assert "not a folder" in capsys.readouterr().err
    # A reversed range says so (it said "frames 4 to 0: no frame of the video in that range")
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", str(tmp_path / "r"), "--frames", "4:1"]) == 2
    assert "--frames 4:1: the end comes before the start" in capsys.readouterr().err
    # A person without accepted masks: a clear message, exit status 2.
    assert main(["train", "--project", str(proj), "--pid", "7", "--steps", "1", "--offline"]) == 2
    assert "no person with id 7" in capsys.readouterr().err


def test_cli_checkpoint_path_does_not_depend_on_the_working_folder(tmp_path, capsys, monkeypatch):
    import json

    from humanseg_core.cli import main

    proj, _ = _tiny_project(tmp_path)
    monkeypatch.chdir(tmp_path)  # train with a relative project path...
    assert main(["train", "--project", "proj", "--pid", "1", "--steps", "1", "--offline"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert Path(doc["checkpoint"]).is_absolute()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # ...and segment from another folder
    assert main(["segment", "--project", str(proj), "--pid", "1", "--out", "m", "--frames", "1:2"]) == 0


def test_cli_train_marks_an_estimated_step_total(capsys):
    """With a time budget the step total is an estimate that moves (a walk read [1/82] ... [164/164]): it is
    printed with a '~' until the run ends; a step budget's total is exact."""
    from humanseg_core.cli.train import _progress
    from humanseg_core.jobs import Progress

    for done, total in ((1, 82), (25, 145), (164, 164)):
        _progress(Progress(done, total, "", data={"loss": 0.5}), set(), True)
    _progress(Progress(25, 100, "", data={"loss": 0.5, "holdout_J": 0.8}), set(), False)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("]")[0] for line in lines] == ["[1/~82", "[25/~145", "[164/164", "[25/100"]
    assert "holdout J 0.800" in lines[-1]


def test_a_refused_training_leaves_no_empty_checkpoint(tmp_path):
    """A walk's `train` of a person with no accepted mask was refused and left a 0-byte checkpoint claim, which
    torch then failed to read ("Ran out of input")."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.project import Project
    from humanseg_core.workflows.person import train_person

    folder, _masks = _tiny_project(tmp_path)
    with Project.open(folder) as p:
        p.set_statuses([q.id for q in p.proposals(1, with_masks=False)], "rejected")
        with pytest.raises(HumansegError, match="no accepted masks"):
            run_job(train_person(p, 1, TrainConfig(steps=2, allow_download=False)))
    assert not list((folder / "checkpoints").glob("*.pt"))


def test_cli_train_says_when_it_gave_back_an_earlier_network(tmp_path, capsys, monkeypatch):
    """A walk's `train` gave back the network of step 1 (its best hold-out J) with nothing said on the command line:
    the note went to the studio only. The training's notes are said, and the JSON names the step kept."""
    import json

    from humanseg_core import workflows
    from humanseg_core.cli import main
    from humanseg_core.jobs import JobWarning
    from humanseg_core.osvos.train import TrainResult
    from humanseg_core.workflows.person import TrainedRun

    proj, _masks = _tiny_project(tmp_path)
    note = "kept the network of step 1 (hold-out J 0.09): at the last step, 234, it had fallen to 0.03"

    def trained(project, pid, config, cancel=None, **kw):
        yield from ()
        return TrainedRun(7, TrainResult(state_dict={}, meta={}, steps=234, seconds=1.0, final_loss=0.1,
                                         holdout_J=0.09, kept_step=1, notices=[JobWarning("note", note)]))

    monkeypatch.setattr(workflows, "train_person", trained)
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "4", "--offline", "--holdout", "1"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["kept_step"] == 1
    assert f"humanseg: note: {note}" in captured.err


def test_a_full_disk_while_saving_a_checkpoint_is_said_and_leaves_no_file(tmp_path, monkeypatch):
    """A walk on a full disk: `train` ended in torch's raw "RuntimeError: [enforce fail at inline_container.cc:672]
    unexpected pos", its 330 kB temporary file left behind took the space the project needed to open again."""
    import shutil
    from collections import namedtuple

    import torch

    from humanseg_core.errors import WeightsError
    from humanseg_core.osvos import weights
    from humanseg_core.project.connect import db_error

    def full(obj, f):
        f.write(b"x" * 1000)  # the open temporary file save_checkpoint gives it
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 320 vs 288")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(torch, "save", full)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 << 20, (10 << 20) - 12288, 12288))
    with pytest.raises(WeightsError) as err:
        weights.save_checkpoint(tmp_path / "ck" / "1.pt", {}, {"model": "osvos-lite"})
    assert "the disk is full, 12 kB free" in str(err.value) and "this training was not kept" in str(err.value)
    assert list((tmp_path / "ck").iterdir()) == []
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 << 20, 0, 10 << 20))
    with pytest.raises(WeightsError) as err:
        weights.save_checkpoint(tmp_path / "ck" / "1.pt", {}, {"model": "osvos-lite"})
    assert "unexpected pos" in str(err.value) and "disk is full" not in str(err.value)
    import sqlite3

    said = str(db_error(tmp_path / "project.sqlite", sqlite3.OperationalError("disk I/O error"), "opening the project"))
    assert "disk is full" not in said  # 10 MB free
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 << 20, 0, 4096))
    said = str(db_error(tmp_path / "project.sqlite", sqlite3.OperationalError("disk I/O error"), "opening the project"))
    assert "the disk is full while opening the project" in said

    def unknown(p):
        raise OSError("no statistics here")

    monkeypatch.setattr(shutil, "disk_usage", unknown)  # a disk that cannot say: not called full
    said = str(db_error(tmp_path / "project.sqlite", sqlite3.OperationalError("disk I/O error"), "opening the project"))
    assert "disk is full" not in said


def test_cli_train_holds_out_as_the_train_tab_by_default(tmp_path, monkeypatch, capsys):
    """A walk: the Train tab held out 3 masks and reported a hold-out J; `humanseg train` held out none by default."""
    from humanseg_core import workflows
    from humanseg_core.cli import main
    from humanseg_core.osvos.train import TrainResult
    from humanseg_core.project import Project
    from humanseg_core.records import Proposal
    from humanseg_core.workflows.person import TrainedRun

    proj, masks = _tiny_project(tmp_path)
    asked = []

    def trained(project, pid, config, cancel=None, **kw):
        asked.append(config.holdout)
        yield from ()
        return TrainedRun(7, TrainResult(state_dict={}, meta={}, steps=4, seconds=1.0, final_loss=0.1))

    monkeypatch.setattr(workflows, "train_person", trained)
    for extra in ([], ["--holdout", "0"], ["--holdout", "2"]):
        assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "4", "--offline", *extra]) == 0
    assert asked == [0, 0, 2]  # 3 labels: a quarter of them is none
    assert "fewer than 4 accepted masks" in capsys.readouterr().err
    with Project.open(proj) as project:
        project.add_proposals([Proposal(f, 1, (60, 40, 80, 90), masks[f], "bgs:test", status="accepted")
                               for f in (1, 3, 5)])
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "4", "--offline"]) == 0
    assert asked[-1] == 1  # 6 labels
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "4", "--offline", "--resume",
                 str(tmp_path / "any.pt")]) == 0
    assert asked[-1] == 0  # a resumed network may have trained on any of them


def test_no_space_is_a_full_disk_whatever_space_is_free_after(tmp_path, monkeypatch):
    """A mutation audit: the errno test dropped went unnoticed (the space is measured after the partial file is
    removed, so a large network on a full disk finds room again)."""
    import errno
    import shutil
    from collections import namedtuple

    import torch

    from humanseg_core.errors import DiskFullError
    from humanseg_core.osvos import weights

    def full(obj, f):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: namedtuple("u", "total used free")(1 << 40, 0, 1 << 30))
    with pytest.raises(DiskFullError, match="the disk is full, 1048576 kB free: free some space and train again"):
        weights.save_checkpoint(tmp_path / "1.pt", {}, {"model": "osvos-lite"})


def test_ctrl_c_while_a_network_is_written_leaves_no_partial_file(tmp_path, monkeypatch):
    import torch

    from humanseg_core.osvos import weights

    def interrupted(obj, f):
        f.write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        weights.save_checkpoint(tmp_path / "1.pt", {}, {"model": "osvos-lite"})
    assert list(tmp_path.iterdir()) == []


def test_parent_weights_of_another_network_are_named_by_their_file(tmp_path):
    """A walk's `train --parent-weights mobilenet.pt` read "the weights to resume from do not fit osvos-lite" with
    no file named, though nothing was resumed."""
    import torch

    from humanseg_core.errors import HumansegError
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.train import _start_net

    other = tmp_path / "mobilenet.pt"
    torch.save({"features.0.weight": torch.zeros(3)}, other)
    with pytest.raises(HumansegError, match=rf"{other}: the parent weights do not fit osvos-lite"):
        run_job(_start_net(TrainConfig(model="osvos-lite", parent=str(other)), [], None))


def test_a_checkpoint_is_on_disk_before_its_name_is(tmp_path, monkeypatch):
    """A review: the file was renamed into place unsynced while the run row naming it was committed with
    synchronous=FULL; a power cut could leave the project naming an empty file."""
    from humanseg_core.osvos import weights

    synced: list[str] = []
    real_fsync, real_replace = weights.os.fsync, type(tmp_path).replace

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.isdir("/proc/self/fd") else "fd")
        real_fsync(fd)

    def replace(self, target):
        synced.append("renamed")
        return real_replace(self, target)

    monkeypatch.setattr(weights.os, "fsync", fsync)
    monkeypatch.setattr(type(tmp_path), "replace", replace)
    weights.save_checkpoint(tmp_path / "1.pt", {}, {"model": "osvos-lite"})
    assert len(synced) == 3 and synced[1] == "renamed"  # the file, the rename, then the folder's entry
    assert synced[0] == "fd" or synced[0].endswith(".tmp")

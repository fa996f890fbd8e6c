"""A project's own parent network (`humanseg parent use`, Project ▸ Parent Network…, ADR 0039): chosen once, copied
into the project, followed by its proposals, fine-tuning, evidence and whole-scene runs. A walk trained its own
parent and found it reached `propose --weights` and `train --parent-weights` alone: the run, Segment's evidence,
Refine and the studio's Train used the shipped one."""

from __future__ import annotations

import json
import shutil

import pytest
from fakes import parent_file

from humanseg_core.errors import HumansegError, WeightsError
from humanseg_core.jobs import run_job
from humanseg_core.prior.paths import DEFAULT_PARENT
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows import ProposeConfig, propose_into
from humanseg_core.workflows.parent_choice import (
    FOLDER,
    PARENT_CHOICE,
    choose_parent,
    parent_file_of,
    project_parent,
)


@pytest.fixture(scope="module")
def blind_parent(tmp_path_factory):
    """The shipped weights with the head's bias at -30: a parent network that sees nobody."""
    return parent_file(tmp_path_factory.mktemp("parent") / "blind.pt", head_bias=-30.0)


@pytest.fixture
def demo_project(small_demo, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    project = Project.create(tmp_path / "proj", ProjectInputs(
        video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"), homography=str(demo / "H.txt")))
    yield project
    project.close()


def test_a_chosen_parent_is_copied_into_the_project_and_recorded(bare_project, blind_parent, tmp_path):
    assert project_parent(bare_project).path is None  # the shipped one until another is chosen
    mine = tmp_path / "mine.pt"
    shutil.copy(blind_parent, mine)
    chosen = choose_parent(bare_project, mine)
    copy = bare_project.folder.resolve() / FOLDER / chosen.path.name
    assert chosen.path == copy and copy.read_bytes() == blind_parent.read_bytes()
    assert chosen.path.name.startswith("mine-") and chosen.source == str(mine.resolve())
    assert not chosen.warning and chosen.sha256 == bare_project.setting("parent_network")["sha256"]
    mine.unlink()  # the file it came from may go (or be trained further): the project's copy stays
    assert project_parent(bare_project) == chosen
    assert choose_parent(bare_project, copy).path == copy  # the copy chosen again: not copied again
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]
    assert parent_file_of(bare_project, "given.pt") == ("given.pt", "")  # a file given per call comes first
    assert parent_file_of(bare_project) == (str(copy), "")
    assert choose_parent(bare_project, None).path is None and parent_file_of(bare_project) == (None, "")
    assert copy.is_file()  # going back to the shipped one deletes nothing


def test_a_missing_or_changed_copy_is_said(bare_project, blind_parent):
    copy = choose_parent(bare_project, blind_parent).path
    with open(copy, "ab") as fh:
        fh.write(b"\0")
    changed = project_parent(bare_project)
    assert changed.path == copy and "changed since it was chosen" in changed.warning and str(copy) in changed.warning
    copy.unlink()
    missing = project_parent(bare_project)
    assert missing.path is None and "is missing" in missing.warning and str(copy) in missing.warning
    assert "humanseg parent use --project" in missing.warning
    assert f"the file it was copied from, {blind_parent.resolve()}, is still there" in missing.warning


def test_a_missing_copy_whose_source_is_gone_too_offers_no_source(bare_project, blind_parent, tmp_path):
    mine = tmp_path / "mine.pt"
    shutil.copy(blind_parent, mine)
    copy = choose_parent(bare_project, mine).path
    copy.unlink()
    mine.unlink()
    assert "still there" not in project_parent(bare_project).warning


def test_the_shipped_network_or_one_chosen_before_is_not_copied_again(bare_project, blind_parent, tmp_path):
    shipped = tmp_path / "shipped-copy.pt"
    shutil.copy(DEFAULT_PARENT, shipped)
    assert choose_parent(bare_project, shipped).path is None  # the shipped network under another name
    copy = choose_parent(bare_project, blind_parent).path
    link = tmp_path / "link.pt"
    link.symlink_to(blind_parent)
    assert choose_parent(bare_project, link).path == copy  # the same network again: its copy
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]


def test_a_parent_measured_well_below_the_shipped_one_is_said(bare_project, tmp_path):
    weak = choose_parent(bare_project, parent_file(tmp_path / "weak.pt", miou=0.25))
    assert weak.note.startswith("weak-") and "held-out mean IoU of 0.25" in weak.note
    assert "humanseg parent eval --data DAVIS_ROOT --file" in weak.note
    assert not choose_parent(bare_project, parent_file(tmp_path / "fine.pt")).note  # as good as the shipped one


def test_a_read_only_project_keeps_its_parent(bare_project, blind_parent, monkeypatch):
    monkeypatch.setattr(bare_project, "read_only", True, raising=False)
    with pytest.raises(HumansegError, match="read-only"):
        choose_parent(bare_project, blind_parent)
    assert not (bare_project.folder / FOLDER).exists() and project_parent(bare_project).path is None


def test_a_file_that_is_no_parent_is_refused_and_the_choice_kept(bare_project, blind_parent, tmp_path):
    copy = choose_parent(bare_project, blind_parent).path
    bad = tmp_path / "notes.pt"
    bad.write_text("not a network")
    with pytest.raises(WeightsError, match="notes.pt"):
        choose_parent(bare_project, bad)
    with pytest.raises(WeightsError, match="absent.pt"):
        choose_parent(bare_project, tmp_path / "absent.pt")
    assert project_parent(bare_project).path == copy
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]


@pytest.mark.usefixtures("one_thread")
def test_the_projects_steps_follow_its_parent(demo_project, blind_parent, monkeypatch):
    """Proposals by the parent alone: the shipped parent finds person 1; the blind one, once the project's,
    finds nobody. Fine-tuning starts from it, and a run given a broken file is refused before it starts."""
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.workflows import SegmentConfig, segment_person, train_person
    from humanseg_core.workflows.scene_config import SceneRunConfig
    from humanseg_core.workflows.scene_run import scene_run_job

    config = ProposeConfig(method="parent")
    assert run_job(propose_into(demo_project, [1], config)).parent == str(DEFAULT_PARENT)  # said in its JSON
    seen = [p for p in demo_project.proposals(pid=1) if p.mask is not None and p.mask.any()]
    assert seen
    copy = choose_parent(demo_project, blind_parent).path
    assert run_job(propose_into(demo_project, [2], config)).parent == str(copy)
    assert not any(p.mask is not None and p.mask.any() for p in demo_project.proposals(pid=2))
    demo_project.set_statuses([p.id for p in seen], "accepted")
    done = run_job(train_person(demo_project, 1, TrainConfig(model="osvos-parent", steps=1, allow_download=False)))
    run = next(r for r in demo_project.runs(1) if r["id"] == done.run_id)
    assert run["metrics"]["backbone"] == f"parent:{copy.name}"
    assert run["params"]["parent"] == f"parent/{copy.name}"  # inside the project: relative, it moves with it
    assert done.parent == str(copy) and not done.parent_warning
    loaded = _stop_at_the_parent(monkeypatch)
    with pytest.raises(HumansegError, match="stopped here"):  # a whole-scene run chooses its model by it
        run_job(scene_run_job(demo_project, SceneRunConfig()))
    choose_parent(demo_project, None)  # the project back on the shipped one: the run keeps its own
    with pytest.raises(HumansegError, match="stopped here"):  # Segment's per-frame evidence blends into it
        run_job(segment_person(demo_project, 1, done.run_id, SegmentConfig(first=3, last=4, refine="evidence")))
    assert loaded == [str(copy), str(copy)]
    other = choose_parent(demo_project, parent_file(blind_parent.with_name("other.pt"))).path
    hidden = copy.with_name(copy.name + ".away")
    copy.rename(hidden)  # the run's own parent gone: the project's (now another) is used, and said
    reports: list = []
    with pytest.raises(HumansegError, match="stopped here"):
        run_job(segment_person(demo_project, 1, done.run_id, SegmentConfig(first=3, last=4, refine="evidence")),
                reports.append)
    assert loaded[-1] == str(other)
    assert any(f"the parent network run #{done.run_id} was fine-tuned from is gone; {other.name} is used" in w.text
               for r in reports for w in r.warnings)
    hidden.rename(copy)
    monkeypatch.undo()
    choose_parent(demo_project, copy)
    copy.unlink()  # gone: said, and the shipped parent is used
    reports: list = []
    again = run_job(train_person(demo_project, 1, TrainConfig(model="osvos-parent", steps=1, allow_download=False)),
                    reports.append)
    assert any(w.kind == PARENT_CHOICE and str(copy) in w.text for r in reports for w in r.warnings)
    run = next(r for r in demo_project.runs(1) if r["id"] == again.run_id)
    assert run["metrics"]["backbone"] == f"parent:{DEFAULT_PARENT.name}"
    assert again.parent == str(DEFAULT_PARENT) and "is missing" in again.parent_warning  # said in its JSON
    bad = blind_parent.with_name("broken.pt")
    bad.write_bytes(b"PK broken")
    with pytest.raises(HumansegError, match="broken.pt"):
        run_job(scene_run_job(demo_project, SceneRunConfig(parent=str(bad))))


def _stop_at_the_parent(monkeypatch) -> list:
    """The files the evidence step and a run's model choice load the parent from, each stopping there."""
    from humanseg_core.osvos import nets_parent
    from humanseg_core.proposals import parent_masks

    loaded: list = []

    def stop(path=None, *_args):
        loaded.append(None if path is None else str(path))
        raise HumansegError("stopped here")

    monkeypatch.setattr(parent_masks, "load_parent_or_none", stop)
    monkeypatch.setattr(nets_parent, "default_model", stop)
    return loaded


def test_parent_use_on_the_command_line(bare_project, blind_parent, capsys, tmp_path):
    from humanseg_core.cli import main

    folder = str(bare_project.folder)
    assert main(["parent", "use", "--project", folder]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["shipped"] is True
    assert main(["parent", "use", "--project", folder, str(blind_parent)]) == 0
    out, err = capsys.readouterr()
    said = json.loads(out.splitlines()[-1])
    assert not said["shipped"] and said["parent"].startswith(str(bare_project.folder.resolve() / FOLDER))
    assert said["source"] == str(blind_parent.resolve()) and "it now uses the project's own parent network" in err
    assert main(["parent", "use", "--project", folder, "--shipped"]) == 0
    said = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert said["shipped"] is True and said["project"] == str(bare_project.folder.absolute()) and said["sha256"]
    bad = tmp_path / "bad.txt"
    bad.write_text("not a network")  # train's --parent-weights: refused once (a walk read "using osvos-lite", then
    assert main(["train", "--project", folder, "--pid", "1", "--parent-weights", str(bad)]) == 2  # an error)
    err = capsys.readouterr().err
    assert "osvos-lite" not in err and "bad.txt: not a usable parent network file" in err and "--model" in err


def test_a_copy_that_fails_is_said_and_leaves_no_debris(bare_project, blind_parent, monkeypatch):
    from humanseg_core.project.paths import clean_debris

    def full(src, dst):
        with open(dst, "wb") as fh:
            fh.write(b"part")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(shutil, "copyfile", full)
        with pytest.raises(HumansegError, match=r"parent/blind-\w+\.pt: the parent network could not be copied "
                                                r"into the project \(No space left on device\)"):
            choose_parent(bare_project, blind_parent)
    copies = bare_project.folder / FOLDER
    assert list(copies.iterdir()) == [] and project_parent(bare_project).path is None
    left = copies / "blind-0000.pt.999-1.tmp"  # a killed process's partial copy: removed when the project opens
    left.write_bytes(b"part")
    said: list = []
    assert clean_debris(bare_project.folder, said.append) == [left] and not left.exists()
    assert "a partial copy of a parent network" in said[0]


def test_propose_with_a_parent_file_says_it_served_this_call_alone(small_demo, tmp_path, capsys):
    """A walk made its project with its own parent's proposals (`propose --weights`), and its fine-tuning then
    started from the shipped one without a word."""
    from humanseg_core.cli import main

    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    args = ["propose", "--project", str(tmp_path / "proj"), "--video", str(demo / "frames"), "--trajectories",
            str(demo / "trajectories.txt"), "--homography", str(demo / "H.txt"), "--pids", "1", "--method", "parent"]
    weak = parent_file(tmp_path / "weak.pt", miou=0.25)
    assert main([*args, "--weights", str(weak)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[-1])["parent"] == str(weak)
    assert f"--weights {weak} made these proposals alone" in err and "humanseg parent use --project" in err
    assert "weak.pt measured a held-out mean IoU of 0.25" in err  # a parent measured far below the shipped one
    with Project.open(tmp_path / "proj") as project:  # and the proposals keep which parent made them
        flags = [p.flags for p in project.proposals(1, with_masks=False)]
    assert flags and all("parent network weak.pt" in f for f in flags)
    assert main(["parent", "use", "--project", str(tmp_path / "proj"), str(weak)]) == 0
    capsys.readouterr()
    assert main([*args[:3], "--pids", "1", "--method", "parent", "--weights", str(weak)]) == 0
    assert "made these proposals alone" not in capsys.readouterr().err  # the project's own now: nothing to say


def test_a_copy_spoilt_since_is_not_used(bare_project, blind_parent):
    """A re-walk wrote junk over the project's copy: `parent use` and `run` called it "used as it is now", training
    fell back to osvos-lite from scratch, and the proposals to another method."""
    copy = choose_parent(bare_project, blind_parent).path
    copy.write_text("junk")
    spoilt = project_parent(bare_project)
    assert spoilt.path is None and "changed since it was chosen" in spoilt.warning
    assert "cannot be used now (not a usable parent network file" in spoilt.warning
    assert "the shipped parent" in spoilt.warning
    assert parent_file_of(bare_project)[0] is None


def test_run_and_train_name_a_weak_parent_file_too(small_demo, tmp_path, capsys):
    """An ML walk's weak parent was named by propose and `parent use`, not by run and train; the note's command
    lacked the --data `parent eval` needs."""
    from humanseg_core.cli import main

    weak = parent_file(tmp_path / "weak.pt", miou=0.25)
    assert main(["run", "--project", str(tmp_path / "proj"), "--video", str(small_demo / "frames"), "--trajectories",
                 str(small_demo / "trajectories.txt"), "--homography", str(small_demo / "H.txt"), "--pids", "1",
                 "--accept", "reviewed", "--parent-weights", str(weak), "--out", str(tmp_path / "out")]) in (0, 1)
    err = capsys.readouterr().err
    assert "weak.pt measured a held-out mean IoU of 0.25" in err and "parent eval --data DAVIS_ROOT --file" in err
    assert main(["train", "--project", str(tmp_path / "proj"), "--pid", "1", "--steps", "1",
                 "--parent-weights", str(weak)]) in (0, 1, 2)
    assert "weak.pt measured a held-out mean IoU of 0.25" in capsys.readouterr().err

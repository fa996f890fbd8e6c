"""Walkers the trajectory file leaves out, as a project's choice (ADR 0059): stored with its inputs, set with
``--unnamed-walkers`` / ``--no-unnamed-walkers``, carried by its scene into the proposals and the evidence step."""

from __future__ import annotations

import json
import sqlite3

import pytest
from fakes import run_cli
from test_strays import _pair_scene, _spill

from humanseg_core.errors import ProjectError
from humanseg_core.inputs.scene import load_scene_of
from humanseg_core.project import FILENAME, Project
from humanseg_core.proposals import generate as gen_mod
from humanseg_core.proposals.joint import JointConfig
from humanseg_core.records import ProjectInputs


def _inputs(demo, **kw) -> ProjectInputs:
    return ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                         homography=str(demo / "H.txt"), **kw)


def test_the_scenes_word_turns_the_strays_on():
    scene = _pair_scene()
    assert all(s > 0 for s in _spill(scene, JointConfig()))  # off by default
    scene.unnamed_walkers = True  # a project that says its trajectory file leaves walkers out
    assert all(s == 0 for s in _spill(scene, JointConfig())), _spill(scene, JointConfig())


def test_the_choice_is_stored_with_the_inputs_and_read_into_the_scene(tmp_path, small_demo):
    with Project.create(tmp_path / "p", _inputs(small_demo)) as p:
        assert p.inputs.unnamed_walkers is False and p.load_scene().unnamed_walkers is False
        p.set_unnamed_walkers(True)
    with Project.open(tmp_path / "p") as p:
        assert p.inputs.unnamed_walkers is True
        assert p.load_scene().unnamed_walkers is True and load_scene_of(p.inputs).unnamed_walkers is True
        p.set_unnamed_walkers(False)
    with Project.open(tmp_path / "p") as p:
        assert p.inputs.unnamed_walkers is False


def test_a_damaged_stored_choice_is_named(tmp_path, small_demo):
    Project.create(tmp_path / "p", _inputs(small_demo)).close()
    conn = sqlite3.connect(tmp_path / "p" / FILENAME)
    stored = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()[0])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'inputs'", (json.dumps({**stored, "unnamed_walkers": "yes"}),))
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="unnamed_walkers is 'yes', not true or false"):
        Project.open(tmp_path / "p")


def test_the_command_line_sets_it_keeps_it_and_takes_it_back(tmp_path, small_demo, capsys, monkeypatch):
    seen: list[bool] = []

    def fake_generate(scene, pids, **kw):
        seen.append(scene.unnamed_walkers)
        return [], []
        yield  # a job

    monkeypatch.setattr(gen_mod, "generate_proposals", fake_generate)
    folder = tmp_path / "p"
    base = ["propose", "--project", folder, "--pids", "1"]
    code, _doc, err = run_cli(capsys, *base, "--video", small_demo / "frames", "--trajectories",
                              small_demo / "trajectories.txt", "--homography", small_demo / "H.txt",
                              "--unnamed-walkers")
    assert code == 0, err
    code, _doc, err = run_cli(capsys, *base)  # not given again: the project keeps it, and says nothing
    assert code == 0 and "unnamed-walkers" not in err
    code, _doc, err = run_cli(capsys, *base, "--no-unnamed-walkers")
    assert code == 0 and "no longer looks for walkers the trajectory file leaves out" in err
    assert seen == [True, True, False]
    with Project.open(folder) as p:
        assert p.inputs.unnamed_walkers is False
    code, doc, err = run_cli(capsys, "status", "--project", folder)  # the project's choice, said where it stands
    assert doc["inputs"]["unnamed_walkers"] is False and "leaves walkers out" not in err
    run_cli(capsys, *base, "--unnamed-walkers")
    code, doc, err = run_cli(capsys, "status", "--project", folder)
    assert doc["inputs"]["unnamed_walkers"] is True and "(leaves walkers out: --unnamed-walkers)" in err, err
    with pytest.raises(SystemExit):
        run_cli(capsys, "run", "--help")
    assert "--unnamed-walkers" in capsys.readouterr().out

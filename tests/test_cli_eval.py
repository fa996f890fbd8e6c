"""``humanseg eval``: per-frame table on stderr, JSON summary as the last stdout line, clear errors."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import cv2
import numpy as np
import pytest

from humanseg_core.cli import main


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def write(folder, masks):
    folder.mkdir(parents=True, exist_ok=True)
    for t, m in masks.items():
        cv2.imwrite(str(folder / f"{t:05d}.png"), m.astype(np.uint8) * 255)
    return folder


@pytest.fixture
def dirs(tmp_path):
    shape = (40, 50)
    g = np.zeros(shape, bool)
    g[5:25, 5:25] = True
    o = np.zeros(shape, bool)
    o[5:25, 25:45] = True
    half = np.zeros(shape, bool)
    half[5:25, 15:35] = True  # half on the person, half on the other one
    gt = write(tmp_path / "gt", {0: g, 1: g, 2: g})
    other = write(tmp_path / "other", {0: o, 1: o, 2: o})
    pred = write(tmp_path / "pred", {0: g, 1: half})  # frame 2 has no prediction
    return pred, gt, other


def test_cli_eval_prints_table_and_json_summary(dirs):
    pred, gt, other = dirs
    rc, out, err = run_cli(["eval", "--pred", str(pred), "--gt", str(gt), "--others", str(other)])
    assert rc == 0, err
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["frames"] == 3
    assert doc["J_mean"] == round((1 + 200 / 600 + 0) / 3, 4)  # rounded, as eval-scene rounds
    assert doc["J_recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert doc["leakage"] == pytest.approx(200 / 800, abs=1e-4)  # pooled: 200 leaked of 400 + 400 predicted
    assert 0 < doc["F_mean"] < 1 and doc["missing_pred"] == 1
    lines = err.strip().splitlines()
    assert lines[0].split()[:3] == ["frame", "J", "F"]
    assert lines[1].split()[:3] == ["0", "1.000", "1.000"]
    assert "no prediction" in lines[3]
    assert lines[-1].endswith("(1 without a prediction, counted empty)")  # in the summary, not only the JSON


def test_only_predicted_scores_the_frames_with_a_prediction(dirs, tmp_path):
    """A walk scored 20 exported labels (every 10th frame) against 200 GT frames: J 0.09, the labels' own
    J 0.86. --only-predicted scores the frames that have a mask; the warning says so."""
    pred, gt, _other = dirs
    rc, out, err = run_cli(["eval", "--pred", str(pred), "--gt", str(gt), "--only-predicted"])
    assert rc == 0, err
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["frames"] == 2 and doc["missing_pred"] == 0 and doc["J_mean"] == round((1 + 200 / 600) / 2, 4)
    sparse = write(tmp_path / "sparse", {0: np.zeros((40, 50), bool)})  # 1 of 3 frames: most missing
    rc, _out, err = run_cli(["eval", "--pred", str(sparse), "--gt", str(gt)])
    assert rc == 0 and "--only-predicted" in err
    elsewhere = write(tmp_path / "elsewhere", {7: np.zeros((40, 50), bool)})
    rc, _out, err = run_cli(["eval", "--pred", str(elsewhere), "--gt", str(gt), "--only-predicted"])
    assert rc == 2 and "none of its masks is of a frame of" in err


def test_cli_eval_without_others_reports_no_leakage(dirs):
    pred, gt, _ = dirs
    rc, out, err = run_cli(["eval", "--pred", str(pred), "--gt", str(gt), "--quiet"])
    assert rc == 0 and err == ""
    assert json.loads(out.strip().splitlines()[-1])["leakage"] is None


def test_cli_eval_bad_file_is_a_clear_error(dirs):
    pred, gt, _ = dirs
    (pred / "00001.png").write_bytes(b"garbage")
    rc, out, err = run_cli(["eval", "--pred", str(pred), "--gt", str(gt)])
    assert rc == 2 and out == ""
    assert err.startswith("humanseg: error:") and "00001.png" in err and "Traceback" not in err


def test_cli_eval_of_a_folder_without_masks_is_an_error_not_j_zero(dirs, tmp_path):
    """The wrong folder (a whole-scene export's top folder, an empty one) is named, not scored J 0 with rc 0."""
    pred, gt, _ = dirs
    top = tmp_path / "export"
    write(top / "1", {0: np.zeros((40, 50), bool)})
    write(top / "2", {0: np.zeros((40, 50), bool)})
    rc, out, err = run_cli(["eval", "--pred", str(top), "--gt", str(gt)])
    assert rc == 2 and out == "" and str(top) in err
    assert "no predicted masks" in err and "per-person folders (1, 2)" in err and "eval-scene" in err
    studio = tmp_path / "studio_export"  # the studio's DAVIS export root (a walk passed it)
    write(studio / "Annotations" / "576p" / "person_79", {0: np.zeros((40, 50), bool)})
    rc, out, err = run_cli(["eval", "--pred", str(studio), "--gt", str(gt)])
    assert rc == 2 and "DAVIS export" in err and "Annotations/576p/person_79" in err and "eval-scene" in err
    (tmp_path / "empty").mkdir()
    rc, _, err = run_cli(["eval", "--pred", str(tmp_path / "empty"), "--gt", str(gt)])
    assert rc == 2 and "no predicted masks" in err and "per-person" not in err
    shifted = write(tmp_path / "shifted", {100: np.zeros((40, 50), bool)})  # frames numbered otherwise
    rc, out, err = run_cli(["eval", "--pred", str(shifted), "--gt", str(gt), "--quiet"])
    # not a J 0 a script records: an error's exit status, and the JSON says nothing lined up
    assert rc == 1 and "error" in err and "counted empty" in err
    assert json.loads(out.strip().splitlines()[-1])["missing_pred"] == 3
    assert json.loads(out.strip().splitlines()[-1])["lined_up"] is False
    # a walk scored an mp4's masks (frames from 0) against a scene's gt (the trajectories' 9200..): the warning
    # names both ranges and the offset, and --frame-offset lines them up
    assert "frames 100..100 and the ground truth 0..2" in err and "--frame-offset 100" in err
    # no table of zeros burying the error, which comes last (an own-data walk's was line 1 of 244)
    rc, out, err = run_cli(["eval", "--pred", str(shifted), "--gt", str(gt)])
    assert rc == 1 and "no prediction" not in err and err.strip().splitlines()[-1].startswith("humanseg: error:")
    rc, out, err = run_cli(["eval", "--pred", str(shifted), "--gt", str(gt), "--quiet", "--frame-offset", "100"])
    doc = json.loads(out.strip().splitlines()[-1])
    assert rc == 0 and doc["missing_pred"] == 2 and doc["J_mean"] == 0.0  # frame 0 lined up (empty)
    assert doc["lined_up"] is True
    assert "2 of the 3 frames of" in err and "check --frame-offset" in err  # most missing: said (a walk: 199 of 200)
    # a wrong offset given: the advice is the whole offset, not one relative to it (a walk gave -100 for 100 and
    # was told 200, then -100 again)
    rc, out, err = run_cli(["eval", "--pred", str(shifted), "--gt", str(gt), "--quiet", "--frame-offset", "-100"])
    assert rc == 1 and "--frame-offset 100 " in err and "counted after the frame offset -100" in err, err


def test_an_interrupt_says_what_is_kept(monkeypatch, tmp_path):
    """Ctrl+C said only 'humanseg: interrupted' (a new-user walk wondered what was lost)."""
    from humanseg_core.cli import eval as eval_cmd

    def stop(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(eval_cmd, "run", stop)
    rc, out, err = run_cli(["eval", "--pred", str(tmp_path), "--gt", str(tmp_path)])
    assert rc == 130 and out == "" and "interrupted: what the project stored before is kept" in err
    assert "--keep-trained" not in err  # run's and batch's flags, said to them alone (a walk's export read them)


def test_an_interrupted_ray_run_is_not_told_to_reuse_networks(monkeypatch, tmp_path):
    """--reuse-trained works on the local backend only: a walk's Ray run was told to use it after Ctrl-C."""
    from humanseg_core.cli import run as run_cmd

    def stop(_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_cmd, "run", stop)
    for backend, told in (("local", True), ("ray", False)):
        rc, _out, err = run_cli(["run", "--project", str(tmp_path / "p"), "--out", str(tmp_path / "o"),
                                 "--backend", backend])
        assert rc == 130 and "--keep-trained keeps" in err and ("--reuse-trained" in err) is told, err
        assert ("give both to redo neither" in err) is told  # a scale walk gave one and retrained 13 persons


def test_a_reader_that_stops_ends_the_command_without_a_traceback(monkeypatch, tmp_path, capsys):
    """A walk's `humanseg tracks … | head` ended with a BrokenPipeError traceback."""
    from humanseg_core.cli import eval as eval_cmd
    from humanseg_core.cli import main

    def stop(_args):
        raise BrokenPipeError

    monkeypatch.setattr(eval_cmd, "run", stop)
    with pytest.raises(BrokenPipeError):  # stdout fine: another pipe broke, not hidden
        main(["eval", "--pred", str(tmp_path), "--gt", str(tmp_path)])

    class Closed:  # the reader of stdout went away
        def write(self, _text):
            raise BrokenPipeError

        def flush(self):
            raise BrokenPipeError

    monkeypatch.setattr("sys.stdout", Closed())
    assert main(["eval", "--pred", str(tmp_path), "--gt", str(tmp_path)]) == 141

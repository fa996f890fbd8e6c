"""eval-scene on MOTS files as other tools write them: a ground truth numbered by class (its ids mapped by a
pids.json, or refused with how to map them), ignore regions and cars left out, and damaged files named by line."""

import json

import cv2
import numpy as np
import pytest

from humanseg_core import rle
from humanseg_core.cli import main

pytest.importorskip("trackeval")
H, W, N = 60, 90, 6


def _box(x, y):
    m = np.zeros((H, W), bool)
    m[y:y + 20, x:x + 10] = True
    return m


GT = {pid: {f: _box(5 + 25 * (pid - 1) + f, 10 + 5 * (pid - 1)) for f in range(N)} for pid in (1, 2, 3)}


def _line(frame, ident, cls, mask):
    coded = rle.encode(mask)
    return f"{frame} {ident} {cls} {coded['size'][0]} {coded['size'][1]} {coded['counts'].decode('ascii')}"


def _write(tmp_path, with_map=True):
    """``tmp_path``/gt: KITTI-style MOTS ground truth (persons 2001-2003, a car and an ignore region on every
    frame); ``tmp_path``/pred: the same persons as DAVIS folders, shifted a pixel."""
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    gt.mkdir()
    lines = []
    for f in range(N):
        lines += [_line(f, 2000 + pid, 2, GT[pid][f]) for pid in GT]
        lines.append(_line(f, 1001, 1, _box(70, 35)))  # a car
        lines.append(_line(f, 10000, 10, _box(0, 40)))  # an ignore region
    (gt / "instances.txt").write_text("\n".join(lines) + "\n")
    if with_map:
        (gt / "pids.json").write_text(json.dumps({str(2000 + pid): pid for pid in GT}))
    for pid, frames in GT.items():
        (pred / str(pid)).mkdir(parents=True)
        for f, m in frames.items():
            cv2.imwrite(str(pred / str(pid) / f"{f:05d}.png"), np.where(np.roll(m, 1, axis=1), 255, 0).astype(np.uint8))
    return gt, pred


def _eval(capsys, pred, gt, *more):
    code = main(["eval-scene", "--pred", str(pred), "--gt-root", str(gt), "--quiet", *more])
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else None), out.err


def test_a_kitti_style_ground_truth_scores_its_persons_alone(tmp_path, capsys):
    gt, pred = _write(tmp_path)
    code, doc, err = _eval(capsys, pred, gt)
    assert code == 0 and sorted(doc["per_person"]) == ["1", "2", "3"]  # no car, no ignore region
    assert 0.8 < doc["scene"]["J_mean"] < 1.0
    assert f"{gt / 'instances.txt'}: 6 of class 1 (cars), 6 of class 10 (ignore regions) left out" in err
    named = tmp_path / "0002.txt"  # the file itself, as the README says (a walk was told "not a ground truth folder")
    named.write_text((gt / "instances.txt").read_text())
    (tmp_path / "pids.json").write_text((gt / "pids.json").read_text())
    code, by_file, _err = _eval(capsys, pred, named)
    assert code == 0 and by_file["per_person"] == doc["per_person"]


def test_no_id_in_common_is_an_error_with_how_to_map_them_and_the_overlap_scores_still_come(tmp_path, capsys):
    gt, pred = _write(tmp_path, with_map=False)
    code, doc, err = _eval(capsys, pred, gt)
    assert code == 1 and doc["scored"]["ids_in_common"] is False
    assert doc["scene"]["J_mean"] == 0 and doc["scene"]["HOTA"] > 0.8  # J by id, HOTA by overlap
    assert "have no person id in common (predicted 1, 2, 3; ground truth 2001, 2002, 2003)" in err
    assert f"takes a pids.json beside its instances.txt mapping its ids to the trajectory's person ids, as `humanseg " \
           f"export --format mots` writes ({gt} has none)" in err
    (gt / "pids.json").write_text(json.dumps({str(2000 + pid): pid for pid in GT}))
    code, doc, _err = _eval(capsys, pred, gt)
    assert code == 0 and doc["scored"]["ids_in_common"] is True


def test_damaged_mots_files_are_named_by_line(tmp_path, capsys):
    gt, pred = _write(tmp_path)
    txt = gt / "instances.txt"
    good = txt.read_text()
    (gt / "pids.json").write_text('{"2001": 1,\n')  # cut short
    code, _doc, err = _eval(capsys, pred, gt)
    assert code == 2 and f"{gt / 'pids.json'}: cannot read the MOTS ids' person ids" in err
    assert "Traceback" not in err
    for value, said in ((None, "null"), ([1], "[1]"), (1.7, "1.7")):  # (a review: a traceback, or cut to 1)
        (gt / "pids.json").write_text(json.dumps({"2001": value}))
        code, _doc, err = _eval(capsys, pred, gt)
        assert code == 2 and f"{gt / 'pids.json'}: cannot read the MOTS ids' person ids (the person id of '2001' is " \
                             f"{said}, not a whole number)" in err, err
    (gt / "pids.json").write_text(json.dumps({str(2000 + pid): pid for pid in GT}))
    lines = good.splitlines()
    for n, broken in ((3, lines[2].rsplit(" ", 1)[0] + " ~~~"),  # a character outside the RLE alphabet
                      (2, lines[1].replace(f" {H} {W} ", f" {H + 8} {W} ")),  # run lengths of another size
                      (4, lines[3].replace(" 1 ", " x ", 1)),  # a class that is no number
                      (5, "0 abc 2 " + lines[4].split(" ", 3)[3])):  # an id neither a number nor mapped
        txt.write_text("\n".join(lines[:n - 1] + [broken] + lines[n:]) + "\n")
        code, _doc, err = _eval(capsys, pred, gt)
        assert code == 2 and f"{txt}, line {n}: " in err and "Traceback" not in err, err
    txt.write_bytes(good.encode() + b"\xff\xfe junk\n")  # bytes that are not text (a re-walk: a traceback)
    code, _doc, err = _eval(capsys, pred, gt)
    assert code == 2 and f"{txt}, line {len(lines) + 1}: not text (byte {len(good.encode())} is not UTF-8)" in err


def test_masks_of_two_sizes_name_each_side(tmp_path, capsys):
    """A walk scored one scene's export against another's ground truth: the 640x480 ground truth was said to be
    720x576, the prediction's size."""
    gt, pred = _write(tmp_path)
    big = tmp_path / "big"
    for pid in GT:
        (big / str(pid)).mkdir(parents=True)
        for f in range(N):
            cv2.imwrite(str(big / str(pid) / f"{f + 700:05d}.png"), np.zeros((H + 10, W, 3), np.uint8))
    code, _doc, err = _eval(capsys, big, gt)
    assert code == 2 and "--frame-offset" not in err  # no offset advised between two videos
    assert f"the prediction's mask of person 1 on frame 700 ({big / '1' / '00700.png'}) is {W}x{H + 10}, the ground " \
           f"truth's mask of person 1 on frame 0 {W}x{H}: are the prediction and the ground truth of one video?" in err


def test_no_id_in_common_says_no_false_positives_and_what_pids_leaves(tmp_path, capsys):
    """A review: beside the error, a note called the predictions false positives while HOTA read 1.000; with
    --pids the error promised scores by overlap that --pids had taken away."""
    gt, pred = _write(tmp_path, with_map=False)
    code, doc, err = _eval(capsys, pred, gt)
    assert code == 1 and "false positives" not in err
    code, doc, err = _eval(capsys, pred, gt, "--pids", "2001")
    assert code == 1 and err.count("error:") == 1 and "--pids leaves out every prediction, so they score 0 too" in err


def test_a_file_without_pedestrians_keeps_its_classes_and_sizes_are_checked_on_every_frame(tmp_path, capsys):
    """A mutation audit: persons written as class 1 (no class 2 in the file) must stay persons; a pids.json that
    is a list is named; a mask of another size on a later frame is refused, naming both."""
    from humanseg_core.scene_metrics import mots_sets

    gt, pred = _write(tmp_path)
    lines = [line.replace(" 2 ", " 1 ", 1) for line in (gt / "instances.txt").read_text().splitlines()
             if line.split()[2] == "2"]
    (gt / "instances.txt").write_text("\n".join(lines) + "\n")
    assert sorted(mots_sets(gt)) == [1, 2, 3]  # mapped by pids.json, class 1 kept: no class 2 to prefer
    (gt / "pids.json").write_text("[2001]")
    code, _doc, err = _eval(capsys, pred, gt)
    assert code == 2 and "pids.json: cannot read the MOTS ids' person ids (not an object" in err
    (gt / "pids.json").write_text(json.dumps({str(2000 + pid): pid for pid in GT}))
    cv2.imwrite(str(pred / "2" / "00004.png"), np.zeros((H + 6, W), np.uint8))  # a later frame of another size
    code, _doc, err = _eval(capsys, pred, gt)
    later = pred / "2" / "00004.png"
    assert code == 2 and f"the prediction's mask of person 2 on frame 4 ({later}) is {W}x{H + 6}" in err


def test_another_scenes_ground_truth_is_not_offered_a_frame_offset(tmp_path, capsys):
    """A walk scored a zara01_feet export against zara01's gt/: "no person id in common", then "score with
    --frame-offset 1600" as well. With no person in common, the question is whether the truth is this scene's."""
    import cv2
    import numpy as np

    for root, pids, first in ((tmp_path / "pred", (1, 2), 0), (tmp_path / "gt", (7, 8), 1600)):
        for pid in pids:
            (root / str(pid)).mkdir(parents=True)
            for f in range(first, first + 4):
                mask = np.zeros((20, 30), np.uint8)
                mask[5:15, 3 * pid % 20:3 * pid % 20 + 6] = 255
                cv2.imwrite(str(root / str(pid) / f"{f:05d}.png"), mask)
    code, doc, err = _eval(capsys, tmp_path / "pred", tmp_path / "gt")
    assert code == 1 and "have no person id in common" in err and "this scene's ground truth?" in err
    assert "--frame-offset" not in err and doc["scored"]["lined_up"] is False and "scoring" not in err, err

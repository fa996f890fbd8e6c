"""`humanseg segment` over a range of frames on a whole-scene run's person: what it replaced and what it left out,
said once done (a walk read "replaced" before a refusal; a re-walk's range before the span stored empty results)."""

import json

from humanseg_core.cli import main
from humanseg_core.project import Project


def test_segment_says_what_it_replaced_once_done_not_before_a_refusal(local_run, tmp_path, capsys):
    """A walk's `segment --frames 500:600` said "those segmented now are replaced", then refused the range."""
    import shutil

    root, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", "500:600", "--refine", "none",
                 "--out", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "no frame of the video in that range" in err and "replaced" not in err, err
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", "0:3", "--refine", "none",
                 "--out", str(tmp_path / "some")]) == 0
    # how many (a re-walk read "had results on 90 frames" of 5 replaced; another read "replaced theirs" of 10 among
    # 200 as all 200); the run made them with the network alone too: the same masks, nothing replaced (a walk read
    # "replaced" and no set)
    assert ("had results on 21 frames; this segmentation of 3 (the network alone) gave the same masks on those 3: "
            "nothing was replaced; the other 18 stay as they were") in capsys.readouterr().err


def test_segment_leaves_out_frames_of_its_range_outside_the_persons_span(local_run, tmp_path, capsys):
    """A re-walk's `segment --frames 3700:3790` of a person annotated from 3800 stored 90 empty results, said as
    "replaced", and Play then counted 237 frames with masks."""
    import shutil

    root, demo, *_ = local_run
    folder = shutil.copytree(root / "proj", tmp_path / "proj")
    rows = [line.split() for line in (demo / "trajectories.txt").read_text().splitlines() if line.strip()]
    late = tmp_path / "late.txt"  # person 1 annotated from frame 12 on
    late.write_text("".join("\t".join(r) + "\n" for r in rows if float(r[1]) != 1.0 or float(r[0]) >= 12))
    assert main(["relocate", "--project", str(folder), "--trajectories", str(late)]) == 0
    with Project.open(folder) as p:
        first = p.load_scene().span(1)[0]
        before = p.result_counts(1)
    assert first > 3
    capsys.readouterr()
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", f"0:{first}", "--refine", "none",
                 "--out", str(tmp_path / "none")]) == 2
    assert f"outside person 1's span ({first}–" in capsys.readouterr().err
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", f"0:{first + 2}", "--refine", "none",
                 "--out", str(tmp_path / "some")]) == 0
    out, err = capsys.readouterr()
    assert 1 <= json.loads(out.strip().splitlines()[-1])["frames"] <= 2  # (the span's two, a mask each or none)
    assert f"frames 0-{first - 1} lie outside person 1's span: left out" in err
    assert main(["segment", "--project", str(folder), "--pid", "1", "--frames", "18:40", "--refine", "none",
                 "--out", str(tmp_path / "end")]) == 0  # past the video's end (frames 0-20): said too
    assert "frames 21-39 are not in the video (it ends at 20)" in capsys.readouterr().err
    with Project.open(folder) as p:
        assert p.result_counts(1) == before  # nothing added: the two frames in the span replaced theirs

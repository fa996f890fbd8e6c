"""Trajectory parsing: formats, separators, headers, frame mapping, interpolation and every error."""

import numpy as np
import pytest
from fakes import scene_warnings

from humanseg_core.errors import TrajectoryError
from humanseg_core.inputs.trajectories import load_trajectories


def write(tmp_path, text, name="t.txt"):
    p = tmp_path / name
    p.write_text(text)
    return p


FOUR = "0\t1\t1.0\t2.0\n10\t1\t2.0\t4.0\n10\t2\t5.0\t5.0\n20\t1\t4.0\t4.0\n"


def test_four_column_tab_file(tmp_path):
    t = load_trajectories(write(tmp_path, FOUR))
    assert t.format == "trajnet"
    assert t.pids == [1, 2]
    tr = t.tracks[1]
    assert tr.pid == 1 and tr.frames.tolist() == [0, 10, 20]
    assert tr.first == 0 and tr.last == 20
    np.testing.assert_allclose(tr.world, [[1, 2], [2, 4], [4, 4]])
    assert t.annotated_frames() == [0, 10, 20]


@pytest.mark.parametrize("sep", [" ", ",", ", ", "  \t "])
def test_separators_and_header_and_comments(tmp_path, sep):
    body = "\n".join(sep.join(r.split("\t")) for r in FOUR.strip().split("\n"))
    text = "frame,pid,x,y\n# a comment\n\n" + body + "\r\n"
    t = load_trajectories(write(tmp_path, text))
    assert t.pids == [1, 2] and t.tracks[1].frames.tolist() == [0, 10, 20]


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_lines_ended_by_a_lone_cr_are_lines(tmp_path, end):
    """A review: lines ended by a lone CR (classic Mac, Excel for Mac's "CSV (Macintosh)"): two rows were read as
    one row of another format (obsmat, one point), three refused as "12 columns" on line 1."""
    rows = FOUR.strip().split("\n")
    t = load_trajectories(write(tmp_path, end.join(rows) + end))
    assert t.pids == [1, 2] and t.tracks[1].frames.tolist() == [0, 10, 20]
    two = load_trajectories(write(tmp_path, "0\t1\t1.0\t2.0" + end + "10\t1\t1.5\t2.5" + end))
    assert two.tracks[1].frames.tolist() == [0, 10]
    with pytest.raises(TrajectoryError, match="line 3.*cut short"):  # a cut last line is still said, at its line
        load_trajectories(write(tmp_path, end.join(rows[:2] + ["20 1 4"])))


def test_rows_in_any_order_are_sorted_per_person(tmp_path):
    t = load_trajectories(write(tmp_path, "20 1 4 4\n0 1 1 2\n10 1 2 4\n"))
    assert t.tracks[1].frames.tolist() == [0, 10, 20]
    np.testing.assert_allclose(t.tracks[1].world[0], [1, 2])


def test_float_frame_and_pid_are_accepted_when_whole(tmp_path):
    t = load_trajectories(write(tmp_path, "3700.0\t54.0\t10.5\t4.5\n3710.0\t54.0\t11.5\t4.5\n"))
    assert t.pids == [54] and t.tracks[54].frames.tolist() == [3700, 3710]
    assert t.tracks[54].frames.dtype.kind == "i"


def test_interpolation_is_linear_and_never_extrapolates(tmp_path):
    tr = load_trajectories(write(tmp_path, FOUR)).tracks[1]
    np.testing.assert_allclose(tr.position(5), [1.5, 3.0])
    np.testing.assert_allclose(tr.position(15), [3.0, 4.0])
    np.testing.assert_allclose(tr.position(20), [4.0, 4.0])
    assert tr.position(-1) is None and tr.position(21) is None
    p = tr.positions([-1, 0, 5, 25])
    assert np.isnan(p[0]).all() and np.isnan(p[3]).all()
    np.testing.assert_allclose(p[1:3], [[1, 2], [1.5, 3.0]])


def test_the_file_s_own_ends_extend_the_tracks_in_it_by_one_annotation_step(tmp_path):
    # person 1 is annotated at 0, 10, 20: the file's first and last frames, so it was in view when the
    # annotations started and stopped; person 2 (only at 10) came and went between them
    t = load_trajectories(write(tmp_path, FOUR))
    assert t.annotation_step() == 10
    assert t.edge_reach(1) == (9, 9) and t.edge_reach(2) == (0, 0)
    tr = t.tracks[1]
    np.testing.assert_allclose(tr.extended_position(25, 9, 9), [5.0, 4.0])  # last velocity (0.2, 0) a frame
    np.testing.assert_allclose(tr.extended_position(24, 9, 9), [4.8, 4.0])
    np.testing.assert_allclose(tr.extended_position(-5, 9, 9), [0.5, 1.0])  # first velocity (0.1, 0.2)/frame
    assert tr.extended_position(30, 9, 9) is None and tr.extended_position(-10, 9, 9) is None
    np.testing.assert_allclose(tr.extended_position(5, 9, 9), tr.position(5))
    assert tr.position(25) is None  # position() itself never extrapolates
    single = t.tracks[2]
    np.testing.assert_allclose(single.extended_position(14, 0, 9), [5, 5])  # one annotation: standing still


def test_single_annotation_track(tmp_path):
    tr = load_trajectories(write(tmp_path, FOUR)).tracks[2]
    np.testing.assert_allclose(tr.position(10), [5, 5])
    assert tr.position(11) is None


def test_frame_offset_and_step_map_to_video_frames(tmp_path):
    t = load_trajectories(write(tmp_path, FOUR), frame_offset=100, frame_step=2)
    assert t.tracks[1].frames.tolist() == [100, 120, 140]
    np.testing.assert_allclose(t.tracks[1].position(110), [1.5, 3.0])


def test_obsmat_uses_columns_0_1_2_4(tmp_path):
    text = (
        "   7.8000000e+02   1.0000000e+00   8.4568443e+00   0.0000000e+00   3.5880664e+00   1.67   0.0   0.17\n"
        "   7.8600000e+02   1.0000000e+00   9.1255301e+00   0.0000000e+00   3.6585832e+00   1.66   0.0   0.33\n"
    )
    t = load_trajectories(write(tmp_path, text))
    assert t.format == "obsmat"
    np.testing.assert_allclose(t.tracks[1].world, [[8.4568443, 3.5880664], [9.1255301, 3.6585832]])
    assert t.tracks[1].frames.tolist() == [780, 786]


def test_format_override_checks_the_column_count(tmp_path):
    p = write(tmp_path, FOUR)
    assert load_trajectories(p, fmt="trajnet").format == "trajnet"
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(p, fmt="obsmat")
    assert err.value.line == 1 and "8 columns" in err.value.problem


def expect_error(tmp_path, text, line, words, **kw):
    p = write(tmp_path, text)
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(p, **kw)
    assert err.value.line == line
    assert str(p) in str(err.value)
    for w in words:
        assert w in err.value.problem, err.value.problem
    return err.value


def test_empty_file(tmp_path):
    expect_error(tmp_path, "", None, ["no trajectory rows"])
    expect_error(tmp_path, "# only a comment\n\n", None, ["no trajectory rows"])


def test_wrong_column_count(tmp_path):
    expect_error(tmp_path, "1 2 3\n", 1, ["found 3", "is this the homography?"])
    expect_error(tmp_path, "0 1 1 2\n\n10 1 1 2 5\n", 3, ["expected 4", "found 5"])
    # a header of two lines of words (a walk's file was asked whether it was the homography)
    expect_error(tmp_path, "this is my file\nmade by bob\n10 1 1.0 2.0\n", 2,
                 ["'made by bob': words, not numbers: a second line of a header? Only the first line may be one; "
                  "start the others with #"])
    expect_error(tmp_path, "frame pid x y\nframe_no person xpos ypos\n10 1 1.0 2.0\n", 2,  # four words (a re-walk)
                 ["'frame_no person xpos ypos': words, not numbers"])
    expect_error(tmp_path, "frame pid x y\n- - m m\n10 1 1.0 2.0\n", 2, ["'- - m m': words, not numbers"])
    expect_error(tmp_path, "10 1 1.0 2.0\nfoo bar baz qux\n", 2, ["frame number 'foo'"])  # after data: a bad row


def test_non_numeric_value(tmp_path):
    expect_error(tmp_path, "0 1 1 2\n10 1 abc 2\n", 2, ["'abc'"])
    expect_error(tmp_path, "0 1 1 x\n", 1, ["'x'"])  # a first line with numbers is data, not a header


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_nan_and_inf_positions(tmp_path, value):
    expect_error(tmp_path, f"0 1 1 2\n10 1 {value} 2\n", 2, ["finite"])


def test_fractional_frame_or_pid(tmp_path):
    expect_error(tmp_path, "0 1 1 2\n10.5 1 1 2\n", 2, ["frame number", "whole"])
    expect_error(tmp_path, "0 1.25 1 2\n", 1, ["person id", "whole"])
    expect_error(tmp_path, "nan 1 1 2\n", 1, ["frame number"])


def test_a_text_value_names_its_column(tmp_path):
    """A walk's file had person ids like 'ped_1': the message said only "'ped_1' is not a number"."""
    expect_error(tmp_path, "0 1 1 2\n0 ped_1 1 2\n", 2, ["person id 'ped_1' is written unlike '1' on line 1"])
    expect_error(tmp_path, "0 ped-a 1 2\n", 1, ["person id 'ped-a' is not a number", "1, 2"])
    expect_error(tmp_path, "0 1 1 2\n10 1 1 abc\n", 2, ["y 'abc' is not a number"])
    expect_error(tmp_path, "f0 1 1 2\n", 1, ["frame number 'f0' is not a number"])


def test_duplicate_frame_and_pid(tmp_path):
    expect_error(tmp_path, "0 1 1 2\n0 2 1 2\n0.0 1.0 3 3\n", 3, ["twice", "line 1"])


def test_negative_video_frame(tmp_path):
    expect_error(tmp_path, "-10 1 1 2\n", 1, ["every row maps before the video's first frame", "< 0"])
    expect_error(tmp_path, "# c\n0 1 1 2\n5 1 1 2\n", 2, ["every row", "< 0"], frame_offset=-30)


@pytest.mark.parametrize("text", ["0 1 1 2\n5 1 1 2\n5 2 3 4\n", "# the careful parser\n0 1 1 2\n5 1 1 2\n5 2 3 4\n"])
def test_rows_before_the_video_are_left_out_and_counted(tmp_path, text):
    """A walk's clip cut from a longer recording, read with the whole annotation file: rows after the clip's
    end were a warning, rows before its start refused the file."""
    traj = load_trajectories(write(tmp_path, text), frame_offset=-3)
    assert traj.before_start == 1 and traj.pids == [1, 2]
    assert traj.tracks[1].frames.tolist() == [2] and traj.tracks[2].frames.tolist() == [2]


def test_huge_frame_number(tmp_path):
    expect_error(tmp_path, "1e30 1 1 2\n", 1, ["out of range"])


def test_binary_and_missing_files(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(b"0 1 1 2\n\xff\xfe\x00\x01")
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(p)
    assert err.value.line == 2
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(tmp_path / "missing.txt")
    assert "missing.txt" in str(err.value) and "no such file" in str(err.value)


def test_bad_options(tmp_path):
    p = write(tmp_path, FOUR)
    with pytest.raises(TrajectoryError):
        load_trajectories(p, fmt="csv")
    from humanseg_core.errors import HumansegError

    with pytest.raises(HumansegError, match="^--frame-step must be") as err:  # the option named, not the file
        load_trajectories(p, frame_step=0)
    assert not isinstance(err.value, TrajectoryError)


def test_trajnet_plus_plus_ndjson(tmp_path):
    """TrajNet++ files: a JSON object a line, track rows and scene lines (ignored), detected by the '{'."""
    p = tmp_path / "biwi_hotel.ndjson"
    p.write_text('{"scene": {"id": 0, "p": 1, "s": 0, "e": 20, "fps": 2.5, "tag": [1, []]}}\n'
                 '{"track": {"f": 0, "p": 1, "x": 1.5, "y": 2.0}}\n'
                 '{"track": {"f": 10, "p": 1, "x": 2.0, "y": 2.5}}\n'
                 '{"track": {"f": 0, "p": 2, "x": -1.0, "y": 3.0, "prediction_number": 0}}\n')
    t = load_trajectories(p, frame_offset=100)
    assert t.format == "trajnet++" and sorted(t.tracks) == [1, 2]
    assert t.tracks[1].frames.tolist() == [100, 110] and t.tracks[1].world.tolist() == [[1.5, 2.0], [2.0, 2.5]]
    assert load_trajectories(p, fmt="trajnet").tracks[2].world.tolist() == [[-1.0, 3.0]]
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"track": {"f": 0, "p": 1, "x": 1.5, "y": 2.0}}\n{"track": {"f": 10, "p": 1, "x": 2.0}}\n'
                   '{"tracks": 1}\n')
    with pytest.raises(TrajectoryError, match=r"line 2: a track line without 'y'"):
        load_trajectories(bad)
    skipped = load_trajectories(bad, skip_bad=True)
    assert [line for line, _ in skipped.skipped] == [2, 3] and "not a TrajNet++ line" in skipped.skipped[1][1]


def test_a_bad_first_json_line_is_named(tmp_path):
    p = tmp_path / "t.ndjson"
    p.write_text('{"track": oops}\n')
    with pytest.raises(TrajectoryError, match="line 1: not a TrajNet\\+\\+ line"):
        load_trajectories(p)


@pytest.mark.parametrize("text", ["frame;pid;x;y\n10;1;1.5;2.25\n20;1;2;3\n",  # a spreadsheet's ';'
                                  "10.0\t1\t1,5\t2,25\n20\t1\t2\t3\n",  # decimal commas, tabs
                                  "Frame;Person;X;Y\n10;1;1,5;2,25\n20;1;2;3\n"])  # both (German Excel)
def test_spreadsheet_exports_read(tmp_path, text):
    """A walk's European files read "expected 4 columns … found 6" (decimal commas) or "found 1" (';')."""
    traj = load_trajectories(write(tmp_path, text))
    assert traj.tracks[1].frames.tolist() == [10, 20]
    assert traj.tracks[1].world.tolist() == [[1.5, 2.25], [2.0, 3.0]]


def test_comma_separated_rows_still_read(tmp_path):
    for text in ("10,1,1.5,2.25\n", "10, 1, 1.5, 2.25\n", "10,1,2,3\n"):
        assert load_trajectories(write(tmp_path, text)).tracks[1].frames.tolist() == [10]


def test_a_typo_with_a_comma_in_a_tab_separated_row_names_the_value(tmp_path):
    """A walk's "7,05x" in a tab-separated row read "expected 4 columns (trajnet), found 5" for a row of four."""
    expect_error(tmp_path, "3060\t52\t7.0\t8.4\n3070\t52.0\t7,05x\t8.44\n", 2, ["'7,05x' is not a number"])
    traj = load_trajectories(write(tmp_path, "3060\t52\t7.0\t8.4\n3070 52 7,05 8.44\n"))  # a decimal comma: read
    assert traj.tracks[52].world.tolist() == [[7.0, 8.4], [7.05, 8.44]]


def test_skipping_bad_rows_is_offered_only_when_a_row_is_good(tmp_path):
    """The studio offered "Skip Bad Lines and Open" for a file none of whose rows read, then said "no good
    trajectory row"."""
    assert not expect_error(tmp_path, "1 2\n3 4\n", 1, ["found 2"]).bad_row
    assert expect_error(tmp_path, "1 2\n10 1 1 2\n", 1, ["found 2"]).bad_row  # the first row bad, a later one good
    assert expect_error(tmp_path, "10 1 1 2\n1 2\n", 2, ["found 2"]).bad_row


def test_a_refusal_counts_the_bad_rows(tmp_path):
    """A re-walk's file with 170 bad rows was refused naming the first alone; the count came after skipping."""
    from humanseg_core.errors import bad_rows_text

    err = expect_error(tmp_path, "10 1 1 2\n1 2\n20 1 1 2\n3 4\n", 2, ["found 2"])
    assert err.bad_row and err.bad_rows == 2 and bad_rows_text(err).endswith("found 2 (2 bad rows in all)")
    one = expect_error(tmp_path, "10 1 1 2\n1 2\n", 2, ["found 2"])
    assert bad_rows_text(one) == str(one)


def test_a_file_cut_short_is_said_to_be(tmp_path):
    """A walk's truncated obsmat.txt read "line 2861: expected 8 columns (obsmat), found 3", as any bad row."""
    cut = tmp_path / "cut.txt"
    cut.write_text("0 1 1.0 2.0\n10 1 1.5 2.0\n20 1 1.")
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(cut)
    assert "line 3: expected 4 columns (trajnet), found 3" in str(err.value)
    assert "the file's last line and has no line end: the file looks cut short" in str(err.value)
    assert err.value.bad_row  # reading without it is still offered
    left = load_trajectories(cut, skip_bad=True)  # left out: the warning says it too
    assert left.skipped == [(3, "expected 4 columns (trajnet), found 3; it is the file's last line and has no line "
                                "end: the file looks cut short (copied or written only in part)")]
    last = tmp_path / "last.txt"  # a bad last line of the right length, without a line end: nothing of a cut
    last.write_text("0 1 1.0 2.0\n10 1 1.5 2.0\n20 1 abc 2.0")
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(last)
    assert "not a number" in str(err.value) and "cut short" not in str(err.value)
    whole = tmp_path / "whole.txt"
    whole.write_text("0 1 1.0 2.0\n10 1 1.5\n20 1 2.0 2.0\n")  # a bad row inside: nothing about a cut
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(whole)
    assert "cut short" not in str(err.value)


@pytest.mark.parametrize("header", ["", '{"scene": {"id": 0}}\n'])  # plain rows, and a TrajNet++ scene line first
def test_a_row_repeated_exactly_is_read_once_and_said(tmp_path, header):
    """A walk's file with one row pasted twice was refused as "person 81 annotated twice", though both rows said
    the same. A repeat is read once and said (the scene's warnings); the same person at another place on one
    frame is still refused: which row is meant cannot be told."""

    rows = "0 1 1.5 2.0\n0 2 3.0 4.0\n0 2 3.0 4.0\n10 1 1.6 2.0\n10 2 3.1 4.0\n0 2 3.0 4.0\n"
    traj = load_trajectories(write(tmp_path, header + rows))
    skip = 1 if header else 0
    assert traj.repeated_rows == [(3 + skip, 2 + skip), (6 + skip, 3 + skip)]
    assert traj.tracks[2].frames.tolist() == [0, 10] and traj.tracks[2].world.tolist() == [[3.0, 4.0], [3.1, 4.0]]
    err = expect_error(tmp_path, header + rows + "10 1 1.7 2.0\n", 7 + skip, ["twice at frame 10"])
    assert f"first on line {4 + skip}" in err.problem
    expect_error(tmp_path, header + "0 1 1.0 2.0\n0 1 1.0 3.0\n", 2 + skip, ["twice at frame 0"])  # x alike, not y
    if header:
        return
    import cv2

    folder = tmp_path / "frames"
    folder.mkdir()
    for n in range(12):
        cv2.imwrite(str(folder / f"{n:05d}.png"), np.zeros((20, 30, 3), np.uint8))
    said = scene_warnings(folder, write(tmp_path, rows), "repeat")
    assert said == ["t.txt: 2 rows repeat an earlier row exactly (line 3 repeats line 2, …): "
                    "read once"]


def test_a_spreadsheets_empty_rows_are_blank_lines(tmp_path):
    """A walk's CSV held ",,," rows (a spreadsheet's empty rows): refused as "expected 4 columns, found 1"."""
    traj = load_trajectories(write(tmp_path, "frame,pid,x,y\n0,1,1.5,2.0\n,,,\n;;;\n10,1,1.6,2.0\n", "t.csv"))
    assert traj.tracks[1].frames.tolist() == [0, 10] and traj.skipped == []
    expect_error(tmp_path, "0,1,1.5,2.0\n,1,,\n10,1,1.6,2.0\n", 2, ["columns"])  # a row with a value is a row


def test_person_ids_written_with_letters_before_the_number_are_read_as_numbers(tmp_path):
    """A walk's dataset wrote its ids "p76": refused ("not a number"), and --skip-bad-lines then left no row. One
    prefix for every id is read as the numbers and said; two ways of writing them are refused, naming both."""
    from humanseg_core.inputs.file_notes import file_notes

    traj = load_trajectories(write(tmp_path, "frame,id,x,y\n1,p76,7.6,4.7\n1,P80,8.8,3.0\n11,p76,7.7,4.7\n", "t.csv"))
    assert sorted(traj.tracks) == [76, 80] and traj.tracks[76].frames.tolist() == [1, 11]
    assert traj.pid_written == "p76"
    assert file_notes(None, traj, "t.csv") == ["t.csv: its person ids are written with letters before the number "
                                               "('p76'): read as the numbers ('p76' is person 76)"]
    err = expect_error(tmp_path, "1 ped_3 1.0 1.0\n1 4 2.0 2.0\n", 2, ["'4' is written unlike 'ped_3' on line 1"])
    assert "all numbers, or all the same letters" in err.problem
    expect_error(tmp_path, "1 3 1.0 1.0\n1 q4 2.0 2.0\n", 2, ["'q4' is written unlike '3' on line 1"])
    assert load_trajectories(write(tmp_path, "1 3 1.0 1.0\n1 4 2.0 2.0\n")).pid_written == ""


def test_a_bad_first_row_does_not_decide_how_ids_are_written(tmp_path):
    """A review: a first row "0 p1 x NaN" set the prefix, and --skip-bad-lines then skipped every numeric row."""
    traj = load_trajectories(write(tmp_path, "0 p1 1.0 nan\n0 2 1.0 1.0\n10 2 1.5 1.0\n"), skip_bad=True)
    assert sorted(traj.tracks) == [2] and [line for line, _ in traj.skipped] == [1] and traj.pid_written == ""
    assert sorted(load_trajectories(write(tmp_path, "0 ped-1 1.0 1.0\n0 ped-2 2.0 1.0\n")).tracks) == [1, 2]


@pytest.mark.parametrize("comment", ["", "# a comment: the careful parser\n"])
def test_persons_annotated_only_before_the_video_are_counted(tmp_path, comment):
    """A re-walk read "84 of the 95 persons of obsmat.txt are never in the video" of a file of 148: the 53 annotated
    only before the clip had been left out when read, and out of the count."""
    text = comment + "0 1 1 1\n10 1 2 2\n0 2 1 1\n100 2 3 3\n110 3 1 1\n"  # 1: only before; 2: both; 3: only in
    t = load_trajectories(write(tmp_path, text), frame_offset=-50)
    assert t.pids == [2, 3] and t.persons_before_start == 1 and t.before_start == 3

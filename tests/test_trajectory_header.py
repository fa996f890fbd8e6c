"""A 4-column trajectory file whose header names its columns in another order is read by those names (a walk's
`pid frame x y` file read every pid as a frame, and a `frame pid y x` one had x and y swapped silently)."""

import numpy as np
import pytest

from humanseg_core.inputs.trajectories import load_trajectories
from humanseg_core.inputs.trajectory_header import header_order, order_text

ROWS = [(3700, 54, 10.5, 4.25), (3710, 54, 10.0, 4.5), (3700, 55, 2.0, 7.0), (3710, 55, 2.5, 7.25)]


def _write(path, header, columns, sep="\t"):
    lines = ([header] if header else []) + [sep.join(str(r[i]) for i in columns) for r in ROWS]
    path.write_text("\n".join(lines) + "\n")
    return path


def _points(traj):
    return {(int(f), p): tuple(np.round(xy, 3)) for p, t in traj.tracks.items() for f, xy in zip(t.frames, t.world)}


@pytest.mark.parametrize("header, columns, sep", [
    ("pid frame x y", (1, 0, 2, 3), " "),
    ("frame,pid,y,x", (0, 1, 3, 2), ","),
    ('"track_id";"frame_id";"pos_x";"pos_y"', (1, 0, 2, 3), ";"),
    ("# a comment first\nPedestrian\tFrame\tX\tY", (1, 0, 2, 3), "\t"),
])
def test_a_header_naming_the_columns_in_another_order_is_followed(tmp_path, header, columns, sep):
    usual = load_trajectories(_write(tmp_path / "usual.txt", "frame pid x y", (0, 1, 2, 3)))
    named = load_trajectories(_write(tmp_path / "named.txt", header, columns, sep))
    assert _points(named) == _points(usual) and named.pids == [54, 55]
    assert named.header_columns == order_text(header_order(header.split("\n")[-1].replace(",", " ").replace(";", " ")
                                                           .split()))
    assert usual.header_columns == ""


def test_other_headers_change_nothing(tmp_path):
    """Words that are not the four names, or the names in the usual order: the columns stay frame pid x y."""
    plain = _points(load_trajectories(_write(tmp_path / "a.txt", None, (0, 1, 2, 3))))
    assert _points(load_trajectories(_write(tmp_path / "b.txt", "a b c d", (0, 1, 2, 3)))) == plain
    assert _points(load_trajectories(_write(tmp_path / "c.txt", "frame id x y", (0, 1, 2, 3)))) == plain
    assert header_order(["frame", "pid", "x", "y"]) is None and header_order(["x", "y", "frame"]) is None
    assert header_order(["frame", "pid", "x", "x"]) is None  # a name twice: no order read from it
    assert header_order(["pid", "frame", "y", "x"]) == (1, 0, 3, 2) and order_text((1, 0, 3, 2)) == "pid frame y x"


def test_line_numbers_stay_the_files(tmp_path):
    """A bad row of a reordered file is named by its own line."""
    from humanseg_core.errors import TrajectoryError

    path = tmp_path / "bad.txt"
    path.write_text("pid frame x y\n54 3700 1.0 2.0\n54 oops 1.5 2.0\n")
    with pytest.raises(TrajectoryError) as err:
        load_trajectories(path)
    assert err.value.line == 3


def test_spreadsheet_exports_read(tmp_path):
    """A CLI walk's spreadsheet variants: an empty last column (a trailing comma), quoted fields, UTF-16 text with
    its mark; a fifth column is refused with what to do."""
    from humanseg_core.errors import TrajectoryError

    usual = _points(load_trajectories(_write(tmp_path / "usual.txt", None, (0, 1, 2, 3))))
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("".join(f"{f},{p},{x},{y},\n" for f, p, x, y in ROWS))
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"frame","pid","x","y"\n' + "".join(f'"{f}","{p}","{x}","{y}"\n' for f, p, x, y in ROWS))
    decimal = tmp_path / "decimal.csv"  # quoted, with decimal commas (a review: read as 6 columns)
    decimal.write_text("".join(f'"{f}";"{p}";"{str(x).replace(".", ",")}";"{str(y).replace(".", ",")}"\n'
                               for f, p, x, y in ROWS))
    quoted_commas = tmp_path / "quoted_commas.csv"
    quoted_commas.write_text("".join(f'"{f}","{p}","{str(x).replace(".", ",")}","{str(y).replace(".", ",")}"\n'
                                     for f, p, x, y in ROWS))
    wide = tmp_path / "utf16.txt"
    wide.write_bytes("\n".join(f"{f}\t{p}\t{x}\t{y}" for f, p, x, y in ROWS).encode("utf-16"))
    for path in (trailing, quoted, decimal, quoted_commas, wide):
        assert _points(load_trajectories(path)) == usual, path.name
    five = tmp_path / "five.txt"
    five.write_text("".join(f"{f} {p} {x} {y} 1.0\n" for f, p, x, y in ROWS))
    with pytest.raises(TrajectoryError, match="keep the first four columns"):
        load_trajectories(five)


def test_the_scene_says_the_order_its_header_gave(tmp_path):
    """Read by its header's names, the file says so (a wrong name would swap columns without a word: a review)."""
    import cv2

    from humanseg_core.inputs.scene import load_scene

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in (3700, 3710):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.zeros((20, 30, 3), np.uint8))
    path = _write(tmp_path / "named.txt", "pid frame x y", (1, 0, 2, 3))
    with load_scene(frames, path) as scene:
        assert "named.txt: its header names the columns pid frame x y: its rows were read in that order" in \
            scene.warnings

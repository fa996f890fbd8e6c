"""A 4-column trajectory file whose header names its columns in another order ("pid frame x y", "frame,pid,y,x"):
its rows are read in the `frame pid x y` order. A walk's `pid frame x y` file read every pid as a frame ("none of the
annotated frames is in the video") and a `frame pid y x` one had x and y swapped silently, the homography blamed.
A header of other words, or of these in the usual order, changes nothing.
"""

from __future__ import annotations

# the names a header may give each column (lower case, quotes around them dropped)
NAMES = {
    "frame": ("frame", "frame_id", "frameid", "frame_number", "frame_no", "frame_num", "f", "t", "time", "timestep"),
    "pid": ("pid", "id", "ped", "ped_id", "pedid", "pedestrian", "pedestrian_id", "person", "person_id", "track",
            "track_id", "trackid", "agent", "agent_id", "object_id", "p"),
    "x": ("x", "pos_x", "posx", "world_x", "x_m", "xm"),
    "y": ("y", "pos_y", "posy", "world_y", "y_m", "ym"),
}
ORDER = ("frame", "pid", "x", "y")


def header_order(tokens: list[str]) -> tuple[int, ...] | None:
    """The columns holding frame, pid, x and y when a header line's ``tokens`` name all four in another order;
    None otherwise (not four names, another word, or the usual order)."""
    names = [t.strip().strip("\"'").lstrip("\ufeff").lower() for t in tokens]
    if len(names) != 4:
        return None
    which = [next((name for name, words in NAMES.items() if t in words), None) for t in names]
    if sorted(w for w in which if w is not None) != sorted(ORDER):
        return None
    order = tuple(which.index(name) for name in ORDER)
    return None if order == (0, 1, 2, 3) else order


def order_text(order: tuple[int, ...]) -> str:
    """'pid frame x y': the file's columns as its header named them."""
    names = [""] * 4
    for name, column in zip(ORDER, order):
        names[column] = name
    return " ".join(names)

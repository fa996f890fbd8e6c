"""A scene without a homography says when its trajectory file does not look like the video's: positions in pixels,
or a whole recording's annotations over a short clip (an own-data walk: neither was said)."""

import numpy as np

from humanseg_core.inputs.homography import load_homography
from humanseg_core.inputs.scene import load_scene
from humanseg_core.inputs.scene_hints import clip_hint, pixel_hint


def _pixel_file(small_demo, tmp_path):
    """The demo's walks with their positions in the video's pixels (feet), as a user's own tool may write them."""
    scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt")
    H = load_homography(small_demo / "H.txt")
    lines = []
    for pid in scene.pids:
        track = scene.trajectories.tracks[pid]
        for f, (x, y) in zip(track.frames, track.world):
            u, v = H.world_to_pixel(np.array([[x, y]]))[0]
            lines.append(f"{int(f)} {pid} {u:.2f} {v:.2f}")
    scene.frames.close()
    out = tmp_path / "pixels.txt"
    out.write_text("\n".join(lines) + "\n")
    return out


def test_positions_in_pixels_are_named_without_a_homography_and_not_with_one(small_demo, tmp_path, capsys):
    pixels = _pixel_file(small_demo, tmp_path)
    scene = load_scene(small_demo / "frames", pixels)
    said = [w for w in scene.warnings if "look like pixels" in w]
    scene.frames.close()
    assert len(said) == 1 and "pixels.txt" in said[0] and "360x288" in said[0] and "identity" in said[0]
    import json

    from humanseg_core.cli import main

    assert main(["propose", "--project", str(tmp_path / "p"), "--video", str(small_demo / "frames"), "--trajectories",
                 str(pixels), "--pids", "1", "--method", "bgs", "--no-estimate"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])  # in the JSON too (a re-walk: stderr alone)
    assert doc["trajectory_warnings"] == said
    metres = load_scene(small_demo / "frames", small_demo / "trajectories.txt")  # the demo's own, in metres
    assert not any("look like pixels" in w for w in metres.warnings)
    metres.frames.close()


def test_a_whole_recordings_file_over_a_short_clip_is_named_without_a_homography():
    annotated = list(range(1, 9012, 10))
    said = clip_hint("obsmat.txt", annotated, list(range(250)), numbered=False)
    assert said is not None and "1–9011" in said and "36x the video's 250 frames" in said and "--frame-offset" in said
    assert clip_hint("obsmat.txt", annotated, list(range(250)), numbered=True) is None  # an offset or step given
    assert clip_hint("t.txt", list(range(3700, 3941, 10)), list(range(250)), numbered=False) is None  # the clip's own


def test_the_shared_scenes_metres_do_not_read_as_pixels():
    """ETH/UCY's world coordinates (spans of 14-22 m, all inside a 720x576 image's range) are no pixels."""
    for lo, hi in (((-7.7, -3.2), (14.4, 13.2)), ((-0.2, -0.2), (15.4, 13.9)), ((-7.4, 5.0), (6.4, 20.7))):
        assert pixel_hint("t.txt", np.array([lo, hi]), 720, 576) is None
    assert pixel_hint("t.txt", np.array([[-5.8, 288.0], [726.6, 561.4]]), 720, 576) is not None  # the walk's file
    assert pixel_hint("t.txt", np.array([[0.0, 0.0], [1900.0, 1000.0]]), 720, 576) is None  # not this image's

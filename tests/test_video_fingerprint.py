"""Another video of the same frame size and numbering is not taken as the project's without a word: a
data-safety walk's Locate… took one, and the analyst's masks then lay over other people (``inputs.fingerprint``)."""

import cv2
import numpy as np
import pytest
from fakes import jpeg_project
from fakes import run_cli as _run

from humanseg_core.inputs.fingerprint import SETTING, differing_frames, take, unlike_message
from humanseg_core.inputs.frames import open_frames
from humanseg_core.project import Project
from humanseg_core.records import Proposal

H, W = 120, 160
FRAMES = range(10, 30)


def _frame(f: int, people_at: int) -> np.ndarray:
    """A textured still with three small dark people whose place depends on ``people_at`` and the frame."""
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.integers(90, 170, (H, W, 3), dtype=np.uint8), (9, 9), 3)
    for k in range(3):
        x = (people_at + 7 * f + 45 * k) % (W - 8)
        img[40 + 20 * k:58 + 20 * k, x:x + 6] = 20
    return img


def _video(folder, people_at: int, change=lambda img: img):
    folder.mkdir()
    for f in FRAMES:
        cv2.imwrite(str(folder / f"{f:05d}.png"), change(_frame(f, people_at)))
    return folder


def _jpeg(img: np.ndarray) -> np.ndarray:  # a re-encoded, brightened copy
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 40])
    return np.clip(cv2.imdecode(data, 1).astype(int) + 15, 0, 255).astype(np.uint8)


def test_a_copy_looks_like_the_video_and_another_video_does_not(tmp_path):
    own = open_frames(_video(tmp_path / "own", 0))
    kept = take(own)
    assert kept is not None and kept["frames"] == [10, 16, 23, 29] and kept["size"] == [H, W]
    assert differing_frames(kept, open_frames(_video(tmp_path / "copy", 0, _jpeg))) == ([], 4)
    other = open_frames(_video(tmp_path / "other", 60))  # the same view, its people elsewhere
    differ, compared = differing_frames(kept, other)
    assert differ == [10, 16, 23, 29] and compared == 4
    said = unlike_message("V", differ, compared)
    assert said.startswith("V: frames 10, 16, 23, 29 (4 of the 4 the project keeps a small copy of) look unlike")
    assert unlike_message("V", [16], 4) == "" and unlike_message("V", [16], 2) == ""  # an edited frame
    assert "holds none of the 4 frames" in unlike_message("V", [], 0, kept=4)  # nothing to compare: said
    brighter = open_frames(_video(tmp_path / "contrast", 0, lambda img: np.clip(img.astype(float) * 1.5 - 40, 0,
                                                                                255).astype(np.uint8)))
    assert differing_frames(kept, brighter) == ([], 4)
    assert differing_frames({"frames": "bad"}, other) == ([], 0)  # a damaged fingerprint tells nothing


def test_a_black_video_and_another_still_background_are_not_taken_for_the_video(tmp_path):
    """A review: a gain of 0 fitted an all-black video to any frame, and a background that differed from the
    project's in every compared frame was left out whole as a burned-in clock: both were taken without a word."""
    kept = take(open_frames(_video(tmp_path / "own", 0)))
    black = open_frames(_video(tmp_path / "black", 0, np.zeros_like))
    assert differing_frames(kept, black) == ([10, 16, 23, 29], 4)

    def other_shop_front(img):  # a third of the view another still picture, the people walking as before
        img = img.copy()
        img[:, : W // 3] = cv2.GaussianBlur(np.random.default_rng(5).integers(0, 256, (H, W // 3, 3), dtype=np.uint8),
                                            (5, 5), 1)
        return img

    assert differing_frames(kept, open_frames(_video(tmp_path / "other", 0, other_shop_front)))[0] == [10, 16, 23, 29]


def test_the_shared_scenes_tell_their_own_frames_from_the_same_view_with_other_people(shared_data):
    data = shared_data
    one = open_frames(data / "scenes" / "zara01" / "frames")
    kept = take(one)
    later = {**kept, "frames": [f + 20 for f in kept["frames"][:-1]], "small": kept["small"][:-1]}  # 20 frames on
    assert differing_frames(kept, one) == ([], 4)
    assert differing_frames(later, one) == (later["frames"], 3)
    shifted = {**kept, "small": [], "frames": kept["frames"]}  # the copies of a copy moved by 2 px, a clock burned in
    for k, f in enumerate(kept["frames"]):
        img = np.roll(one.read(f), 2, axis=(0, 1))
        cv2.putText(img, f"2026-12-07 13:45:0{k}", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
        shifted["small"].append(take(_One(img, f))["small"][0])
    assert differing_frames(shifted, one) == ([], 4)


class _One:
    """A frame source of one frame (``take`` of it)."""

    def __init__(self, img, index):
        self.img, self.indices, self.height, self.width = img, [index], img.shape[0], img.shape[1]

    def read(self, index):
        return self.img


@pytest.fixture
def project(tmp_path):
    (tmp_path / "t.txt").write_text("10 1 1.0 1.0\n20 1 1.5 1.0\n")
    with jpeg_project(tmp_path, [], (H, W), lambda f: 0) as p:
        pass
    (tmp_path / "video").rmdir()
    video = _video(tmp_path / "video", 0)
    with Project.open(tmp_path / "proj") as p:
        mask = np.zeros((H, W), bool)
        mask[40:58, 0:6] = True
        p.add_proposals([Proposal(frame=10, pid=1, box=(0, 40, 6, 58), mask=mask, source="bgs", status="accepted")])
        with p.load_scene() as scene:
            p.keep_video_fingerprint(scene.frames)
        p.keep_video_fingerprint(open_frames(_video(tmp_path / "later", 60)))  # kept once: the first stands
        assert p.setting(SETTING)["small"] == take(open_frames(video))["small"]
    video.rename(tmp_path / "moved")
    return tmp_path


def test_relocate_refuses_another_video_of_the_same_size_and_numbers(project, capsys):
    other = _video(project / "other", 60)
    code, _doc, err = _run(capsys, "relocate", "--project", project / "proj", "--video", other)
    assert code == 2 and "frames 10, 16, 23, 29 (4 of the 4" in err and "look unlike the project's video" in err
    assert "nothing was changed; `--force` takes it" in err
    with Project.open(project / "proj") as p:
        assert p.inputs.video == str(project / "video")
    code, doc, err = _run(capsys, "relocate", "--project", project / "proj", "--video", other, "--force")
    assert code == 0 and doc["relocated"]["video"] == str(other) and "(taken: --force)" in err
    with Project.open(project / "proj") as p:
        assert p.setting(SETTING) is None  # the next proposals keep the video taken


def test_relocate_takes_a_re_encoded_copy_without_a_word(project, capsys):
    copy = _video(project / "copy", 0, _jpeg)
    code, doc, err = _run(capsys, "relocate", "--project", project / "proj", "--video", copy)
    assert code == 0 and doc["relocated"]["video"] == str(copy) and "unlike" not in err
    with Project.open(project / "proj") as p:
        assert p.setting(SETTING) is not None


def test_a_project_made_before_keeps_its_videos_copies_when_it_next_opens_it(project):
    with Project.open(project / "proj") as p:  # (the fixture's project: its video moved to "moved")
        p.forget_video_fingerprint()
        p.relocate_inputs(video=str(project / "moved"))
        assert p.setting(SETTING) is None
        with p.load_scene():
            pass
        assert p.setting(SETTING)["frames"] == [10, 16, 23, 29]

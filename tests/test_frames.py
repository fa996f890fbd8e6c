"""Frame sources: a generated video and image folders; random access, cache bound, errors, prefetch."""

import threading
import time

import cv2
import numpy as np
import pytest
from fakes import scene_warnings

from humanseg_core.errors import FrameError
from humanseg_core.inputs.frames import FolderFrames, VideoFrames, open_frames

W, H = 64, 48


def frame_image(i: int) -> np.ndarray:
    """A frame whose flat grey level encodes its index (robust to lossy compression)."""
    return np.full((H, W, 3), (i * 7) % 250, np.uint8)


def level(frame: np.ndarray) -> float:
    return float(frame[8:-8, 8:-8].mean())


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (W, H))
    assert writer.isOpened()
    for i in range(30):
        writer.write(frame_image(i))
    writer.release()
    return path


@pytest.fixture(scope="module")
def mp4(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 12.0, (W, H))
    if not writer.isOpened():
        pytest.skip("no mp4v encoder in this OpenCV build")
    for i in range(40):
        writer.write(frame_image(i))
    writer.release()
    return path


def test_video_properties(video):
    src = open_frames(video)
    assert isinstance(src, VideoFrames)
    assert (src.width, src.height) == (W, H)
    assert len(src) == 30 and src.indices == list(range(30))
    assert src.fps == pytest.approx(10.0)
    assert src.path == video
    src.close()


@pytest.mark.parametrize("fixture", ["video", "mp4"])
def test_video_random_access_returns_the_right_frame(fixture, request):
    path = request.getfixturevalue(fixture)
    with open_frames(path, cache_size=4) as src:
        order = [0, 1, 2, 17, 3, 29, 28, 5, 6, 7, 20, 10, 0, 39 if len(src) > 30 else 25]
        for i in order:
            frame = src.read(i)
            assert frame.dtype == np.uint8 and frame.shape == (H, W, 3)
            assert abs(level(frame) - (i * 7) % 250) < 3, f"frame {i} has level {level(frame)}"


def test_read_returns_a_copy_the_caller_may_modify(video):
    with open_frames(video) as src:
        a = src.read(3)
        a[:] = 255
        assert abs(level(src.read(3)) - 21) < 3


def test_cache_stays_bounded(video):
    with open_frames(video, cache_size=5) as src:
        for i in range(30):
            src.read(i)
            assert src.cached_count() <= 5
        assert src.cached_count() == 5
        assert all(src.is_cached(i) for i in range(25, 30))
        assert not src.is_cached(0)


def test_cache_holds_fewer_large_frames(video, monkeypatch):
    """The cache is bounded in bytes too (full-HD frames: 64 had held 0.57 GB), never below MIN_CACHED."""
    from humanseg_core.inputs import frames

    monkeypatch.setattr(frames, "MIN_CACHED", 2)
    monkeypatch.setattr(frames, "CACHE_BYTES", 3 * W * H * 3 + 1)  # three of this video's frames
    with open_frames(video, cache_size=64) as src:
        assert src.capacity() == 3  # no frame decoded yet: the size the video opened with
        for i in range(10):
            src.read(i)
        assert src.capacity() == 3 and src.cached_count() == 3
        assert all(src.is_cached(i) for i in range(7, 10))
        monkeypatch.setattr(frames, "CACHE_BYTES", 1)
        assert src.capacity() == 2  # MIN_CACHED


def test_frame_out_of_range_raises_frame_error(video):
    with open_frames(video) as src:
        with pytest.raises(FrameError) as err:
            src.read(30)
        assert err.value.index == 30
        assert str(video) in str(err.value)


def test_missing_video_names_the_path(tmp_path):
    missing = tmp_path / "nowhere.mp4"
    with pytest.raises(FrameError) as err:
        open_frames(missing)
    assert str(missing) in str(err.value)


def test_garbage_video_file_is_a_frame_error(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    with pytest.raises(FrameError) as err:
        open_frames(bad)
    assert "bad.mp4" in str(err.value)


def write_folder(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), frame_image(i))
    return folder


def test_folder_uses_the_numbers_in_the_names(tmp_path):
    names = [f"frame{n}.png" for n in (120, 9, 100, 11)]  # natural numbers, not lexicographic
    folder = write_folder(tmp_path / "f", names)
    src = open_frames(folder)
    assert isinstance(src, FolderFrames)
    assert src.indices == [9, 11, 100, 120]
    assert src.fps == 25
    assert (src.width, src.height) == (W, H)
    # frame120.png was written with level of i=0, frame9 with i=1, frame100 with i=2, frame11 with i=3
    for index, i in [(120, 0), (9, 1), (100, 2), (11, 3)]:
        assert abs(level(src.read(index)) - (i * 7) % 250) < 1
    with pytest.raises(FrameError):
        src.read(10)


def test_folder_zero_padded_jpgs(tmp_path):
    folder = write_folder(tmp_path / "f", [f"{n:05d}.jpg" for n in range(3700, 3705)])
    src = open_frames(folder)
    assert src.indices == list(range(3700, 3705))
    assert abs(level(src.read(3703)) - 21) < 3


def test_folder_without_numbers_in_every_name_uses_sorted_order(tmp_path):
    folder = write_folder(tmp_path / "f", ["b.png", "a.png", "c7.png"])
    src = open_frames(folder)
    assert src.indices == [0, 1, 2]
    assert abs(level(src.read(0)) - 7) < 1  # a.png (written second)
    assert abs(level(src.read(1)) - 0) < 1  # b.png


def test_corrupt_image_in_folder_names_the_index(tmp_path):
    folder = write_folder(tmp_path / "f", [f"{n:05d}.jpg" for n in range(5)])
    (folder / "00003.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    src = open_frames(folder)
    assert abs(level(src.read(4)) - 28) < 3
    with pytest.raises(FrameError) as err:
        src.read(3)
    assert err.value.index == 3
    assert "00003.jpg" in str(err.value) and "frame 3" in str(err.value)
    assert abs(level(src.read(2)) - 14) < 3  # the source still works afterwards


def test_empty_folder_is_a_frame_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hi")
    with pytest.raises(FrameError) as err:
        open_frames(tmp_path / "empty")
    assert "empty" in str(err.value) and "give" not in str(err.value)
    scene = tmp_path / "scene"  # a scene folder given for its frames (a walk's `tracks --video scenes/zara01`)
    for name in ("gt_index", "frames"):
        (scene / name).mkdir(parents=True)
        (scene / name / "00001.png").write_bytes(b"")
    with pytest.raises(FrameError) as err:
        open_frames(scene)
    assert str(err.value).endswith(f"the folder holds no images (jpg, png, ...); its folders frames/, gt_index/ do: "
                                   f"give {scene / 'frames'} (a scene folder goes to run and propose as it is)")


def test_prefetch_fills_the_cache_in_the_background(video):
    with open_frames(video, cache_size=16) as src:
        src.prefetch(range(10, 18))
        deadline = time.monotonic() + 20
        while not all(src.is_cached(i) for i in range(10, 18)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(src.is_cached(i) for i in range(10, 18))
        assert abs(level(src.read(12)) - 84) < 3


def test_prefetch_drops_stale_requests(video):
    with open_frames(video, cache_size=64) as src:
        with src._decode_lock:  # hold the decoder so no request is served yet
            src.prefetch(range(0, 10))
            src.prefetch([25, 26])
            assert not set(range(10)) & set(src._pending)
        deadline = time.monotonic() + 20
        while not (src.is_cached(25) and src.is_cached(26)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert src.is_cached(25) and src.is_cached(26)
        assert not any(src.is_cached(i) for i in range(1, 10))


def test_concurrent_reads_from_threads_are_consistent(video):
    src = open_frames(video, cache_size=3)
    errors = []

    def reader(seed):
        rng = np.random.default_rng(seed)
        for i in rng.integers(0, 30, 40):
            if abs(level(src.read(int(i))) - (int(i) * 7) % 250) >= 3:
                errors.append(int(i))

    threads = [threading.Thread(target=reader, args=(s,)) for s in range(3)]
    src.prefetch(range(30))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    src.close()
    assert errors == []
    assert src.cached_count() == 0


class CountingCapture:
    """Wraps a cv2.VideoCapture and counts the seeks."""

    def __init__(self, cap):
        self.cap, self.seeks = cap, []

    def set(self, prop, value):
        if prop == cv2.CAP_PROP_POS_FRAMES:
            self.seeks.append(int(value))
        return self.cap.set(prop, value)

    def __getattr__(self, name):
        return getattr(self.cap, name)


def test_sequential_reads_do_not_seek(video):
    with open_frames(video, cache_size=2) as src:
        src._cap = CountingCapture(src._cap)
        for i in range(12):
            src.read(i)
        assert src._cap.seeks == []
        src.read(15)  # a short gap is decoded forward
        assert src._cap.seeks == []
        src.read(2)  # backwards: one seek
        assert src._cap.seeks == [2]
        assert abs(level(src.read(3)) - 21) < 3
        assert src._cap.seeks == [2]


class _SlowCapture:
    """A stand-in for cv2.VideoCapture on a container OpenCV hangs on: ``hold`` until the test lets go."""

    def __init__(self, hold: threading.Event, count: int = 30):
        self.hold, self.count, self.released = hold, count, threading.Event()

    def get(self, prop):
        return {cv2.CAP_PROP_FPS: 10.0, cv2.CAP_PROP_FRAME_WIDTH: W, cv2.CAP_PROP_FRAME_HEIGHT: H,
                cv2.CAP_PROP_FRAME_COUNT: self.count}.get(prop, 0)

    def grab(self):  # counting frames of a container that never ends
        return self.hold.wait(10) and False

    def set(self, *args):
        return True

    def release(self):
        self.released.set()


def test_a_video_open_that_hangs_is_given_up_with_a_message_naming_the_file(tmp_path, monkeypatch):
    from humanseg_core.inputs import frames

    path = tmp_path / "garbled.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    hold = threading.Event()
    cap = _SlowCapture(hold)

    def slow_open(p):
        hold.wait(10)  # without a bound the caller would wait here (10 s, then the test fails below)
        return cap

    monkeypatch.setattr(frames, "_open_capture", slow_open)
    monkeypatch.setattr(frames, "VIDEO_OPEN_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(FrameError, match="did not finish opening this video within 0.2 s") as info:
            open_frames(path)
        assert str(path) in str(info.value) and not hold.is_set()  # given up before the open returned
    finally:
        hold.set()
    assert cap.released.wait(5)  # the capture that came late is released, not leaked


def test_counting_frames_that_hangs_is_given_up_too(tmp_path, monkeypatch):
    from humanseg_core.inputs import frames

    path = tmp_path / "no_count.avi"
    path.write_bytes(bytes(100))
    hold = threading.Event()
    cap = _SlowCapture(hold, count=0)  # the container does not say how many frames: they are counted
    monkeypatch.setattr(frames, "_open_capture", lambda p: cap)
    monkeypatch.setattr(frames, "VIDEO_COUNT_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(FrameError, match="counting the frames of this video took more than 0.2 s") as info:
            open_frames(path)
        assert str(path) in str(info.value) and not hold.is_set()
    finally:
        hold.set()
    assert cap.released.wait(5)


def test_call_bounded_returns_raises_and_times_out():
    from humanseg_core.input_files import call_bounded

    assert call_bounded(lambda: 7, 1.0) == 7 and call_bounded(lambda: 8, None) == 8
    with pytest.raises(ZeroDivisionError):
        call_bounded(lambda: 1 / 0, 1.0)
    hold, late = threading.Event(), []
    with pytest.raises(TimeoutError, match="took more than 0.05 s"):
        call_bounded(lambda: hold.wait(5) and "file", 0.05, late=late.append)
    hold.set()
    deadline = time.monotonic() + 5
    while not late and time.monotonic() < deadline:
        time.sleep(0.01)
    assert late == ["file"]


def test_a_stray_image_without_a_number_is_left_out_and_named(tmp_path):
    """A walk put background.png into a numbered frames folder: every frame was renumbered in sorted order (0..200)
    and the banner asked whether the trajectories were this video's, never naming the file."""

    folder = write_folder(tmp_path / "f", [f"{n:05d}.png" for n in range(3700, 3712)] + ["background.png"])
    src = open_frames(folder)
    assert src.indices == list(range(3700, 3712)) and src.left_out == ["background.png"]
    src.close()
    (tmp_path / "t.txt").write_text("3700 1 1.0 1.0\n3710 1 1.5 1.0\n")
    said = scene_warnings(folder, tmp_path / "t.txt", "background.png")
    assert said == ["f/ holds 1 image without a frame number in its name (background.png): left out; the numbered "
                    "images are the frames"]


def test_a_copy_of_a_frame_named_unlike_the_others_is_left_out_and_named(tmp_path):
    """A walk copied a frame beside itself ("03710 - Copy.jpg"): the folder went to sorted order, every frame after
    3710 one off (J 0.704 -> 0.603), and the message blamed the trajectory file, never the copy. Images named
    unlike nine in ten of the others are left out and named; the frames keep their numbers."""

    names = [f"{n:05d}.png" for n in range(3700, 3720)]  # a tenth at most set aside
    folder = write_folder(tmp_path / "f", names + ["03710 - Copy.png", "03711 - Copy (2).png"])
    src = open_frames(folder)
    assert src.indices == list(range(3700, 3720)) and src.named_unlike == ["03710 - Copy.png",
                                                                            "03711 - Copy (2).png"]
    assert src.file_of(3710).name == "03710.png"
    src.close()
    (tmp_path / "t.txt").write_text("3700 1 1.0 1.0\n3710 1 1.5 1.0\n")
    said = scene_warnings(folder, tmp_path / "t.txt", "Copy")
    assert said == ["f/ holds 2 images named unlike the frames (03710 - Copy.png, 03711 - Copy (2).png): left out (a "
                    "copy?); the images named alike are the frames"]
    mixed = write_folder(tmp_path / "m", [f"a{n}.png" for n in range(5)] + [f"b{n}.png" for n in range(5, 10)])
    src = open_frames(mixed)  # two namings half and half: none set aside (the numbers are the frames)
    assert src.indices == list(range(10)) and src.named_unlike == []
    src.close()


def test_a_copy_beside_a_few_frames_is_left_out_too(tmp_path):
    """Nine in ten cannot hold in a folder of five: a copy beside four frames had put them in sorted order (an
    audit). All but one named alike is enough there; two files named apart set nothing aside."""
    folder = write_folder(tmp_path / "f", [f"{n:05d}.png" for n in range(3700, 3704)] + ["03701 - Copy.png"])
    src = open_frames(folder)
    assert src.indices == list(range(3700, 3704)) and src.named_unlike == ["03701 - Copy.png"]
    src.close()
    two = write_folder(tmp_path / "two", ["a1.png", "b2.png"])
    src = open_frames(two)
    assert src.named_unlike == [] and src.indices == [1, 2]
    src.close()


def test_frames_saved_part_jpg_part_png_keep_their_numbers_beside_a_copy(tmp_path):
    """A walk's frames were .jpg with 11 saved as .png: the extension made them a second naming, and a copy of one
    frame then put the folder in sorted order, every frame renumbered without a word (J 0.85 -> 0.38-0.57)."""
    names = [f"img_{n:04d}.{'png' if 50 <= n <= 60 else 'jpg'}" for n in range(1, 101)]
    folder = write_folder(tmp_path / "f", names + ["img_0005 - Copie.jpg"])
    src = open_frames(folder)
    assert src.indices == list(range(1, 101)) and src.named_unlike == ["img_0005 - Copie.jpg"]
    assert src.file_of(55).name == "img_0055.png" and src.sorted_because is None
    src.close()


def test_a_folder_read_in_sorted_order_though_its_names_are_numbered_says_why(tmp_path):
    """A walk's folder held cam1_0001.jpg.. and cam2_0001.jpg..: read as one video in sorted order, and the only
    warning blamed the homography. The scene now names two files that end in the same number."""

    names = [f"cam{c}_{n:04d}.png" for c in (1, 2) for n in range(1, 7)]
    folder = write_folder(tmp_path / "f", names)
    src = open_frames(folder)
    assert src.indices == list(range(12)) and src.file_of(6).name == "cam2_0001.png"
    assert src.sorted_because == "images end in the same number (cam1_0001.png and cam2_0001.png)"
    src.close()
    (tmp_path / "t.txt").write_text("0 1 1.0 1.0\n10 1 1.5 1.0\n")
    said = scene_warnings(folder, tmp_path / "t.txt", "same number")
    assert said == ["f/: images end in the same number (cam1_0001.png and cam2_0001.png), so the numbers in the "
                    "names are not the frame numbers: its images are the frames 0..11 in sorted order. Two videos' "
                    "frames, or copies? One video's frames to a folder keeps their numbers"]
    strays = write_folder(tmp_path / "s", [f"{n:05d}.png" for n in range(10)] + ["bg.png", "mask.png"])
    src = open_frames(strays)  # more strays than a tenth: sorted order, and why
    assert src.indices == list(range(12))
    assert src.sorted_because == "2 of its 12 images have no frame number or are named unlike the others"
    src.close()
    plain = write_folder(tmp_path / "p", ["b.png", "a.png"])
    src = open_frames(plain)  # no number anywhere: sorted order is the only reading, nothing to say
    assert src.sorted_because is None
    src.close()


def test_one_frame_saved_again_in_another_format_is_the_copy(tmp_path):
    """A review: with namings compared without extensions, 00005.png beside 00005.jpg put the folder in sorted
    order (every later frame one off). Where that leaves two files on one number, the extension tells the copy."""
    folder = write_folder(tmp_path / "f", [f"{n:05d}.jpg" for n in range(20)] + ["00005.png"])
    src = open_frames(folder)
    assert src.indices == list(range(20)) and src.named_unlike == ["00005.png"] and src.sorted_because is None
    assert src.file_of(5).name == "00005.jpg" and src.file_of(6).name == "00006.jpg"
    src.close()

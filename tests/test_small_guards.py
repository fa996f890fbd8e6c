"""Small rules an audit's mutants showed no test held (each assertion fails with the mutant it is named for):
the newest trained run by default, the estimated homography's free name, the eta with no progress, a run's JSON,
its exit rule, the automatic device and a person in the video for one frame."""

from __future__ import annotations

import numpy as np
import pytest

from humanseg_core.jobs import EtaClock


def test_the_newest_trained_run_is_the_default(tmp_path):
    """`humanseg segment` and the Segment tab without a run: the newest network, not a stale one."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows.person import pick_run

    with Project.create(tmp_path / "p", ProjectInputs(video="v.mp4", trajectories="t.txt")) as project:
        first = project.add_run(3, "osvos-lite", checkpoint="ck/a.pt")
        second = project.add_run(3, "osvos-lite", checkpoint="ck/b.pt")
        project.add_run(3, "osvos-lite")  # no checkpoint: not a network to segment with
        assert pick_run(project, 3, None)["id"] == second
        assert pick_run(project, 3, first)["id"] == first


def test_a_third_estimate_gets_a_name_of_its_own(tmp_path):
    from humanseg_core.workflows.estimate import FILE_NAME, free_name

    assert free_name(tmp_path) == tmp_path / FILE_NAME
    (tmp_path / FILE_NAME).write_text("1")
    second = free_name(tmp_path)
    second.write_text("2")
    third = free_name(tmp_path)
    assert third not in (tmp_path / FILE_NAME, second) and third.name.endswith("_3.txt")


def test_the_eta_waits_for_progress():
    t = iter([0.0, 10.0, 20.0, 30.0])
    clock = EtaClock(clock=lambda: next(t))
    assert clock.eta(1, 10) is None  # the first report starts the clock
    assert clock.eta(1, 10) is None  # no progress since: no estimate (and no division by zero)
    assert clock.eta(3, 10) == pytest.approx(20.0 / 2 * 7)


def test_a_runs_json_names_failures_apart_from_skips_and_its_unit():
    from humanseg_core.workflows.scene_result import SceneRunResult

    result = SceneRunResult(persons=[1], skipped={2: "too few labels"}, failed={3: "crop failed"},
                            segment_seconds=2.0, person_frames=1000)
    out = result.to_json()
    assert out["failed"] == {"3": "crop failed"} and out["skipped"] == {"2": "too few labels"}
    assert out["ms_per_person_frame"] == pytest.approx(2.0)


def test_a_run_that_kept_earlier_results_is_no_failure():
    from humanseg_core.cli.run import nothing_segmented
    from humanseg_core.workflows.scene_result import SceneRunResult

    assert nothing_segmented(SceneRunResult(kept={1: 5}, skipped={2: "x"}), False, None) == ""
    assert nothing_segmented(SceneRunResult(reused={1: 5}, persons=[1], skipped={2: "x"}), False, None) == ""
    # a reused network that found its person nowhere segmented nobody (a review)
    assert nothing_segmented(SceneRunResult(reused={1: 5}, found_nowhere=[1]), False, None) != ""
    assert nothing_segmented(SceneRunResult(skipped={2: "x"}), False, None).startswith("no person was segmented")


def test_auto_picks_a_gpu_when_there_is_one(monkeypatch):
    import torch

    from humanseg_core.osvos.device import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto").type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto").type in ("cpu", "mps")


def test_a_person_in_the_video_for_one_frame_has_a_span_there(tmp_path):
    import cv2

    from humanseg_core.inputs.scene import load_scene

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(5):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((20, 30, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("4\t1\t0.5\t0.5\n14\t1\t0.6\t0.5\n0\t2\t0.2\t0.2\n4\t2\t0.3\t0.2\n")
    (tmp_path / "H.txt").write_text("0.02 0 0\n0 0.02 0\n0 0 1\n")
    with load_scene(frames, tmp_path / "t.txt", tmp_path / "H.txt") as scene:
        assert scene.span_in_video(1) == (4, 4)  # annotated from the video's last frame on


def test_the_frames_guessed_before_a_file_starts_end_the_frame_before_its_first_row(tmp_path):
    import cv2

    from humanseg_core.inputs.scene import load_scene

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(10):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.full((20, 30, 3), 90, np.uint8))
    (tmp_path / "t.txt").write_text("5\t1\t0.2\t0.2\n9\t1\t0.3\t0.2\n")  # the file starts with the person in view
    (tmp_path / "H.txt").write_text("0.02 0 0\n0 0.02 0\n0 0 1\n")
    with load_scene(frames, tmp_path / "t.txt", tmp_path / "H.txt") as scene:
        first, last = scene.span(1)
        assert first < 5 and last == 9
        assert scene.beyond_annotations(1) == [(first, 4)]


def test_a_ray_unit_reads_the_scene_with_the_drivers_measured_motion(monkeypatch):
    """The driver measured a person's motion past its only annotation in the video; a Ray worker loads the scene
    afresh and must take that motion, or its guessed frames drift as before the measurement."""
    from humanseg_core.errors import HumansegError
    from humanseg_core.inputs import scene as scene_mod
    from humanseg_core.records import ProjectInputs
    from humanseg_core.workflows import scene_units
    from humanseg_core.workflows.scene_config import SceneRunConfig

    taken = {}

    class Scene:
        def set_edge_velocity(self, pid, velocity):
            taken[pid] = velocity

        def close(self):
            taken["closed"] = True

    def stop(*_a, **_k):
        raise HumansegError("stop here: the test looks at the scene only")

    monkeypatch.setattr(scene_mod, "load_scene_of", lambda inputs: Scene())
    monkeypatch.setattr(scene_units, "train_person_job", stop)
    unit = scene_units.PersonUnit(ProjectInputs(video="v", trajectories="t"), 7, {}, frozenset(), [], SceneRunConfig(),
                                  edge_velocities={7: (0.5, 0.0), 9: (-1.0, 0.2)})
    out = scene_units.run_unit(unit)
    assert taken == {7: (0.5, 0.0), 9: (-1.0, 0.2), "closed": True} and "stop here" in (out.failure or "")


def test_guessed_frames_are_split_into_those_written_and_those_with_no_mask():
    """A walk was told "followed beyond that annotation … 58 (3771-3779)" where only 3770-3771 were written; the
    frames with no mask are said apart."""
    from humanseg_core.workflows.scene_result import guessed_frames_text, split_ranges

    written, missing = split_ranges([(3771, 3779)], {3770, 3771})
    assert written == [(3771, 3771)] and missing == [(3772, 3779)]
    assert split_ranges([(1, 3), (7, 8)], {1, 3, 8}) == ([(1, 1), (3, 3), (8, 8)], [(2, 2), (7, 7)])
    assert split_ranges([(1, 3), (7, 8)], {1, 3, 8}, {1, 3, 7, 8}) == ([(1, 1), (3, 3), (8, 8)], [(7, 7)])  # no frame 2
    said = guessed_frames_text({58: written}, {58: missing})
    assert said.endswith("58 (3771; no mask on 3772-3779: not found where guessed)")
    assert guessed_frames_text({}, {5: [(10, 12)]}).endswith("5 (no mask on 10-12: not found where guessed)")
    assert guessed_frames_text({}) == ""


def test_masks_named_with_one_prefix_are_read_by_their_numbers(tmp_path):
    """A walk's ground truth named frame_3700.png was refused: "no ground-truth masks (<frame>.png files)"."""
    from humanseg_core.metrics import numbered_pngs

    for f in (3700, 3701):
        (tmp_path / "gt" / f"frame_{f}.png").parent.mkdir(exist_ok=True)
        (tmp_path / "gt" / f"frame_{f}.png").write_bytes(b"")
    assert sorted(numbered_pngs(tmp_path / "gt")) == [3700, 3701]
    (tmp_path / "gt" / "mask_3702.png").write_bytes(b"")  # two prefixes: which are the frames is unclear
    assert numbered_pngs(tmp_path / "gt") == {}
    (tmp_path / "gt" / "03699.png").write_bytes(b"")  # plain numbers win
    assert sorted(numbered_pngs(tmp_path / "gt")) == [3699]


def test_a_person_given_twice_is_taken_once():
    """A walk's `tracks --pids 54,54` listed the person twice."""
    from humanseg_core.cli.common import parse_pids

    assert parse_pids("54, 54,7", [7, 54]) == [54, 7]


def test_pids_are_taken_as_the_trajectory_file_writes_them():
    """A researcher walk: a file's "p76"-style ids are read, but --pids p54 was refused."""
    import pytest

    from humanseg_core.cli.common import parse_pids
    from humanseg_core.errors import HumansegError

    assert parse_pids("p54,ped_3,ped-7", [3, 7, 54]) == [54, 3, 7]
    for bad in ("p", "2.9", "54p"):
        with pytest.raises(HumansegError, match="whole ids"):
            parse_pids(bad, [2, 54])


def test_one_person_is_taken_as_the_trajectory_file_writes_it(capsys):
    """A review: --pids took p54, --pid (train, segment, masks, decide, import, replaced) refused it."""
    import pytest

    from humanseg_core.cli import build_parser

    required = {"segment": ["--out", "O"], "masks": ["--out", "O"], "decide": ["--list"], "import": ["--masks", "M"]}
    for command in ("train", "segment", "masks", "decide", "import", "replaced"):
        argv = [command, "--project", "P", "--pid", "p54", *required.get(command, [])]
        args, _ = build_parser().parse_known_args(argv)
        assert args.pid == 54, command
    from humanseg_core.cli.export import parse_runs

    assert parse_runs("p54:3,7:2") == {54: 3, 7: 2}  # export --runs too (a review)
    with pytest.raises(SystemExit):
        build_parser().parse_known_args(["train", "--project", "P", "--pid", "54p"])
    assert "expected a person id like 54 or p54, got '54p'" in capsys.readouterr().err


def test_columns_pid_frame_without_a_header_are_named_not_offered_an_offset(tmp_path):
    """A walk's file written pid, frame, x, y with no header was offered --frame-offset 3646, which made its frames
    persons and blamed the homography. Its "persons" 3700, 3710, ... are the video's frames: the columns are named."""
    import cv2
    import numpy as np

    from humanseg_core.inputs.scene import load_scene, offset_hint, suggested_offset
    from humanseg_core.inputs.scene_hints import columns_swapped

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(3700, 3780):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.zeros((20, 30, 3), np.uint8))
    swapped = tmp_path / "swapped.txt"
    swapped.write_text("".join(f"{pid} {f} {1 + 0.1 * pid} 1.0\n" for f in range(3700, 3900, 10)
                               for pid in (54, 55, 56)))
    with load_scene(frames, swapped) as scene:
        assert columns_swapped(scene) == 10 and suggested_offset(scene) is None
        hint = offset_hint(scene)
    assert "look like this video's frames (3700, 3710, 3720, …, every 10)" in hint and "`pid frame x y`" in hint
    right = tmp_path / "right.txt"  # the same rows with the header: read right, nothing said
    right.write_text("pid frame x y\n" + swapped.read_text())
    with load_scene(frames, right) as scene:
        assert columns_swapped(scene) is None and sorted(scene.pids) == [54, 55, 56]
    other = tmp_path / "other.txt"  # persons 1..30 (one apart) of another clip's frames: no such hint
    other.write_text("".join(f"{f} {pid} 1.0 1.0\n" for f in range(0, 50, 10) for pid in range(1, 31)))
    with load_scene(frames, other) as scene:
        assert columns_swapped(scene) is None


def test_a_file_counting_annotation_steps_is_offered_a_frame_step(tmp_path):
    """A walk's file numbered its rows 370..377 for frames 3700..3770: offered --frame-offset 3330 (8 annotations
    squeezed into 8 frames, J 0.000). Rows one frame apart whose tenfold lands in the video are offered
    --frame-step 10 first, and no one-click offset."""
    import cv2
    import numpy as np

    from humanseg_core.inputs.scene import load_scene, offset_hint, suggested_offset, suggested_step

    frames = tmp_path / "frames"
    frames.mkdir()
    for f in range(3700, 3780, 2):
        cv2.imwrite(str(frames / f"{f:05d}.png"), np.zeros((20, 30, 3), np.uint8))
    steps = tmp_path / "steps.txt"
    steps.write_text("".join(f"{k} 1 {1 + 0.1 * k} 1.0\n" for k in range(370, 378)))
    with load_scene(frames, steps) as scene:
        assert suggested_step(scene) == 10 and suggested_offset(scene) is None
        hint = offset_hint(scene)
    assert "a frame step of 10 puts them on the video's frames 3700..3770" in hint and "--frame-offset 3330" in hint
    sparse = tmp_path / "sparse.txt"  # rows 10 apart: an offset, not a step
    sparse.write_text("".join(f"{k} 1 {1 + 0.01 * k} 1.0\n" for k in range(0, 80, 10)))
    with load_scene(frames, sparse) as scene:
        assert suggested_step(scene) is None and suggested_offset(scene) == 3700


def test_an_image_given_as_the_homography_or_trajectories_is_named(tmp_path):
    """A walk gave a frame as --homography: "03700.jpg, line 1: not UTF-8 text"."""
    import cv2
    import numpy as np
    import pytest

    from humanseg_core.errors import HomographyError, TrajectoryError
    from humanseg_core.inputs.homography import load_homography
    from humanseg_core.inputs.trajectories import load_trajectories

    frame = tmp_path / "03700.jpg"
    cv2.imwrite(str(frame), np.full((20, 30, 3), 90, np.uint8))
    with pytest.raises(HomographyError, match="03700.jpg: a JPEG image, not a homography"):
        load_homography(frame)
    with pytest.raises(TrajectoryError, match="03700.jpg: a JPEG image, not a trajectory file"):
        load_trajectories(frame)

"""Joint proposals (every person of a frame at once): one-to-one pixel ownership in a
merged crowd, the parent method with its fallback. Small synthetic scenes, seconds in all."""

import numpy as np
import pytest
from fakes import TrackScene

from humanseg_core.errors import FrameError
from humanseg_core.jobs import run_job
from humanseg_core.proposals.generate import generate_proposals
from humanseg_core.proposals.joint import PARENT_FALLBACK, generate_joint
from humanseg_core.proposals.person_mask import person_axis

W, H = 300, 300  # the default expected height (75/576 of the image) is then the persons' 39 px
PH, PW = 39, 12  # person height and width in px; the track point is the feet


def _person_box(u, v):
    return round(u - PW / 2), round(v - PH), round(u + PW / 2), round(v)


class CrowdFrames:
    """Textured grey floor; persons are coloured rectangles standing on their feet points."""

    def __init__(self, tracks, colours, n=80):
        self.width, self.height, self.path = W, H, "crowd"
        self.indices = list(range(n))
        self.tracks, self.colours = tracks, colours
        rng = np.random.default_rng(1)
        self.bg = rng.integers(120, 160, (H, W, 3)).astype(np.uint8)

    def read(self, index):
        if index not in self.indices:
            raise FrameError(self.path, "missing", index)
        img = self.bg.copy()
        for pid in sorted(self.tracks, key=lambda p: self.tracks[p](index)[1]):  # far (small v) first
            x0, y0, x1, y1 = _person_box(*self.tracks[pid](index))
            img[max(0, y0):y1, max(0, x0):x1] = self.colours[pid]
        return img

    def gt(self, index):
        """{pid: visible mask}: nearer persons (larger v) hide farther ones."""
        owner = np.zeros((H, W), np.int64)
        for pid in sorted(self.tracks, key=lambda p: self.tracks[p](index)[1]):
            x0, y0, x1, y1 = _person_box(*self.tracks[pid](index))
            owner[max(0, y0):y1, max(0, x0):x1] = pid
        return {pid: owner == pid for pid in self.tracks}


class CrowdScene(TrackScene):
    homography = None

    def __init__(self, tracks, colours, annotated):
        super().__init__(tracks, annotated)
        self.frames = CrowdFrames(tracks, colours)


def marching_row(n=4, static=None, step=(PW, 3.0)):
    """``n`` persons walking in a group, each ``step`` (du, dv) px from the previous one: side by side,
    shoulder to shoulder (BGS sees one blob), or one behind the other; ``static``: a pid that stands still
    the whole video."""
    tracks, colours = {}, {}
    palette = [(200, 40, 40), (40, 190, 40), (40, 40, 200), (200, 200, 40), (180, 40, 180)]
    for k in range(n):
        pid = k + 1
        du, dv = step[0] * k, step[1] * k
        tracks[pid] = (lambda f, du=du, dv=dv: (40.0 + 1.5 * f + du, 80.0 + dv))
        colours[pid] = palette[k % len(palette)]
    if static is not None:
        tracks[static] = lambda f: (200.0, 140.0)
        colours[static] = (30, 160, 200)
    frames = [30, 40, 50]
    return CrowdScene(tracks, colours, {p: frames for p in tracks})


def _scores(scene, proposals):
    ious, wrong = [], 0
    for p in proposals:
        gt = scene.frames.gt(p.frame)
        own = gt[p.pid]
        ious.append((p.mask & own).sum() / max(1, (p.mask | own).sum()))
        wrong += max((p.mask & m).sum() for q, m in gt.items() if q != p.pid) > (p.mask & own).sum()
    return float(np.median(ious)) if ious else 0.0, wrong


def test_ownership_splits_a_crowd_that_background_subtraction_merges():
    scene = marching_row(4, step=(0.7 * PW, 0.5 * PH))  # a queue seen from above: one tall blob
    joint, skips = run_job(generate_joint(scene, scene.pids, "bgs-owned", anchor="feet"))
    assert not skips and len(joint) == 12
    iou, wrong = _scores(scene, joint)
    assert iou >= 0.8 and wrong == 0
    legacy, legacy_skips = run_job(generate_proposals(scene, scene.pids, method="bgs", anchor="feet"))
    legacy_iou, legacy_wrong = _scores(scene, legacy)
    # the blob-per-box matching loses persons or gives them their neighbours' pixels
    assert len(legacy_skips) >= 3 or legacy_iou < iou - 0.15 or legacy_wrong > 0


class StubParent:
    """Stands in for the parent network: the exact rectangle of the person at the point, 0.9 inside.
    Records the batches it is given (one per frame) and the negatives of each person."""

    factor = 2.6

    def __init__(self):
        self.batches, self.anchors = [], []

    def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
        self.batches.append(items)
        self.anchors.append(anchor)
        out = []
        for (u, v), _others, _h in items:
            prob = np.zeros(frame_bgr.shape[:2], np.float32)
            x0, y0, x1, y1 = _person_box(u, v)
            prob[max(0, y0):y1, max(0, x0):x1] = 0.9
            out.append(prob)
        return out


def test_a_person_who_lingers_is_kept_out_of_the_background_by_the_tracks():
    from humanseg_core.proposals.joint import JointConfig

    scene = marching_row(2)
    scene.tracks[9] = lambda f: (200.0, 140.0) if f < 56 else (200.0 - 5.0 * (f - 56), 140.0)
    scene.frames.colours[9] = (30, 160, 200)
    scene.annotated[9] = [0, 10, 20, 30, 40, 50, 60, 70, 79]  # stands still for 70 % of the video, then walks
    clean, _ = run_job(generate_joint(scene, [9], "bgs-owned", anchor="feet"))
    plain, plain_skips = run_job(generate_joint(scene, [9], "bgs-owned", anchor="feet",
                                                config=JointConfig(clean_background=False)))
    standing = [p for p in clean if p.frame in (30, 40, 50)]
    assert len(standing) == 3 and _scores(scene, standing)[0] >= 0.8
    # a plain median over the same frames is the standing person: nothing (or little) is left of them
    assert len([p for p in plain if p.frame in (30, 40, 50)]) < 3 or _scores(scene, plain)[0] < 0.5


def test_the_parent_method_finds_a_person_the_background_model_absorbed():
    scene = marching_row(2, static=9)
    owned, skips = run_job(generate_joint(scene, [9], "bgs-owned", anchor="feet"))
    assert not owned and skips and "standing still" in skips[0].reason
    stub = StubParent()
    props, skips = run_job(generate_joint(scene, [1, 2, 9], "parent", anchor="feet", parent=stub))
    assert {p.pid for p in props if p.frame == 40} == {1, 2, 9} and not skips
    iou, wrong = _scores(scene, props)
    assert iou >= 0.8 and wrong == 0
    # 3 warm-up batches, the heights' scale sweep (8 factors on each of the 3 frames), then one batch per frame
    # with every person in it
    assert len(stub.batches) == 3 + 3 * 8 + 3 and [len(b) for b in stub.batches[-3:]] == [3, 3, 3]
    assert stub.anchors[3:] == ["feet"] * 27  # the anchor is passed on
    for items in stub.batches[-3:]:
        negatives = {tuple(np.round(p).astype(int)): len(o) for p, o, _h in items}
        assert sum(negatives.values()) >= 2  # the side-by-side pair are each other's negatives


@pytest.mark.parametrize("content", [None, b"not a torch file"])
def test_a_missing_or_corrupt_parent_file_warns_and_falls_back(tmp_path, content):
    path = tmp_path / "parent.pt"
    if content is not None:
        path.write_bytes(content)
    scene = marching_row(2)
    seen = []
    props, _ = run_job(generate_joint(scene, scene.pids, "bgs+parent", anchor="feet", parent_path=path),
                       lambda p: seen.extend(p.warnings))
    assert props and {p.source for p in props} == {"bgs-owned"}
    assert seen and seen[0].kind == PARENT_FALLBACK and str(path) in seen[0].text
    assert "bgs-owned" in seen[0].text


def test_the_cli_and_the_workflow_default_to_the_measured_default_method():
    from humanseg_core.cli import build_parser
    from humanseg_core.proposals.methods import DEFAULT_METHOD, METHOD_NAMES
    from humanseg_core.workflows import ProposeConfig

    args = build_parser().parse_args(["propose", "--project", "p", "--pids", "all"])
    assert args.method == DEFAULT_METHOD == ProposeConfig().method
    assert {"bgs", "bgs-owned", "parent", "bgs+parent", "maskrcnn"} == set(METHOD_NAMES)


def parent_beats_bgs_on_the_demo(tmp_path, parent_path):
    """(parent IoU, parent wrong, bgs IoU, bgs wrong) on a 21-frame demo scene: walkers drawn by
    humanseg_core.demo, people and ground the parent never saw in training; a short clip, where the median
    background still holds walkers. Wrong: proposals of persons that are not visible there."""
    import cv2

    from humanseg_core.demo import write_demo
    from humanseg_core.inputs.scene import load_scene
    from humanseg_core.proposals.parent_masks import load_parent_or_none

    parent, problem = load_parent_or_none(parent_path)
    assert parent is not None, problem
    folder = write_demo(tmp_path / "demo", n_frames=21)
    scene = load_scene(folder / "frames", folder / "trajectories.txt", folder / "H.txt")

    def score(proposals):
        ious, wrong = [], 0
        for p in proposals:
            png = folder / "gt" / str(p.pid) / f"{p.frame:05d}.png"
            gt = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE) > 127 if png.exists() else np.zeros_like(p.mask)
            ious.append((p.mask & gt).sum() / max(1, (p.mask | gt).sum()))
            wrong += not gt.any()
        return float(np.median(ious)), wrong

    with scene:
        ours, _ = run_job(generate_joint(scene, scene.pids, "parent", parent=parent))
        bgs, _ = run_job(generate_proposals(scene, scene.pids, method="bgs"))
    return score(ours) + score(bgs)


@pytest.mark.slow  # ~10 s on an idle 2-core machine: the demo is written and the parent runs on CPU
def test_the_parent_method_beats_background_subtraction_on_unseen_walkers(tmp_path):
    from humanseg_core.prior.parent import DEFAULT_PARENT

    if not DEFAULT_PARENT.is_file():
        pytest.skip(f"{DEFAULT_PARENT} is not shipped here")
    parent_iou, parent_wrong, bgs_iou, _ = parent_beats_bgs_on_the_demo(tmp_path, DEFAULT_PARENT)
    # measured 2026-12-01 14:42 UTC: parent-lite0-v3 0.791, v2 0.762 (v1 0.745 in older code) against bgs 0.447
    # (21 frames are too few for a clean median background)
    assert parent_iou >= bgs_iou + 0.05 and parent_wrong == 0


class CuttingParent:
    """Stands in for the parent network's crowd failure: the prompt point selects whatever body is seen
    there (the nearest person whose rectangle holds the point), 0.9 inside, and a negative point cuts that
    body around it (0.1 within 0.3 h), as the real network does when a hidden person's point lies on the
    nearer body (measured on eth_dense: the nearer person's probability there 0.08 -> 0.80 without it)."""

    factor = 2.6

    def __init__(self, tracks):
        self.tracks, self.frame = tracks, 0

    def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
        out = []
        ys, xs = np.mgrid[: frame_bgr.shape[0], : frame_bgr.shape[1]]
        for (u, v), others, _h in items:
            prob = np.zeros(frame_bgr.shape[:2], np.float32)
            seen = [p for p, tr in self.tracks.items() if (b := _person_box(*tr(self.frame)))[0] <= u < b[2]
                    and b[1] <= v <= b[3]]
            if seen:
                x0, y0, x1, y1 = _person_box(*self.tracks[max(seen, key=lambda p: self.tracks[p](self.frame)[1])](
                    self.frame))
                prob[max(0, y0):y1, max(0, x0):x1] = 0.9
            for ou, ov in others:
                prob[np.hypot(xs - ou, ys - ov) <= 0.3 * PH] = 0.1
            out.append(prob)
        return out


@pytest.mark.parametrize("method", ["bgs+parent", "parent"])
def test_a_person_whose_feet_are_hidden_behind_a_nearer_person_is_not_given_that_person(method):
    # person 2 walks 10 px behind person 1 and 4 px beside: its feet point lies on person 1's legs
    tracks = {1: lambda f: (40.0 + 1.5 * f, 150.0), 2: lambda f: (44.0 + 1.5 * f, 140.0)}
    scene = CrowdScene(tracks, {1: (200, 40, 40), 2: (40, 40, 200)}, {1: [30, 40, 50], 2: [30, 40, 50]})
    stub = CuttingParent(tracks)
    read = scene.frames.read

    def read_and_tell(index):  # the stub learns the frame it is given
        stub.frame = index
        return read(index)

    scene.frames.read = read_and_tell
    props, _skips = run_job(generate_joint(scene, [1, 2], method, anchor="feet", parent=stub))
    back = [p for p in props if p.pid == 2]
    front = [p for p in props if p.pid == 1]
    for p in back:  # only its visible part, or no proposal: never the nearer person
        gt = scene.frames.gt(p.frame)
        assert (p.mask & gt[2]).sum() > (p.mask & gt[1]).sum()
    iou, wrong = _scores(scene, front)
    assert len(front) == 3 and wrong == 0 and iou >= 0.8  # the nearer person keeps its whole body


def test_a_point_beside_a_nearer_body_stays_a_negative_and_a_point_on_it_does_not():
    from humanseg_core.proposals.parent_masks import parent_occlusion

    for du, hidden in ((4.0, True), (8.0, False)):  # both points lie within the nearer expected body box
        tracks = {1: lambda f: (100.0, 150.0), 2: lambda f, du=du: (100.0 + du, 140.0)}
        frames = CrowdFrames(tracks, {1: (200, 40, 40), 2: (40, 40, 200)})
        stub = CuttingParent(tracks)
        probs, occluders = parent_occlusion(stub, frames.read(0), {p: tr(0) for p, tr in tracks.items()},
                                            {1: PH, 2: PH}, anchor="feet")
        assert occluders == ({2: {1}} if hidden else {})
        feet_of_2 = probs[1][140, int(100 + du)]
        assert (feet_of_2 >= 0.5) == hidden  # hidden: person 1's body is whole again under that point


def test_a_head_point_is_the_head_centre_so_the_hair_above_it_stays_the_persons():
    # a head point sits on the head's centre, HEAD_DROP x h below the top of the silhouette (where an
    # annotator clicks; where the composites put it): the rows above the point are the person's
    from humanseg_core.proposals.ownership import assign_pixels
    from humanseg_core.proposals.person_mask import HEAD_DROP

    u, v, h = 150.0, 100.0, 80.0
    top = round(v - HEAD_DROP * h)
    mask = np.zeros((H, W), bool)
    mask[top:round(top + h), 144:157] = True
    prior = {1: mask.astype(np.float32)}  # with the parent's probability the body's span decides the rows
    own = assign_pixels(mask, {1: (u, v)}, "head", {1: h}, prior=prior).parts[1]
    assert own[top:round(v)][mask[top:round(v)]].mean() > 0.95  # the hair and the top of the head
    assert own.sum() >= 0.97 * mask.sum()
    _u, axis_top, axis_bottom = person_axis((u, v), "head", h)
    assert axis_top < v < axis_bottom and axis_bottom - axis_top == pytest.approx(h)


def test_a_person_outside_the_image_gets_no_proposal_from_the_edge():
    """The demo's person 1 starts with the feet point 2 px inside the top edge and the body above the image:
    it got a 55-px piece of road marking there, scored 1.00. With under 15 % of its expected body inside the
    image it is skipped, saying so."""
    tracks = {1: lambda f: (20.0 + 1.5 * f, 3.0), 2: lambda f: (140.0 + 1.5 * f, 100.0),
              3: lambda f: (20.0 + 1.5 * f, 200.0)}
    colours = {1: (200, 40, 40), 2: (40, 190, 40), 3: (40, 40, 200)}
    scene = CrowdScene(tracks, colours, {p: [30, 40, 50] for p in tracks})
    props, skips = run_job(generate_joint(scene, [1, 2, 3], "bgs-owned", anchor="feet"))
    assert {p.pid for p in props} == {2, 3}
    said = {s.reason for s in skips if s.pid == 1}
    assert said == {"the person is outside the image here (only 8% of its expected body is inside)"}, skips


def test_the_progress_says_which_frames_wait_for_their_neighbours():
    """'frame 5300: 0 proposals' while proposals existed: the count lags because each frame waits for its
    neighbours' votes (temporal consensus); the progress says how many wait."""
    scene = marching_row(2)
    reports = []
    props, _ = run_job(generate_joint(scene, [1, 2], "bgs-owned", anchor="feet"), reports.append)
    planned = [r for r in reports if "frame" in r.data and "waiting" in r.data]
    assert planned and planned[0].data["waiting"] >= 1 and "held until the next annotated frames" in planned[0].message
    assert len(props) >= 4  # all of them come out in the end


def test_standing_persons_are_told_apart_by_their_track_speed():
    """bgs+parent gives a standing person's parent mask to the foreground (``JointConfig.still_speed``):
    background subtraction cannot see who does not move (held-out zara02_still: 0.680 -> 0.693, the other
    scenes unchanged). Who stands is read from the track, over the second around the frame."""
    from types import SimpleNamespace

    from humanseg_core.inputs.trajectories import Track
    from humanseg_core.proposals.joint import _standing

    frames = np.array([0, 10, 20, 30, 40])
    tracks = {1: Track(1, frames, np.zeros((5, 2))),  # stands
              2: Track(2, frames, np.column_stack([frames * 0.05, np.zeros(5)])),  # 1.25 m/s at 25 fps
              3: Track(3, frames, np.column_stack([np.r_[0, 0, 0, 1.0, 2.0], np.zeros(5)]))}  # stands, then walks
    scene = SimpleNamespace(frames=SimpleNamespace(fps=25.0), trajectories=SimpleNamespace(tracks=tracks))
    assert _standing(scene, [1, 2, 3], 5, 0.15) == [1, 3]
    assert _standing(scene, [1, 2, 3], 35, 0.15) == [1]
    assert _standing(scene, [1, 2, 3], 10, 0.0) == []  # off
    assert _standing(SimpleNamespace(frames=None), [1], 10, 0.15) == []  # a scene without tracks


def test_a_standing_persons_mask_is_the_one_the_parent_alone_gives(monkeypatch):
    """Background subtraction cannot see a person who stands still, so bgs+parent takes that person's mask
    from the parent alone (held-out zara02_still: standing persons' median IoU 0.642 with the shared-out
    mask, 0.710 with the parent's; no scene lost more than 0.001). Off (``still_speed=0``), a parent that is
    only fairly sure of the person (0.6, under the 0.7 a pixel BGS missed needs) loses them."""
    from humanseg_core.proposals import joint

    class UnsureOfTheStanding(StubParent):
        def segment_batch(self, frame_bgr, items, anchor=None, flip=False):
            out = super().segment_batch(frame_bgr, items, anchor, flip)
            for prob, ((u, v), _o, _h) in zip(out, items):
                if abs(u - 200) < 1:  # fairly sure of the body, a little of a halo around it
                    halo = np.zeros_like(prob)
                    halo[int(v) - PH - 8:int(v) + 4, int(u) - PW:int(u) + PW] = 0.35
                    prob[:] = np.maximum(np.where(prob > 0, 0.6, 0.0), halo)
            return out

    class Flicker(CrowdFrames):  # a patch beside the standing person changes on every frame (a screen)
        def read(self, index):
            img = super().read(index)
            img[120:140, 207:214] = (40 * index) % 255
            return img

    real = joint._standing
    monkeypatch.setattr(joint, "_standing", lambda scene, persons, f, speed: [p for p in persons if p == 9]
                        if speed > 0 else real(scene, persons, f, speed))
    scene = marching_row(2, static=9)
    scene.frames.__class__ = Flicker
    mixed, _ = run_job(generate_joint(scene, [1, 2, 9], "bgs+parent", anchor="feet", parent=UnsureOfTheStanding()))
    alone, _ = run_job(generate_joint(scene, [9], "parent", anchor="feet", parent=UnsureOfTheStanding()))
    standing = {p.frame: p.mask for p in mixed if p.pid == 9}
    assert sorted(standing) == [30, 40, 50]
    assert all(np.array_equal(standing[p.frame], p.mask) for p in alone)
    assert _scores(scene, [p for p in mixed if p.pid == 9])[0] >= 0.8
    off, _ = run_job(generate_joint(scene, [1, 2, 9], "bgs+parent", anchor="feet", parent=UnsureOfTheStanding(),
                                    config=joint.JointConfig(still_speed=0.0)))
    assert not [p for p in off if p.pid == 9] or _scores(scene, [p for p in off if p.pid == 9])[0] < 0.5


def test_the_whole_scene_evidence_step_keeps_the_standing_rule():
    """Measured in whole-scene runs (BENCHMARKS.md): J zara02_still 0.664 -> 0.728, zara02_center 0.689 ->
    0.711, zara02_jitter 0.634 -> 0.653, the others within 0.005; it was off there until measured."""
    from humanseg_core.proposals.joint import JointConfig
    from humanseg_core.workflows.scene_evidence import _joint_defaults

    assert _joint_defaults().still_speed == JointConfig().still_speed > 0
    # and their edges guided by the frame (zara02_still whole-scene J 0.726 -> 0.739)
    assert _joint_defaults().parent.guide == JointConfig().parent.guide > 0


def test_where_the_parent_decides_alone_its_edges_follow_the_frame(monkeypatch):
    """The parent's probabilities are refined with the frame as the guide (``ParentConfig.guide``) where the
    parent decides alone: every person of the ``parent`` method, the standing persons of ``bgs+parent``
    (held-out zara02_still 0.731 -> 0.754, zara02_center 0.735 -> 0.753); not where background subtraction
    draws the edges (there it cost zara01 0.008)."""
    from humanseg_core.proposals import joint

    calls = []
    real = joint.sharpen

    def recording(probs, image, heights, config):
        calls.append((sorted(probs), config.guide))
        return real(probs, image, heights, config)

    monkeypatch.setattr(joint, "sharpen", recording)
    scene = marching_row(2, static=9)
    run_job(generate_joint(scene, [1, 2, 9], "parent", anchor="feet", parent=StubParent()))
    assert calls and all(guide == joint.ParentConfig().guide > 0 for _, guide in calls)
    calls.clear()
    monkeypatch.setattr(joint, "_standing", lambda scene, persons, f, speed: [p for p in persons if p == 9])
    run_job(generate_joint(scene, [1, 2, 9], "bgs+parent", anchor="feet", parent=StubParent()))
    assert calls and all(9 in pids for pids, _ in calls)  # the standing person and those whose crops meet theirs
    calls.clear()
    monkeypatch.setattr(joint, "_standing", lambda scene, persons, f, speed: [])
    run_job(generate_joint(scene, [1, 2, 9], "bgs+parent", anchor="feet", parent=StubParent()))
    assert not calls  # walking persons: background subtraction draws the edges


def test_only_the_persons_whose_crops_meet_the_standing_ones_compete_with_them():
    from humanseg_core.proposals.joint import _overlapping

    def crop(x0, x1):
        m = np.zeros((50, 100), np.float32)
        m[10:40, x0:x1] = 0.5
        return m

    probs = {1: crop(0, 20), 2: crop(15, 35), 3: crop(60, 80), 4: np.zeros((50, 100), np.float32)}
    assert sorted(_overlapping(probs, [1])) == [1, 2]
    assert sorted(_overlapping(probs, [3])) == [3]
    assert sorted(_overlapping(probs, [4])) == [4]  # a person with an empty map is still theirs to decide


def test_deep_foot_shadows_are_looked_for_where_the_parent_sees_no_person(monkeypatch):
    """``bgs+parent`` marks deep foot shadows outside the parent's persons (``joint.PERSON_PROBABILITY``);
    ``bgs-owned`` has no parent to protect dark shoes and trousers and leaves the shadow test as it was."""
    from humanseg_core.proposals import joint

    calls = []
    real = joint.mark_foot_shadows

    def recording(fg, frame, background, axes, heights, config, person=None, gain=None):
        assert isinstance(gain, float)  # the frame's gain, measured once by the background model
        calls.append(person)
        return real(fg, frame, background, axes, heights, config, person=person, gain=gain)

    monkeypatch.setattr(joint, "mark_foot_shadows", recording)
    scene = marching_row(2, static=9)
    run_job(generate_joint(scene, [1, 2, 9], "bgs+parent", anchor="feet", parent=StubParent()))
    assert calls and all(p is not None and p.dtype == bool and p.any() for p in calls)
    calls.clear()
    run_job(generate_joint(scene, [1, 2, 9], "bgs-owned", anchor="feet"))
    assert not calls


@pytest.mark.parametrize("method", ["parent", "bgs+parent"])
def test_a_wanted_person_out_of_view_beside_others_in_view_is_skipped_not_a_crash(method):
    """`bench/proposals.py --demo --pids 6` (and Generate for one person) stopped with 'need at least one
    array to stack': the demo's person 6 leaves the image while others are in view, so the persons kept
    around the wanted one were none, and the frame's parent maps an empty stack."""
    tracks = {1: lambda f: (20.0 + 1.5 * f, 100.0), 2: lambda f: (140.0, 900.0)}  # 2: far below the image
    colours = {1: (200, 40, 40), 2: (40, 190, 40)}
    scene = CrowdScene(tracks, colours, {p: [30, 40, 50] for p in tracks})
    props, skips = run_job(generate_joint(scene, [2], method, anchor="feet", parent=StubParent()))
    assert not props and {s.pid for s in skips} == {2} and len(skips) == 3


def test_a_proposal_says_how_far_its_track_point_lies_from_its_mask():
    """A walk read "0 px from track" under masks that ended well above the feet point: the joint proposals
    stored 0 for every distance."""
    from humanseg_core.proposals.association import point_box_distance

    drawn = {1: lambda f: (40.0 + 1.5 * f, 150.0)}
    annotated = {1: lambda f: (40.0 + 1.5 * f, 158.0)}  # the feet annotated 8 px below the body drawn
    scene = CrowdScene(annotated, {1: (200, 40, 40)}, {1: [30, 40, 50]})
    scene.frames = CrowdFrames(drawn, {1: (200, 40, 40)})
    props, _skips = run_job(generate_joint(scene, [1], "bgs-owned", anchor="feet"))
    assert props
    for p in props:
        assert p.distance == point_box_distance(scene.position_px(1, p.frame), p.box)
        assert 6 <= p.distance <= 10

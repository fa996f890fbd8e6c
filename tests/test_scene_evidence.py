"""``refine="evidence"``: the blending segmenter that stands in for the parent in the joint step (each
request named by its frame and person, the persons' networks run in batches over chunks of frames, the
blend ``weight`` x network + (1 - weight) x parent, cancel honoured), and the option's validation."""

from types import SimpleNamespace

import numpy as np
import pytest
from fakes import FlatFrames, TrackScene, crop_geometry

from humanseg_core.errors import Cancelled, HumansegError
from humanseg_core.jobs import CancelToken
from humanseg_core.osvos.parent_crops import ParentCropConfig
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_evidence import EvidenceConfig, EvidenceParent, _SceneTap, calibrate

H, W = 240, 320


class _Scene(TrackScene):
    """Two persons walking over ``n`` flat frames, annotated on the first, middle and last."""

    def __init__(self, n: int = 21):
        annotated = [0, n // 2, n - 1]
        super().__init__({1: lambda f: (100.0 + f, 150.0), 2: lambda f: (220.0, 160.0 - f)},
                         {1: annotated, 2: annotated})
        self.frames = FlatFrames(n, H, W, base=40)  # (not black: a black frame gets no mask)


class _Parent:
    """Every requested person: 0.2 everywhere (the blend is then easy to tell)."""

    factor = 2.6

    def __init__(self):
        self.items = 0

    def segment_batch(self, frame, items, anchor=None, flip=False):
        self.items += len(items)
        return [np.full(frame.shape[:2], 0.2, np.float32) for _ in items]


class _Net:
    """An osvos-parent PersonNet stand-in: probability 0.9 on every crop pixel, threshold 0.6."""

    parent = True

    def __init__(self):
        self.seg = SimpleNamespace(parent_crop=ParentCropConfig(size=16, factor=2.0), threshold=0.6)
        self.geometry = crop_geometry()
        self.batches = []

    def forward(self, batch):
        self.batches.append(len(batch))
        return np.full((len(batch), batch.shape[2], batch.shape[3]), 0.9, np.float32)


def _blend(weight=0.5, chunk=8, cancel=None):
    scene = _Scene()
    tap = _SceneTap(scene)
    net = _Net()
    wanted = {f: {1} for f in range(21)}
    parent = _Parent()
    config = EvidenceConfig(weight=weight, chunk_frames=chunk, batch_size=32)
    return EvidenceParent(parent, {1: net}, tap, wanted, config, cancel=cancel), tap, net, parent


def _items(tap, f):
    pts = tap.persons_at(f)
    return [(pts[p], [q for k, q in pts.items() if k != p], 75.0) for p in (1, 2)]


def test_calibrate_puts_the_network_threshold_on_one_half():
    p = np.array([0.0, 0.3, 0.6, 0.8, 1.0], np.float32)
    assert np.allclose(calibrate(p, 0.6), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert calibrate(p, 0.5) is p


def test_blend_of_network_and_parent_for_the_person_with_a_network_only():
    blend, tap, net, parent = _blend(weight=0.5)
    img = tap.frames.read(3)
    mine, other = blend.segment_batch(img, _items(tap, 3))
    x, y = (int(v) for v in tap.persons_at(3)[1])
    # 0.9 at threshold 0.6 -> 0.5 + 0.5 * 0.3 / 0.4 = 0.875; blended with the parent's 0.2
    assert mine[y, x] == pytest.approx(0.5 * 0.875 + 0.5 * 0.2, abs=1e-5)
    assert mine[0, 0] == pytest.approx(0.5 * 0.2)  # outside the person's crop: the network says 0
    assert mine.dtype == other.dtype == np.float32  # blended in float32, as the maps are
    assert np.allclose(other, 0.2)  # person 2 has no network: the parent's alone
    assert parent.items == 2


def test_weight_one_skips_the_parent_for_persons_with_a_network():
    blend, tap, _net, parent = _blend(weight=1.0)
    img = tap.frames.read(4)
    mine, other = blend.segment_batch(img, _items(tap, 4))
    x, y = (int(v) for v in tap.persons_at(4)[1])
    assert mine[y, x] == pytest.approx(0.875, abs=1e-5) and np.allclose(other, 0.2)
    assert parent.items == 1  # only person 2 went to the parent


def test_a_persons_own_share_overrides_the_weight():
    """ADR 0029: a person whose labels the analyst drew, fixed or imported gets a larger share
    (``EvidenceConfig.weights``)."""
    from humanseg_core.workflows.scene_evidence import EDITED_WEIGHT, NET_WEIGHT, network_share

    assert network_share(0.0) == NET_WEIGHT == 0.5 and network_share(1.0) == EDITED_WEIGHT == 0.8
    assert network_share(0.5) == pytest.approx(0.65) and network_share(7) == 0.8 and network_share(-1) == 0.5
    scene = _Scene()
    tap = _SceneTap(scene)
    config = EvidenceConfig(weight=0.5, chunk_frames=8, batch_size=32, weights={1: 0.8})
    blend = EvidenceParent(_Parent(), {1: _Net()}, tap, {f: {1} for f in range(21)}, config)
    img = tap.frames.read(3)
    mine, other = blend.segment_batch(img, _items(tap, 3))
    x, y = (int(v) for v in tap.persons_at(3)[1])
    assert mine[y, x] == pytest.approx(0.8 * 0.875 + 0.2 * 0.2, abs=1e-5) and np.allclose(other, 0.2)


def test_networks_run_batched_over_chunks_of_frames():
    blend, tap, net, _parent = _blend(chunk=8)
    for f in range(21):
        blend.segment_batch(tap.frames.read(f), _items(tap, f))
    assert net.batches == [8, 8, 5]  # one forward pass per chunk, not one per frame
    assert blend.net_person_frames == 21
    assert len(blend._probs) <= 8  # only the current chunk is held


def test_an_image_not_read_through_the_tap_gets_the_parent_alone():
    blend, tap, net, _parent = _blend()
    stranger = np.zeros((H, W, 3), np.uint8)  # same content as no frame the tap handed out
    out = blend.segment_batch(stranger, _items(tap, 2))
    assert all(np.allclose(o, 0.2) for o in out) and net.batches == []


def test_cancel_stops_the_networks_chunk():
    token = CancelToken()
    blend, tap, _net, _parent = _blend(cancel=token)
    token.cancel()
    with pytest.raises(Cancelled):
        blend.segment_batch(tap.frames.read(0), _items(tap, 0))


def test_refine_option_is_checked():
    # ADR 0010: the default is the joint step where it runs (locally), the network alone on Ray workers
    assert SceneRunConfig().refine == "evidence"
    assert SceneRunConfig(backend="ray").refine == "none"
    assert SceneRunConfig(refine="none").refine == "none"
    assert SceneRunConfig(refine="evidence").refine == "evidence"
    with pytest.raises(HumansegError, match="--refine"):
        SceneRunConfig(refine="magic")
    with pytest.raises(HumansegError, match="local"):
        SceneRunConfig(refine="evidence", backend="ray")


class _FlatNet(_Net):
    """A network that says ``value`` on every pixel of its crop (as an osvos-parent PersonNet), with the
    person's real crop geometry: 0.9 claims the whole crop (background and neighbours), 0 nobody."""

    def __init__(self, geometry, value):
        super().__init__()
        self.seg = SimpleNamespace(parent_crop=ParentCropConfig(size=32, factor=2.0), threshold=0.5,
                                   suppress_others=True)
        self.geometry, self.value = geometry, value

    def forward(self, batch):
        return np.full((len(batch), batch.shape[2], batch.shape[3]), self.value, np.float32)


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory, small_demo):
    """The demo scene (21 frames, 360x288), its persons' spans, GT and crop geometries fitted on the GT."""
    import torch

    from humanseg_core.osvos.guidance import fit_geometry
    from humanseg_core.prior.parent import DEFAULT_PARENT
    from humanseg_core.project import Project
    from humanseg_core.scene_metrics import davis_sets
    from humanseg_core.workflows.scene_units import span_frames

    if not DEFAULT_PARENT.is_file():
        pytest.skip(f"{DEFAULT_PARENT} is not shipped here")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    root, demo = tmp_path_factory.mktemp("evidence"), small_demo
    project = Project.create(root / "proj", _demo_inputs(demo))
    scene = project.load_scene()
    gt = {p: {f: _read(path) for f, path in fs.items()} for p, fs in davis_sets(demo / "gt", "gt").items()}
    spans = {int(p): span_frames(scene, p) for p in scene.pids}
    geometry = {p: fit_geometry(gt[p], lambda f, p=p: scene.position_px(p, f)) for p in spans if gt.get(p)}
    yield scene, gt, spans, geometry, demo
    scene.close()
    project.close()
    torch.set_num_threads(before)


def _demo_inputs(demo):
    from humanseg_core.records import ProjectInputs

    return ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                         homography=str(demo / "H.txt"))


def _read(path):
    from humanseg_core.metrics import read_mask

    return read_mask(path)


def _mean_j(pred, gt):
    js = []
    for p, frames in gt.items():
        for f, g in frames.items():
            m = pred.get(p, {}).get(f)
            m = np.zeros_like(g) if m is None else m
            js.append((m & g).sum() / max(1, (m | g).sum()))
    return float(np.mean(js))


def _alone(scene, nets, spans):
    """The masks the batched segmentation makes of these networks (crop, threshold, others' cores off,
    regions off the track dropped, pasted)."""
    from humanseg_core.osvos.parent_crops import clean_and_paste, person_input

    out = {}
    for p, net in nets.items():
        out[p] = {}
        for f in spans[p]:
            img, pts = scene.frames.read(f), scene.persons_at(f)
            others = [uv for q, uv in pts.items() if q != p]
            x, box = person_input(img, pts[p], others, net.geometry, net.seg.parent_crop)
            prob = net.forward(x[None])[0]
            out[p][f] = clean_and_paste(prob, box, pts[p], others, net.geometry, 0.5, img.shape)
    return out


class _Recording:
    """The real parent, its calls' mirror flags recorded in ``flips``."""

    def __init__(self, real, flips: list):
        self.real, self.flips, self.factor = real, flips, real.factor

    def segment_batch(self, frame, items, anchor=None, flip=False):
        self.flips.append(flip)
        return self.real.segment_batch(frame, items, anchor, flip)


@pytest.fixture(scope="module")
def overreaching_run(demo_case):
    """The evidence step once over every person with GT, each with a network that claims its whole crop
    (0.9), the default config, the shipped parent behind :class:`_Recording`: (masks, the blend, the parent
    calls' mirror flags).  Four tests read it (each ran a joint step of its own, ~4 s each)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.proposals.parent_masks import load_parent_or_none
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    scene, _gt, spans, geometry, _demo = demo_case
    real, problem = load_parent_or_none()
    assert real is not None, problem
    flips: list = []
    nets = {p: _FlatNet(g, 0.9) for p, g in geometry.items()}
    masks, blend = run_job(evidence_masks_job(scene, nets, {p: spans[p] for p in nets},
                                              parent=_Recording(real, flips)))
    return masks, blend, flips


def test_evidence_cuts_an_overreaching_network_down_to_the_person(demo_case, overreaching_run):
    scene, gt, spans, geometry, _demo = demo_case
    nets = {p: _FlatNet(g, 0.9) for p, g in geometry.items()}
    alone = _mean_j(_alone(scene, nets, spans), gt)
    masks, blend, _flips = overreaching_run
    refined = _mean_j(masks, gt)
    assert blend.net_person_frames == sum(len(spans[p]) for p in nets)
    assert refined > alone + 0.2, (alone, refined)  # the background model and ownership keep the person only


def test_a_frame_sink_gets_every_frame_in_order_and_nothing_is_held(demo_case, overreaching_run):
    """Whole-scene runs stream the masks to their writer frame by frame (memory flat in video length)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    scene, _gt, spans, geometry, _demo = demo_case
    wanted = {p: spans[p] for p in geometry}
    nets = {p: _FlatNet(g, 0.9) for p, g in geometry.items()}
    held, _blend, _flips = overreaching_run  # the same run without a sink (the parent's calls only recorded)
    got: list = []
    kept, _ = run_job(evidence_masks_job(scene, nets, wanted, frame_sink=lambda f, masks: got.append((f, masks))))
    assert all(not fm for fm in kept.values())  # nothing held back
    frames = [f for f, _m in got]
    assert frames == sorted(set(frames)) and frames  # each frame once, in frame order
    streamed = {(p, f): m for f, masks in got for p, m in masks.items()}
    assert streamed.keys() == {(p, f) for p, fm in held.items() for f in fm}
    assert all(np.array_equal(streamed[p, f], m) for p, fm in held.items() for f, m in fm.items())


def test_the_network_opinion_changes_the_evidence(demo_case, overreaching_run):
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    scene, _gt, spans, geometry, _demo = demo_case
    wanted = {p: spans[p] for p in geometry}
    plain, _ = run_job(evidence_masks_job(scene, {}, wanted))  # no network: the proposals' joint step
    nobody, _ = run_job(evidence_masks_job(scene, {p: _FlatNet(g, 0.0) for p, g in geometry.items()}, wanted))
    sure, _blend, _flips = overreaching_run  # networks sure of their whole crop (0.9, threshold 0.5)

    def area(masks):
        return sum(int(m.sum()) for fm in masks.values() for m in fm.values())

    a_nobody, a_plain, a_sure = area(nobody), area(plain), area(sure)
    assert a_nobody < 0.95 * a_plain and a_sure > 1.05 * a_plain, (a_nobody, a_plain, a_sure)


def test_scene_run_with_refine_evidence_stores_and_exports_every_person(demo_case, tmp_path):
    from humanseg_core.jobs import run_job
    from humanseg_core.metrics import numbered_pngs, read_mask
    from humanseg_core.project import Project
    from humanseg_core.workflows.scene_run import scene_run_job

    scene, _gt, spans, _geometry, demo = demo_case
    project = Project.create(tmp_path / "proj", _demo_inputs(demo))
    reports = []
    config = SceneRunConfig(pids=(1, 2), steps_per_person=1, seconds_per_person=None, device="cpu", chunk_frames=8,
                            batch_size=8, refine_labels=False, refine="evidence", out=tmp_path / "out")
    try:
        result = run_job(scene_run_job(project, config), reports.append)
        stored = {p: project.results(p) for p in (1, 2)}
    finally:
        project.close()
    assert result.persons == [1, 2] and not result.failed
    assert result.person_frames == sum(len(m) for m in stored.values()) >= 0.8 * (len(spans[1]) + len(spans[2]))
    assert any(r.data.get("stage") == "segment" and r.data.get("person_frames") for r in reports)
    for p in (1, 2):
        files = numbered_pngs(tmp_path / "out" / str(p))
        assert sorted(files) == sorted(stored[p])
        f = sorted(files)[len(files) // 2]
        assert (read_mask(files[f]) == stored[p][f]).all()
    for f in set(stored[1]) & set(stored[2]):
        assert not (stored[1][f] & stored[2][f]).any()  # one owner per pixel


def test_the_joint_step_gives_the_parent_share_its_mirror_mean_when_asked(overreaching_run):
    """The blend stands in for the parent: a joint config's mirror mean (ParentConfig.flip) must reach the
    real network behind it (before, the blend lacked the parent's crop API and always ran the parent
    plain); the evidence defaults leave it off (measured: no J gain for 16-18 % more time).  The mirrored
    run: two persons with networks over 6 flat frames (the parent is called on each; on the demo it took ~4 s)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.proposals.joint import JointConfig
    from humanseg_core.proposals.parent_masks import ParentConfig, load_parent_or_none
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    scene = _Scene(6)
    real, problem = load_parent_or_none()
    assert real is not None, problem
    flips: list = []
    nets = {p: _FlatNet(crop_geometry(), 0.9) for p in scene.pids}
    mirrored = EvidenceConfig(joint=JointConfig(parent=ParentConfig(flip=True)))
    run_job(evidence_masks_job(scene, nets, {p: range(6) for p in scene.pids}, parent=_Recording(real, flips),
                               config=mirrored))
    # every frame's call is mirrored (the heights' scale sweep of the warm-up runs plain: height_sweep)
    assert flips.count(True) >= 6 and flips[-1]
    _masks, _blend, default_flips = overreaching_run  # the demo's persons and networks, the default config
    assert default_flips and not any(default_flips)


def test_the_network_mirror_mean_averages_each_crop_with_its_mirror_image_in_one_pass():
    from humanseg_core.prior.crops import mirror_mean

    class Lopsided:  # sure of the left half of every crop, of nothing on the right
        batches: list = []

        def forward(self, batch):
            self.batches.append(len(batch))
            out = np.zeros((len(batch), batch.shape[2], batch.shape[3]), np.float32)
            out[:, :, : batch.shape[3] // 2] = 1.0
            return out

    net = Lopsided()
    got = mirror_mean(net.forward, np.zeros((3, 5, 16, 16), np.float32))
    assert got.shape == (3, 16, 16) and np.allclose(got, 0.5)
    assert net.batches == [6]


def test_net_flip_doubles_the_networks_batches_and_keeps_their_opinion():
    blend, tap, net, _parent = _blend()
    config = EvidenceConfig(chunk_frames=8, net_flip=True)
    flipped = EvidenceParent(blend.parent, {1: _Net()}, tap, blend.wanted, config)
    img = tap.frames.read(3)
    plain = blend.segment_batch(img, _items(tap, 3))
    img = tap.frames.read(3)
    mirrored = flipped.segment_batch(img, _items(tap, 3))
    assert flipped.nets[1].batches == [2 * b for b in net.batches]
    assert all(np.allclose(a, b) for a, b in zip(plain, mirrored))  # a flat network is its own mirror image


def test_a_few_frames_asked_make_only_their_frames_and_their_voters(demo_case):
    """A walk's retrain of frames 9360-9370 went through all 180 frames of the person's track: the evidence
    step makes the frames asked for and the temporal consensus's window each side, nothing more."""
    from humanseg_core.jobs import run_job
    from humanseg_core.proposals.joint import JointConfig
    from humanseg_core.proposals.temporal_consensus import TemporalConfig
    from humanseg_core.workflows.scene_evidence import EvidenceConfig, _joint_defaults, evidence_masks_job

    scene, _gt, spans, geometry, _demo = demo_case
    pid = max(geometry, key=lambda p: len(spans[p]))
    middle = spans[pid][len(spans[pid]) // 2]
    joint = _joint_defaults()
    small = JointConfig(**{**joint.__dict__, "temporal": TemporalConfig(**{**joint.temporal.__dict__, "window": 2})})
    said: list = []
    masks, _ = run_job(evidence_masks_job(scene, {pid: _FlatNet(geometry[pid], 0.9)}, {pid: [middle]},
                                          config=EvidenceConfig(joint=small)), said.append)
    made = {p.data["frame"] for p in said if "frame" in p.data}
    assert middle in made and made <= set(range(middle - 2, middle + 3))  # not the person's whole track
    assert set(masks[pid]) <= {middle}
    counted = [(p.done, p.total) for p in said if "person_frames" in p.data]  # one frame asked: "of 1", not of
    assert counted and {t for _d, t in counted} == {1} and counted[-1] == (1, 1)  # the five read (a walk's "of 31")
    assert said[-1].data["person_frames"] == {pid: 1}
    read = [p.message for p in said if "frame" in p.data]
    assert all(m.startswith(f"frame {middle} read (") or m.startswith("reading frame ") for m in read) and any(
        m.startswith("reading frame ") for m in read)  # a neighbour is not named as one of the frames asked for


def test_the_frames_said_segmented_are_those_handed_on(demo_case):
    """The per-person progress counts the frames handed to the sink (what a cancel stores), not the frames read
    (the temporal consensus decides a frame after its later voters: a walk's rows said 31 frames segmented, and
    the cancel stored 10)."""
    from humanseg_core.workflows.scene_evidence import evidence_masks_job

    scene, _gt, spans, geometry, _demo = demo_case
    wanted = {p: spans[p] for p in geometry}
    nets = {p: _FlatNet(g, 0.9) for p, g in geometry.items()}
    sunk: list[int] = []
    gen = evidence_masks_job(scene, nets, wanted, frame_sink=lambda f, masks: sunk.append(int(f)))
    said, ahead = 0, []
    while True:
        try:
            p = next(gen)
        except StopIteration:
            break
        counts = p.data.get("person_frames")
        if counts is None:
            continue
        said += 1
        handed = {q: sum(1 for f in wanted[q] if sunk and f <= max(sunk)) for q in wanted}
        ahead += [(q, n, handed[q]) for q, n in counts.items() if n > handed[q]]
    assert said and not ahead, ahead[:5]


def test_the_evidence_parent_gives_the_height_sweep_the_parents_whole_context():
    """The evidence step's warm-up may sweep the persons' heights through this stand-in: without the parent's
    whole-context crop the sweep read eth_huge's 170 px persons 0.6 as tall (whole-scene J 0.64 -> 0.41)."""
    import contextlib

    blend, _tap, _net, parent = _blend()
    entered = []

    @contextlib.contextmanager
    def whole_context():
        entered.append(True)
        yield

    parent.whole_context = whole_context
    with blend.whole_context():
        assert entered == [True]
    del parent.whole_context
    with blend.whole_context():  # a parent without one: nothing to change
        pass


def test_a_persons_edited_share_counts_what_its_run_trained_on(tmp_path):
    """Retrain from here and Segment weigh a person's network by its hand-made labels too (a review: they blended
    at 0.5 while the whole-scene run's frames had up to 0.8)."""
    from humanseg_core.project import Project
    from humanseg_core.records import ProjectInputs, Proposal
    from humanseg_core.workflows.person import edited_share

    project = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        mask = np.zeros((8, 8), bool)
        mask[2:6, 2:6] = True
        project.add_proposals([Proposal(frame=f, pid=1, box=(2, 2, 6, 6), mask=mask, source="bgs:test", status=st)
                               for f, st in ((0, "edited"), (10, "accepted"), (20, "pending"), (30, "rejected"))])
        assert edited_share(project, 1, {"params": {}}) == 0.5  # a Train tab run: accepted and edited
        scene = {"params": {"scene_run": True, "accept": "score>=0.7"}}
        assert edited_share(project, 1, scene) == pytest.approx(1 / 3)  # its pending ones too
        assert edited_share(project, 2, scene) == 0.0
    finally:
        project.close()

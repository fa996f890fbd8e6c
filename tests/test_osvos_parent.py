"""osvos-parent: per-person fine-tuning from the parent network (issue 8), on a tiny temporary parent file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fakes import demo_point, most_seen_person, tiny_parent_file

from humanseg_core.demo import make_demo
from humanseg_core.errors import WeightsError
from humanseg_core.osvos import nets_parent
from humanseg_core.osvos.guidance import fit_geometry
from humanseg_core.osvos.nets_parent import default_model, init_osvos_parent
from humanseg_core.osvos.parent_crops import ParentBatcher, person_box
from humanseg_core.osvos.segment import Segmenter
from humanseg_core.prior import crops as pcrops
from humanseg_core.prior.parent_net import DEFAULT_CONFIG

TINY = {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 64}
N_FRAMES = 40


@pytest.fixture(scope="module")
def tiny_parent(tmp_path_factory):
    """A small parent file (random decoder, ImageNet-free encoder) in the shipped format."""
    path, net = tiny_parent_file(tmp_path_factory.mktemp("parent"), TINY)
    return path, {k: v.float() for k, v in net.state_dict().items() if v.is_floating_point()}


@pytest.fixture(scope="module")
def demo():
    d = make_demo(seed=0, n_frames=N_FRAMES, n_walkers=4)
    pid = most_seen_person(d)

    def track(f):
        return demo_point(d, pid, f)

    def others(f):
        return [demo_point(d, q, f) for q in d.pids if q != pid and d.world(q, f) is not None]

    masks = {f: d.gt[pid][f] for f in range(0, N_FRAMES, 10) if f in d.gt[pid]}
    return d, pid, track, others, masks


def test_parent_file_loads_into_osvos_parent(tiny_parent):
    path, state = tiny_parent
    init = init_osvos_parent(path)
    assert init.backbone == f"parent:{path.name}" and init.warnings == []
    assert init.net.config["width"] == 8 and init.net.config["size"] == 64
    got = init.net.net.state_dict()
    for k, v in state.items():  # fp16 in the file: equal to half precision
        assert torch.allclose(got[k], v, atol=2e-3, rtol=2e-3), k
    assert default_model(path) == ("osvos-parent", None)


def test_missing_parent_falls_back_with_a_message(tmp_path, monkeypatch):
    missing = tmp_path / "none.pt"
    model, why = default_model(missing)
    assert model == "osvos-lite" and str(missing) in why and "osvos-lite" in why
    monkeypatch.setattr(nets_parent, "PARENT_FILE", missing)
    init = init_osvos_parent()  # the shipped file is missing: ImageNet base alone, visibly
    assert init.backbone in ("imagenet", "scratch")
    assert len(init.warnings) == 1 and str(missing) in init.warnings[0]
    if init.backbone == "imagenet":
        assert "ImageNet base" in init.warnings[0]
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a parent")
    with pytest.raises(WeightsError, match="corrupt.pt"):  # a file the user picked is never silently replaced
        init_osvos_parent(corrupt)
    assert default_model(corrupt)[0] == "osvos-lite"


def test_from_scratch_ignores_the_parent(tiny_parent):
    path, state = tiny_parent
    init = init_osvos_parent(path, from_scratch=True)
    assert init.backbone == "scratch" and "scratch" in init.warnings[0]
    stem = init.net.net.encoder._conv_stem.weight
    assert stem.shape[1] == 5 and not torch.allclose(stem[:, :3], state["encoder._conv_stem.weight"][:, :3].float())


@dataclass
class _S:
    frame: int
    img: np.ndarray
    mask: np.ndarray
    point: tuple
    ignore: np.ndarray | None = None


def test_training_crops_match_the_inference_crop(demo):
    d, _pid, track, others, masks = demo
    samples = [_S(f, d.frames(f), m.astype(np.uint8), track(f)) for f, m in masks.items()]
    geo = fit_geometry(masks, track)
    meta = {"geometry": geo.to_dict(), "parent_config": TINY}
    b = ParentBatcher(samples, meta, np.random.default_rng(0), others)
    x, y, ign = b.one(samples[0], augment=False)
    assert x.shape == (5, 64, 64) and y.shape == (64, 64) and not ign.any()
    box = person_box(geo, samples[0].point, b.cfg)
    want = pcrops.cut(samples[0].mask.astype(np.float32), box, 64, fill=0.0) >= 0.5
    assert (y.astype(bool) == want).mean() > 0.98 and want.sum() > 20
    # the positive point channel peaks at the crop centre (the crop is centred on the track point)
    r, c = np.unravel_index(np.argmax(x[3]), x[3].shape)
    assert abs(r - 31.5) <= 1.5 and abs(c - 31.5) <= 1.5
    xb, yb, _ = b.batch(4)
    assert tuple(xb.shape) == (4, 5, 64, 64) and tuple(yb.shape) == (4, 1, 64, 64)


def test_batched_prediction_equals_one_by_one(demo, tiny_parent):
    d, _pid, track, others, masks = demo
    init = init_osvos_parent(tiny_parent[0])
    meta = {"model": "osvos-parent", "guidance": True, "in_channels": 5, "norm": "frozen_bn",
            "geometry": fit_geometry(masks, track).to_dict(), "parent_config": init.net.config, "threshold": 0.5}
    seg = Segmenter(init.net.state_dict(), meta)
    frames = [5, 15, 25]
    many = seg.predict_many([d.frames(f) for f in frames], [track(f) for f in frames], [others(f) for f in frames])
    for f, m in zip(frames, many):
        one = seg.predict(d.frames(f), track(f), others(f))
        assert m.shape == (d.height, d.width) and (m == one).all()
    assert seg.predict(d.frames(5), None) is None


def test_train_job_fine_tunes_from_the_parent_and_segments(demo, tiny_parent, tmp_path):
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.segment import segment_job
    from humanseg_core.osvos.train import train_job

    d, pid, track, others, masks = demo
    config = TrainConfig(model="osvos-parent", steps=4, parent=tiny_parent[0], refine_labels=False)
    firsts = []
    res = run_job(train_job(d.frames, track, masks, config, pid=pid, others_px=others,
                            checkpoint_path=tmp_path / "p.pt"),
                  lambda p: firsts.append(p) if p.done == 0 else None)
    assert res.steps == 4 and res.meta["model"] == "osvos-parent" and res.meta["in_channels"] == 5
    assert res.meta["backbone"] == f"parent:{tiny_parent[0].name}" and not res.from_scratch
    assert res.meta["parent_config"]["width"] == 8 and 0.3 <= res.meta["threshold"] <= 0.95
    assert firsts and not firsts[0].warnings  # the parent loaded: nothing to warn about
    held = [f for f in d.gt[pid] if f not in masks][:3]
    out = run_job(segment_job(res.checkpoint, d.frames, track, held, others_px=others))  # from the file
    assert set(out) == set(held) and all(m.shape == (d.height, d.width) and m.dtype == bool for m in out.values())


def test_frozen_blocks_keep_the_parents_early_encoder(demo, tiny_parent):
    """frozen_blocks=2: the stem and blocks 0-1 come out as the parent had them, later blocks and the decoder
    were trained (with frozen_blocks=0 the stem moves too)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.train import train_job

    d, pid, track, others, masks = demo
    parent = init_osvos_parent(tiny_parent[0]).net.state_dict()  # as loaded (the file holds fp16 weights)
    moved = {}
    for k in (0, 2):
        config = TrainConfig(model="osvos-parent", steps=3, parent=tiny_parent[0], refine_labels=False, frozen_blocks=k)
        res = run_job(train_job(d.frames, track, masks, config, pid=pid, others_px=others))
        assert res.meta["frozen_blocks"] == k
        moved[k] = {name: not torch.equal(res.state_dict[f"net.{name}"], parent[f"net.{name}"])
                    for name in ("encoder._conv_stem.weight", "encoder._blocks.1._project_conv.weight",
                                 "encoder._blocks.3._project_conv.weight", "head.weight")}
    assert all(moved[0].values())
    assert moved[2] == {"encoder._conv_stem.weight": False, "encoder._blocks.1._project_conv.weight": False,
                        "encoder._blocks.3._project_conv.weight": True, "head.weight": True}


def test_crop_size_is_stored_and_segments_at_that_size(demo, tiny_parent, monkeypatch):
    """A per-person network trained at another crop size than its parent's keeps that size in its meta and
    segments with it (the crops, not the parent's size, decide the input)."""
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos import parent_crops
    from humanseg_core.osvos.config import TrainConfig
    from humanseg_core.osvos.segment import segment_job
    from humanseg_core.osvos.train import train_job

    d, pid, track, others, masks = demo
    seen = []
    real = parent_crops.person_input
    monkeypatch.setattr(parent_crops, "person_input", lambda *a, **k: seen.append(a[4].size) or real(*a, **k))
    config = TrainConfig(model="osvos-parent", steps=2, parent=tiny_parent[0], refine_labels=False, crop_size=80)
    res = run_job(train_job(d.frames, track, masks, config, pid=pid, others_px=others))
    assert res.meta["parent_config"]["size"] == 80 != TINY["size"]  # segmentation reads it from the meta
    held = [f for f in d.gt[pid] if f not in masks][:2]
    seen.clear()
    out = run_job(segment_job(res, d.frames, track, held, others_px=others))
    assert set(out) == set(held) and all(m.shape == (d.height, d.width) for m in out.values())
    assert len(seen) >= len(held) and set(seen) == {80}


def test_frozen_blocks_out_of_range_is_refused():
    from humanseg_core.errors import HumansegError
    from humanseg_core.osvos.config import TrainConfig

    with pytest.raises(HumansegError, match="frozen_blocks"):
        TrainConfig(model="osvos-parent", frozen_blocks=12)


def test_train_job_without_the_parent_warns_at_once(demo, tmp_path, monkeypatch):
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos.config import FROM_SCRATCH, NO_PARENT, TrainConfig
    from humanseg_core.osvos.train import train_job

    d, pid, track, _others, masks = demo
    monkeypatch.setattr(nets_parent, "PARENT_FILE", tmp_path / "missing.pt")
    monkeypatch.setattr(nets_parent, "parent_defaults", lambda: dict(TINY))  # keep the net small and fast
    firsts = []
    res = run_job(train_job(d.frames, track, masks, TrainConfig(model="osvos-parent", steps=1, refine_labels=False),
                            pid=pid), lambda p: firsts.append(p) if p.done == 0 else None)
    kinds = {w.kind for w in firsts[0].warnings}
    assert kinds <= {NO_PARENT, FROM_SCRATCH} and kinds and "missing.pt" in firsts[0].warnings[0].text
    assert res.meta["backbone"] in ("imagenet", "scratch")
    scratch = run_job(train_job(d.frames, track, masks, TrainConfig(model="osvos-parent", steps=1, from_scratch=True,
                                                                    refine_labels=False), pid=pid))
    assert scratch.meta["backbone"] == "scratch" and scratch.from_scratch
    lite = run_job(train_job(d.frames, track, masks, TrainConfig(model="osvos-lite", steps=1, from_scratch=True,
                                                                 refine_labels=False), pid=pid))
    assert lite.meta["backbone"] == "scratch" and lite.from_scratch
    with pytest.raises(Exception, match="guidance"):
        run_job(train_job(d.frames, track, masks, TrainConfig(model="osvos-parent", steps=1, guidance=False), pid=pid))


def test_cli_train_defaults_to_osvos_parent_when_the_parent_loads(tmp_path, tiny_parent, monkeypatch, capsys):
    import json

    from test_osvos_checkpoint import _tiny_project

    from humanseg_core.cli import main
    from humanseg_core.project import Project

    proj, _ = _tiny_project(tmp_path)
    monkeypatch.setattr(nets_parent, "PARENT_FILE", tiny_parent[0])
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "2", "--offline"]) == 0
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["warnings"] == [] and "osvos-parent" in doc["checkpoint"]
    monkeypatch.setattr(nets_parent, "PARENT_FILE", tmp_path / "gone.pt")
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "1", "--offline"]) == 0
    captured = capsys.readouterr()
    assert "gone.pt" in captured.err and "using osvos-lite" in captured.err
    assert main(["train", "--project", str(proj), "--pid", "1", "--steps", "1", "--offline", "--from-scratch",
                 "--model", "osvos-parent"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "--from-scratch" in line]
    assert len(said) == 1 and said[0].startswith("humanseg: warning: "), said  # said once, not again at the end
    with Project.open(proj) as p:
        assert [r["model"] for r in p.runs(1)] == ["osvos-parent", "osvos-lite", "osvos-parent"]


def test_anchor_hint_comes_from_the_fitted_geometry():
    from humanseg_core.osvos.guidance import CropGeometry
    from humanseg_core.osvos.parent_crops import anchor_of, finetune_config

    def geo(dy):
        return CropGeometry(dx=0.0, dy=dy, box_w=20.0, box_h=60.0, v_ref=100.0)

    assert [anchor_of(geo(dy)) for dy in (28.0, -29.0, 3.0)] == ["head", "feet", "centre"]
    cfg = finetune_config(dict(TINY), geo(-30.0))
    assert cfg["anchor"] == "feet" and cfg["factor"] != TINY["factor"]
    net = nets_parent.OsvosParent(cfg)
    assert net.anchor == "feet"
    out = net(torch.zeros(2, 5, 64, 64))[-1]
    assert tuple(out.shape) == (2, 1, 64, 64)
    assert nets_parent.OsvosParent({**cfg, "anchor_input": False}).anchor is None

"""Parent network: the shipped file format round-trips, bad files raise WeightsError, the inference API,
and the training job (tiny: a few steps on a synthetic DAVIS folder) saves, resumes and cancels."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from test_prior_composites import make_davis

from humanseg_core.errors import Cancelled, WeightsError
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.prior import parent as api
from humanseg_core.prior.parent_file import load_parent_state, save_parent_file
from humanseg_core.prior.parent_net import DEFAULT_CONFIG, build_parent_net
from humanseg_core.prior.train_parent import export_checkpoint, train_parent_job

TINY = {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 32}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory):
    torch.manual_seed(0)
    net = build_parent_net(TINY, imagenet=False)
    with torch.no_grad():  # a non-trivial head so the outputs are not constant
        net.head.bias.fill_(0.3)
    path = tmp_path_factory.mktemp("parent") / "p.pt"
    save_parent_file(path, net, {**TINY, "steps": 0})
    return path, net


def test_parent_file_round_trips(tiny_file):
    path, net = tiny_file
    loaded, meta = load_parent_state(path)
    assert meta["steps"] == 0 and meta["size"] == 32 and meta["arch"] == "parent-lite0"
    x = torch.randn(2, 5, 32, 32)
    net.eval()
    loaded.eval()
    with torch.no_grad():
        assert torch.allclose(net(x), loaded(x), atol=2e-2)  # weights stored as fp16
    assert path.stat().st_size < 400_000  # fp16: ~2 bytes a weight plus the zip headers


def test_bad_parent_files_raise_weights_error_naming_the_file(tmp_path):
    with pytest.raises(WeightsError, match="missing.pt: parent network file not found"):
        api.load_parent(tmp_path / "missing.pt")
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(WeightsError, match="corrupt.pt: corrupt"):
        api.load_parent(corrupt)
    foreign = tmp_path / "foreign.pt"
    torch.save({"state_dict": {"w": torch.zeros(1)}}, foreign)
    with pytest.raises(WeightsError, match="foreign.pt: not a HumanSeg parent"):
        api.load_parent(foreign)
    with pytest.raises(WeightsError, match=str(tmp_path.name)):
        api.load_parent(tmp_path)  # a folder


def test_truncated_parent_file_raises(tiny_file, tmp_path):
    cut = tmp_path / "cut.pt"
    cut.write_bytes(tiny_file[0].read_bytes()[:5000])
    with pytest.raises(WeightsError, match="cut.pt"):
        api.load_parent(cut)


def test_segment_is_a_full_frame_probability_zero_outside_the_crop(tiny_file):
    seg = api.load_parent(tiny_file[0])
    frame = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    prob = seg.segment(frame, (20.0, 30.0), [(40.0, 30.0)], height_px=20.0)
    assert prob.shape == (120, 160) and prob.dtype == np.float32
    x0, y0, x1, y1 = seg.crop_box((20.0, 30.0), 20.0, frame.shape)
    assert (x0, y0, x1, y1) == (0, 4, 46, 56)  # side 2.6 x 20 = 52, clipped at the left border
    assert prob[y0:y1, x0:x1].min() > 0.0 and prob.max() <= 1.0
    outside = np.ones_like(prob, bool)
    outside[y0:y1, x0:x1] = False
    assert prob[outside].max() == 0.0
    items = [((20.0, 30.0), [(40.0, 30.0)], 20.0), ((100.0, 80.0), [], 35.0)]
    batch = seg.segment_batch(frame, items)
    assert np.allclose(batch[0], prob, atol=1e-5)
    assert np.allclose(batch[1], seg.segment(frame, *items[1]), atol=1e-5)
    assert seg.segment_batch(frame, []) == []
    hinted = seg.segment_batch(frame, items, anchor="feet")
    assert hinted[0].shape == prob.shape and not np.allclose(hinted[0], batch[0])  # the hint is used
    with pytest.raises(ValueError, match="anchor"):
        seg.segment(frame, (20.0, 30.0), [], 20.0, anchor="knee")
    with pytest.raises(ValueError):
        seg.segment(frame, (20.0, 30.0), [], height_px=0.0)


def test_training_job_saves_resumes_and_cancels(tmp_path):
    davis = make_davis(tmp_path / "davis")
    out = tmp_path / "p.pt"
    kw = dict(device="cpu", batch=2, config=TINY, val_samples=2, seed=0, threads=1)
    r = run_job(train_parent_job([davis], [], out, steps=1, **kw))
    assert r.steps == 1 and out.is_file() and Path(str(out) + ".ckpt").is_file()
    net, meta = load_parent_state(out)
    assert meta["steps"] == 1 and meta["sequences"] == ["runner", "walker"] and "all" in meta["val_composites"]
    r = run_job(train_parent_job([davis], [], out, steps=2, resume=True, **kw))
    assert r.steps == 2  # one more step after the resumed one
    exported = export_checkpoint(Path(str(out) + ".ckpt"), tmp_path / "from_ckpt.pt", {"note": "crash"})
    net2, meta2 = load_parent_state(exported)
    assert meta2["steps"] == 2 and meta2["note"] == "crash"


def test_cancel_token_stops_training_and_keeps_a_checkpoint(tmp_path):
    davis = make_davis(tmp_path / "davis")
    token = CancelToken()
    job = train_parent_job([davis], [], tmp_path / "c.pt", steps=50, device="cpu", batch=2, config=TINY,
                           val_samples=0, cancel=token, threads=1)
    with pytest.raises(Cancelled, match="--resume"):
        for p in job:
            if p.done >= 2:
                token.cancel()
    ck = torch.load(tmp_path / "c.pt.ckpt", weights_only=True)
    assert ck["step"] == 2 and not (tmp_path / "c.pt").exists()


def test_cli_registers_parent_train_and_eval():
    from humanseg_core.cli import build_parser

    args = build_parser().parse_args(["parent", "train", "--data", "D", "--out", "o.pt", "--steps", "3"])
    assert args.steps == 3 and args.data == ["D"] and args.device == "auto" and not args.resume
    with pytest.raises(SystemExit):
        build_parser().parse_args(["parent", "train", "--data", "D", "--out", "o.pt"])  # no budget


def test_default_parent_path_does_not_depend_on_the_working_folder(tmp_path):
    code = "from humanseg_core.prior.paths import DEFAULT_PARENT; print(DEFAULT_PARENT)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == ROOT / "resources" / "parent" / "parent-lite0-v2.pt" == api.DEFAULT_PARENT

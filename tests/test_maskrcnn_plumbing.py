"""Mask R-CNN plumbing with random weights (no download possible here) and the offline weight messages."""

import hashlib

import numpy as np
import pytest
import torch

from humanseg_core import weights as W
from humanseg_core.errors import WeightsError
from humanseg_core.proposals.detectors import make_detector


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    return tmp_path / "hub" / "checkpoints"


@pytest.mark.slow
def test_random_weights_forward_gives_person_detections_in_the_contract_shape():
    from humanseg_core.proposals.detectors.maskrcnn import MaskRCNNDetector, build_model

    torch.manual_seed(0)
    model = build_model()  # weights=None, weights_backbone=None: random initialisation
    model.transform.min_size, model.transform.max_size = (256,), 320
    model.rpn._pre_nms_top_n["testing"], model.rpn._post_nms_top_n["testing"] = 100, 20
    model.roi_heads.detections_per_img = 5
    det = MaskRCNNDetector(model=model, score_threshold=0.0)
    frame = np.random.default_rng(0).integers(0, 255, (256, 320, 3), dtype=np.uint8)
    out = det.detect(frame, 7)
    assert out.frame == 7 and out.method == "maskrcnn"
    assert out.boxes.shape == (len(out.scores), 4)
    assert len(out.masks) == len(out.scores)
    assert all(m.shape == (256, 320) and m.dtype == bool for m in out.masks)
    assert (out.scores >= 0).all()


def test_missing_weights_message_names_the_file_the_url_and_the_cache_path(empty_hub):
    with pytest.raises(WeightsError) as err:
        make_detector("maskrcnn")
    msg = str(err.value)
    name = W.weights_filename()
    assert name.startswith("maskrcnn_resnet50_fpn_coco-") and name.endswith(".pth")
    assert name in msg and W.weights_url() in msg
    assert str(empty_hub / name) in msg
    assert "--method bgs" in msg and "--weights" in msg
    assert "Weights file field of Generate Proposals" in msg and "in the settings" not in msg  # no such setting


def test_user_file_that_does_not_exist_is_named(empty_hub, tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        W.resolve(tmp_path / "nowhere.pth")


def test_checksum_prefix_and_full_sha256_are_checked(empty_hub, tmp_path):
    good = tmp_path / "blob.bin"
    good.write_bytes(b"not really weights")
    digest = hashlib.sha256(b"not really weights").hexdigest()
    named = tmp_path / f"model-{digest[:8]}.pth"
    named.write_bytes(good.read_bytes())
    assert W.verify(named) == named  # prefix in the name matches
    bad = tmp_path / "model-deadbeef.pth"
    bad.write_bytes(b"something else")
    with pytest.raises(WeightsError, match="does not match"):
        W.verify(bad)
    assert W.verify(good, sha256=digest) == good
    with pytest.raises(WeightsError, match="does not match"):
        W.verify(good, sha256="0" * 64)
    # a renamed user file is checked against the official name's prefix
    with pytest.raises(WeightsError, match="does not match"):
        W.resolve(good)


def test_cached_file_is_found_verified_and_loaded_safely(empty_hub):
    empty_hub.mkdir(parents=True)
    path = empty_hub / "tiny-00000000.pth"
    torch.save({"w": torch.ones(2)}, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    real = empty_hub / f"tiny-{digest[:8]}.pth"
    path.rename(real)
    assert W.verify(real) == real
    state = W.load_state_dict(real)
    assert torch.equal(state["w"], torch.ones(2))
    junk = empty_hub / "junk.pth"
    junk.write_bytes(b"\x00junk")
    with pytest.raises(WeightsError, match="cannot load"):
        W.load_state_dict(junk)


def test_download_offline_fails_cleanly_and_leaves_nothing(empty_hub):
    from humanseg_core.jobs import run_job

    dest = empty_hub / W.weights_filename()
    with pytest.raises(WeightsError, match="offline"):
        run_job(W.download_job(dest, url="http://127.0.0.1:9/none-12345678.pth", timeout=2))
    assert not dest.exists() and list(empty_hub.iterdir()) == []

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


def test_mask_rcnn_weights_are_fetched_with_progress_when_online_and_missing(empty_hub, monkeypatch, tmp_path):
    """A docs walk: the README said the COCO weights download with progress when online; nothing downloaded."""
    import io

    from humanseg_core.jobs import run_job

    body = b"weights of a fake network"
    url = f"https://example.invalid/fake-{hashlib.sha256(body).hexdigest()[:8]}.pth"

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(body))}

    opened: list = []
    monkeypatch.setattr(W.urllib.request, "urlopen", lambda u, timeout=None: opened.append(u) or Response(body))
    monkeypatch.setattr(W, "reachable", lambda u, timeout=2.0: False)
    assert run_job(W.fetch_job(url=url)) is None and opened == []  # offline: resolve() says what to put where
    monkeypatch.setattr(W, "reachable", lambda u, timeout=2.0: True)
    said: list = []
    path = run_job(W.fetch_job(url=url), said.append)
    assert path == empty_hub / url.rsplit("/", 1)[1] and path.read_bytes() == body and opened == [url]
    assert said and said[-1].message.startswith("downloading fake-") and said[-1].done == len(body)
    assert run_job(W.fetch_job(url=url)) is None and opened == [url]  # cached now: not again
    given = tmp_path / "mine.pth"
    assert run_job(W.fetch_job(given, url=url + "x")) is None and opened == [url]  # a file given: never fetched


@pytest.mark.slow
def test_a_backbone_file_given_comes_before_the_cache_and_a_download(empty_hub, tmp_path, monkeypatch):
    """A docs walk: online, `--backbone-weights FILE` was passed over for a download."""
    from humanseg_core.jobs import run_job
    from humanseg_core.osvos import weights as OW

    monkeypatch.setattr(OW, "_online", lambda url, timeout=2.0: (_ for _ in ()).throw(AssertionError("asked")))
    mine = tmp_path / "mine.pth"
    torch.save({"features.0.weight": torch.zeros(1)}, mine)
    state, notes = run_job(OW.backbone_state_job("osvos-lite", allow_download=True, local_file=mine))
    assert notes == [] and list(state) == ["features.0.weight"]


def test_proposals_by_mask_rcnn_fetch_the_weights_before_the_detector(monkeypatch):
    from types import SimpleNamespace

    from humanseg_core.jobs import Progress, run_job
    from humanseg_core.proposals import generate as G

    order: list = []

    def fetch(user_path=None, cancel=None, url=None):
        order.append(("fetch", user_path))
        yield Progress(1, 2, "downloading")

    def detector(method, **kw):
        order.append(("detector", method))
        raise WeightsError("stop here")

    monkeypatch.setattr(W, "fetch_job", fetch)
    monkeypatch.setattr(G, "make_detector", detector)
    scene = SimpleNamespace(frames=SimpleNamespace(width=64, height=48, indices=[0], read=None),
                            pixel_track=lambda p: ([], []), position_px=lambda p, f: None)
    said: list = []
    with pytest.raises(WeightsError, match="stop here"):
        run_job(G.generate_proposals(scene, [1], method="maskrcnn", weights="w.pth"), said.append)
    assert order == [("fetch", "w.pth"), ("detector", "maskrcnn")] and said[0].message == "downloading"


def test_the_download_check_gives_up_on_a_silent_resolver_and_trusts_a_proxy(monkeypatch):
    """A review: socket's timeout does not cover the name lookup; a resolver that drops queries held it 10 s."""
    import socket
    import time

    monkeypatch.setattr(W.urllib.request, "getproxies", lambda: {})
    def silent(*_a, **_k):  # a lookup that never answers (then fails: the thread left behind ends quietly)
        time.sleep(1.5)
        raise OSError("timed out")

    monkeypatch.setattr(socket, "create_connection", silent)
    t0 = time.monotonic()
    assert not W.reachable("https://download.pytorch.org/x.pth", timeout=0.2)
    assert time.monotonic() - t0 < 1.0
    monkeypatch.setattr(W.urllib.request, "getproxies", lambda: {"https": "http://proxy:3128"})
    assert W.reachable("https://download.pytorch.org/x.pth", timeout=0.2)  # urllib goes through it


def test_propose_by_mask_rcnn_without_weights_is_refused_before_a_project_is_made(empty_hub, tmp_path, monkeypatch,
                                                                                  capsys):
    """A walk's `propose --method maskrcnn` offline was refused, and left a new project folder behind."""
    from humanseg_core.cli import main
    from humanseg_core.demo import write_demo

    monkeypatch.setattr(W, "reachable", lambda *a, **k: False)  # offline
    demo = write_demo(tmp_path / "demo", n_frames=3, width=64, height=64)
    code = main(["propose", "--project", str(tmp_path / "p"), "--video", str(demo / "frames"), "--trajectories",
                 str(demo / "trajectories.txt"), "--pids", "all", "--method", "maskrcnn"])
    assert code == 2 and "Mask R-CNN needs the COCO weights file" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()

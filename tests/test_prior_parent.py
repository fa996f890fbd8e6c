"""Parent network: the shipped file format round-trips, bad files raise WeightsError, the inference API,
and the training job (tiny: a few steps on a synthetic DAVIS folder) saves, resumes and cancels."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from test_prior_composites import make_davis

from humanseg_core.errors import Cancelled, HumansegError, WeightsError
from humanseg_core.jobs import CancelToken, run_job
from humanseg_core.prior import parent as api
from humanseg_core.prior.composites import CompositeGenerator
from humanseg_core.prior.parent_file import load_parent_state, read_parent_file, save_parent_file
from humanseg_core.prior.parent_net import DEFAULT_CONFIG, build_parent_net
from humanseg_core.prior.sprites import SpriteBank
from humanseg_core.prior.train_parent import ParentTrainConfig, export_checkpoint, parent_loss, train_parent_job

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
    with pytest.raises(WeightsError, match="corrupt.pt: not a usable parent network file: it is truncated or damaged"):
        api.load_parent(corrupt)
    obj = torch.load(api.DEFAULT_PARENT, weights_only=True)  # bytes flipped inside: NaN weights that load (a re-walk's
    key = next(k for k, v in obj["state"].items() if v.is_floating_point() and v.dim() >= 2)  # run then found "0
    obj["state"][key].view(-1)[3] = float("nan")  # usable labels" for every person)
    flipped = tmp_path / "flipped.pt"
    torch.save(obj, flipped)
    with pytest.raises(WeightsError, match=r"flipped.pt: not a usable parent network file: it is damaged \(a weight "
                                           r"tensor of it holds values that are not finite"):
        api.load_parent(flipped)
    pickled = tmp_path / "pickled.pt"  # objects weights_only refuses: never loaded, and torch's advice to load
    torch.save({"when": __import__("datetime").date(2026, 12, 1)}, pickled)  # them unsafely is not repeated
    with pytest.raises(WeightsError, match="pickled.pt: .*holds Python objects besides tensors") as err:
        api.load_parent(pickled)
    assert "weights_only" not in str(err.value) and "\x1b" not in str(err.value)
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
    # side 2.4 x 20 = 48 (2.6 x 20 would be larger than the tiny net's 32 px input), clipped at the left border
    assert (x0, y0, x1, y1) == (0, 6, 44, 54)
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
    kw = dict(device="cpu", batch=2, net=TINY, val_samples=2, seed=0, threads=1)
    r = run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=1, **kw)))
    assert r.steps == 1 and out.is_file() and Path(str(out) + ".ckpt").is_file()
    net, meta = load_parent_state(out)
    assert meta["steps"] == 1 and meta["sequences"] == ["runner", "walker"] and "all" in meta["val_composites"]
    r = run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=2, resume=True, **kw)))
    assert r.steps == 2  # one more step after the resumed one
    ckpt = Path(str(out) + ".ckpt").read_bytes()  # resumed on other data: refused (a walk's went on unsaid)
    with pytest.raises(HumansegError, match=r"started with other data or options: --seed 0 then, 1 now; the person "
                                            r"sequences \(runner, walker then, walker now"):
        run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=3, resume=True, **{**kw, "seed": 1},
                                                                     include=("walker",))))
    assert Path(str(out) + ".ckpt").read_bytes() == ckpt
    # a budget the checkpoint already spent said nothing and wrote final_loss NaN (a new-user walk)
    with pytest.raises(HumansegError, match=r"already spent the budget asked for \(step 2.*--steps above 2"):
        run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=2, resume=True, **kw)))
    exported = export_checkpoint(Path(str(out) + ".ckpt"), tmp_path / "from_ckpt.pt", {"note": "crash"})
    net2, meta2 = load_parent_state(exported)
    assert meta2["steps"] == 2 and meta2["note"] == "crash"
    # the same command again without --resume replaced the trained file and its checkpoint (an audit): refused
    before = (out.read_bytes(), Path(str(out) + ".ckpt").read_bytes())
    said = r"p\.pt\.ckpt: already exists; --resume continues.*--force replaces p\.pt and its checkpoint"
    with pytest.raises(HumansegError, match=said):
        run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=1, **kw)))
    assert (out.read_bytes(), Path(str(out) + ".ckpt").read_bytes()) == before
    Path(str(out) + ".ckpt").rename(tmp_path / "moved.ckpt")  # --resume without its checkpoint: said so
    said = r"p\.pt: already exists; --resume needs p\.pt\.ckpt, which is not there \(--init \S*p\.pt --out OTHER"
    with pytest.raises(HumansegError, match=said):
        run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=3, resume=True, **kw)))
    with pytest.raises(HumansegError, match=r"p\.pt: already exists; --init \S*p\.pt --out OTHER\.pt starts a new"):
        run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=3, **kw)))  # not sent to --resume
    with pytest.raises(HumansegError, match="is a folder; --out names the parent file to write"):
        run_job(train_parent_job([davis], [], tmp_path, ParentTrainConfig(steps=1, **kw)))
    r = run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=1, force=True, **kw)))
    assert r.steps == 1 and load_parent_state(out)[1]["steps"] == 1  # --force: trained anew


def test_init_starts_from_the_files_weights_and_records_its_sha256(tiny_file, tmp_path):
    davis = make_davis(tmp_path / "davis")
    init_path, _ = tiny_file
    init_net, _ = load_parent_state(init_path)
    kw = dict(device="cpu", batch=2, net=TINY, val_samples=0, seed=0, threads=1)
    # the first step's loss is the init net's loss on the run's first batch
    job = train_parent_job([davis], [], tmp_path / "w.pt", ParentTrainConfig(steps=2, init=init_path, **kw))
    first = next(p.data["loss"] for p in job if "loss" in p.data)
    job.close()
    gen = CompositeGenerator(SpriteBank.from_davis([davis]), [], size=32, factor=TINY["factor"],
                             sigma_frac=TINY["sigma_frac"], seed=0)
    x, y, hint = gen.batch(0, 2)
    init_net.train()
    with torch.no_grad():
        expected = float(parent_loss(init_net(torch.from_numpy(x), torch.from_numpy(hint)), torch.from_numpy(y)))
    assert first == pytest.approx(expected, rel=1e-5)
    # at lr 0 the written weights are the init file's, exactly; from scratch they are not
    out = tmp_path / "z.pt"
    r = run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=1, init=init_path, lr=0.0, **kw)))
    state, meta = read_parent_file(out)
    init_state, _ = read_parent_file(init_path)
    assert all(torch.equal(state[k], init_state[k]) for k in init_state)
    sha = hashlib.sha256(init_path.read_bytes()).hexdigest()
    assert meta["init"]["sha256"] == sha == r.init["sha256"] and meta["init"]["file"] == str(init_path)
    scratch = tmp_path / "s.pt"
    run_job(train_parent_job([davis], [], scratch, ParentTrainConfig(steps=1, lr=0.0, **kw)))
    s_state, s_meta = read_parent_file(scratch)
    assert not torch.equal(s_state["head.bias"], init_state["head.bias"]) and s_meta["init"] is None
    # --resume wins when OUT.ckpt exists: the init file is not read again, its record is kept
    r = run_job(train_parent_job([davis], [], out, ParentTrainConfig(steps=2, resume=True, lr=0.0,
                                                                      init=tmp_path / "gone.pt", **kw)))
    assert r.steps == 2 and read_parent_file(out)[1]["init"]["sha256"] == sha


def test_init_with_another_architecture_names_the_file(tiny_file, tmp_path):
    davis = make_davis(tmp_path / "davis")
    cfg = ParentTrainConfig(steps=1, init=tiny_file[0], device="cpu", batch=2, val_samples=0, threads=1,
                            net={**TINY, "width": 16})
    with pytest.raises(WeightsError, match=r"p\.pt: --init needs the same architecture.*width"):
        run_job(train_parent_job([davis], [], tmp_path / "o.pt", cfg))
    with pytest.raises(WeightsError, match="missing.pt: parent network file not found"):
        run_job(train_parent_job([davis], [], tmp_path / "o.pt",
                                 ParentTrainConfig(steps=1, init=tmp_path / "missing.pt", device="cpu", net=TINY)))


def test_init_may_change_the_input_side_only(tiny_file, tmp_path):
    """The weights do not depend on the input side: a file trained at one side warm-starts a run at another
    (`parent train --size`), its weights exactly at lr 0, and the new file reads at its own side."""
    davis = make_davis(tmp_path / "davis")
    out = tmp_path / "big.pt"
    cfg = ParentTrainConfig(steps=1, init=tiny_file[0], device="cpu", batch=2, val_samples=0, threads=1, lr=0.0,
                            net={**TINY, "size": TINY["size"] + 16})
    run_job(train_parent_job([davis], [], out, cfg))
    state, meta = read_parent_file(out)
    init_state, init_meta = read_parent_file(tiny_file[0])
    assert meta["size"] == init_meta["size"] + 16 and all(torch.equal(state[k], init_state[k]) for k in init_state)


def test_cancel_token_stops_training_and_keeps_a_checkpoint(tmp_path):
    davis = make_davis(tmp_path / "davis")
    token = CancelToken()
    job = train_parent_job([davis], [], tmp_path / "c.pt",
                           ParentTrainConfig(steps=50, device="cpu", batch=2, net=TINY, val_samples=0, threads=1),
                           cancel=token)
    with pytest.raises(Cancelled, match="--resume"):
        for p in job:
            if p.done >= 2:
                token.cancel()
    ck = torch.load(tmp_path / "c.pt.ckpt", weights_only=True)
    assert ck["step"] == 2 and not (tmp_path / "c.pt").exists()


def test_a_composite_generator_that_fails_stops_the_training_with_its_error(tmp_path, monkeypatch):
    """A review: the prefetch thread died without a word on the generator's error, and the training waited for
    ever for its next batch."""
    davis = make_davis(tmp_path / "davis")
    calls = []

    def broken(self, start, n, p_anchor=0.6):
        calls.append(start)
        if len(calls) > 1:
            raise ValueError("a background of another shape")
        return real(self, start, n, p_anchor)

    real = CompositeGenerator.batch
    monkeypatch.setattr(CompositeGenerator, "batch", broken)
    config = ParentTrainConfig(steps=5, device="cpu", batch=2, net=TINY, val_samples=0, threads=1)
    with pytest.raises(ValueError, match="another shape"):
        run_job(train_parent_job([davis], [], tmp_path / "f.pt", config))


def test_a_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    from humanseg_core.prior import parent_file

    def full(obj, f):
        Path(f).write_bytes(b"half")
        raise RuntimeError("unexpected pos 64")

    monkeypatch.setattr(parent_file.torch, "save", full)
    with pytest.raises(RuntimeError):
        parent_file.atomic_save({"a": 1}, tmp_path / "p.pt")
    assert list(tmp_path.iterdir()) == []


def test_cli_registers_parent_train_and_eval():
    from humanseg_core.cli import build_parser

    args = build_parser().parse_args(["parent", "train", "--data", "D", "--out", "o.pt", "--steps", "3"])
    assert args.steps == 3 and args.data == ["D"] and args.device == "auto" and not args.resume
    assert args.init is None
    args = build_parser().parse_args(["parent", "train", "--data", "D", "--out", "o.pt", "--steps", "3",
                                      "--init", "v2.pt"])
    assert args.init == "v2.pt"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["parent", "train", "--data", "D", "--out", "o.pt"])  # no budget


def test_default_parent_path_does_not_depend_on_the_working_folder(tmp_path):
    code = "from humanseg_core.prior.paths import DEFAULT_PARENT; print(DEFAULT_PARENT)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == ROOT / "resources" / "parent" / "parent-lite0-v9.pt" == api.DEFAULT_PARENT


def test_the_segmenter_runs_a_folded_copy_with_the_same_probabilities(tiny_file):
    """The parent segmenter runs an inference copy (BatchNorm folded, channels-last): same probabilities to
    float rounding, with BatchNorm statistics that make the folding matter; the trainable net is untouched."""
    path, _ = tiny_file
    net, meta = load_parent_state(path)
    torch.manual_seed(3)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    seg = api.ParentSegmenter(net, meta)
    x = np.random.default_rng(0).normal(size=(3, 5, 32, 32)).astype(np.float32)
    with torch.no_grad():
        plain = torch.sigmoid(seg.net.eval()(torch.from_numpy(x)))[:, 0].numpy()
    fast = seg.crop_probs(x)
    assert seg.fast is not seg.net and any(isinstance(m, torch.nn.BatchNorm2d) for m in seg.net.modules())
    assert np.abs(fast - plain).max() < 1e-4 and np.abs(plain - 0.5).max() > 0.01


def test_the_crop_shrinks_towards_min_factor_only_for_persons_larger_than_the_input(tiny_file):
    """A small person keeps its context (2.6 heights); a tall one is seen at a finer resolution, but never finer
    than the frame's: the side stops at the input's until MIN_FACTOR is reached."""
    seg = api.load_parent(tiny_file[0])  # a 32 px input
    assert seg.factor == pytest.approx(2.6) and seg.min_factor == pytest.approx(api.MIN_FACTOR)
    assert seg.side_factor(10.0) == pytest.approx(2.6)  # 26 px: upsampled to 32, the whole context kept
    assert seg.side_factor(13.0) * 13.0 == pytest.approx(32.0)  # the input's own side, no resampling
    assert seg.side_factor(40.0) == pytest.approx(api.MIN_FACTOR)
    x0, y0, x1, y1 = seg.crop_box((200.0, 200.0), 40.0, (480, 640))
    assert x1 - x0 == y1 - y0 == round(api.MIN_FACTOR * 40.0)


def test_an_out_folder_that_takes_no_file_is_refused_before_training(tmp_path, monkeypatch):
    """A walk's read-only --out folder was found at the first save: the whole training lost, a traceback."""
    import tempfile

    from humanseg_core.prior import train_parent as TP

    davis = make_davis(tmp_path / "davis")

    def read_only(*_a, **_k):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", read_only)
    monkeypatch.setattr(TP, "pick_device", lambda *_a: (_ for _ in ()).throw(AssertionError("training started")))
    with pytest.raises(HumansegError, match=r"p\.pt: cannot write the parent file there \(Read-only file system\); "
                                            r"choose another --out \(nothing was trained\)"):
        run_job(train_parent_job([davis], [], tmp_path / "ro" / "p.pt", ParentTrainConfig(steps=1, device="cpu")))


def test_the_first_ctrl_c_cancels_the_training_the_second_stops_at_once():
    import signal

    from humanseg_core.cli.parent import first_interrupt_cancels
    from humanseg_core.jobs import CancelToken

    cancel = CancelToken()
    with first_interrupt_cancels(cancel):
        signal.raise_signal(signal.SIGINT)
        assert cancel.cancelled  # the training saves at the end of its step and says how to resume
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_resume_names_the_network_options_and_stills_it_changes():
    from humanseg_core.prior.train_parent import resume_differences, stills_print

    grey, lit = np.full((40, 60, 3), 90, np.uint8), np.full((40, 60, 3), 200, np.uint8)
    assert stills_print([grey]) == stills_print([grey.copy()]) != stills_print([lit])
    now = {"seed": 0, "batch": 2, "lr": 1e-3, "grey": 0.0, "tight": 0.0, "config": {"size": 128, "width": 32},
           "sequences": ["walker"], "stills": stills_print([lit])}
    old = {"seed": 0, "config": {"size": 96, "width": 32}}  # a checkpoint from before the record: what it holds
    assert resume_differences(old, now) == ["the network's options (size 96 then, 128 now)"]
    assert resume_differences({**now, "stills": stills_print([grey])}, now) == [
        "the background stills (1 then, 1 now, other images: --backgrounds)"]
    assert resume_differences(now, now) == []
    for key, flag in (("seed", "--seed"), ("batch", "--batch"), ("lr", "--lr"), ("grey", "--grey-share"),
                      ("tight", "--tight-share")):  # each option a resume must keep is named
        assert resume_differences({**now, key: 7}, now) == [f"{flag} 7 then, {now[key]} now"]
    narrow = {**now, "config": {"size": 128}}  # an option the checkpoint's config lacks counts too
    assert resume_differences(narrow, now) == ["the network's options (width None then, 32 now)"]
    corner = np.full((40, 60, 3), 90, np.uint8)
    other = corner.copy()
    other[20:30, 30:40] = 200  # the same corner pixel, another image
    assert stills_print([corner]) != stills_print([other])


def test_parent_trains_start_line_is_words(capsys):
    """An ML walk read "parent: starting {'device': 'cpu', …}" (a dict's repr) and no line for a 2-step run's last."""
    from humanseg_core.cli.parent import _progress
    from humanseg_core.jobs import Progress

    _progress(Progress(0, 2, "starting", {"device": "cpu", "sequences": ["lucia", "stroller"], "resumed_at": 0,
                                          "init": {"file": "v8.pt", "sha256": "ab", "steps": 3}}))
    _progress(Progress(2, 2, "step", {"loss": 0.5, "lr": 1e-3}))
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "parent: starting: device cpu; sequences lucia, stroller; init v8.pt"
    assert err[1].startswith("[2/2] loss 0.5000")


def test_a_parent_file_is_read_once_until_it_is_written_again(tmp_path, monkeypatch):
    """A whole-scene run read the parent once a person (40 ms each on 2 cores); the same file unchanged is read once a
    process, each caller getting its own dicts, and a file written again is read afresh."""
    from humanseg_core.prior import parent_file

    torch.manual_seed(1)
    net = build_parent_net(TINY, imagenet=False)
    path = tmp_path / "p.pt"
    save_parent_file(path, net, {**TINY, "steps": 1})
    loads = []
    real = torch.load
    monkeypatch.setattr(parent_file.torch, "load", lambda *a, **kw: loads.append(1) or real(*a, **kw))
    first, meta = read_parent_file(path)
    again, meta2 = read_parent_file(path)
    assert len(loads) == 1 and first is not again and meta is not meta2 and meta == meta2
    assert first.keys() == again.keys() and all(torch.equal(first[k], again[k]) for k in first)
    first.clear()
    meta["steps"] = 99  # a caller's change to its dicts reaches nobody else
    state, meta3 = read_parent_file(path)
    assert state.keys() == again.keys() and meta3["steps"] == 1 and len(loads) == 1
    save_parent_file(path, net, {**TINY, "steps": 2})  # written again
    assert read_parent_file(path)[1]["steps"] == 2 and len(loads) == 2

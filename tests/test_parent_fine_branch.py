"""The parent network's full-resolution edge branch (``fine``): grown from a file without it, the network
starts as that file; the branch travels in the file's config to the per-person fine-tuning."""

from __future__ import annotations

import pytest
import torch
from test_prior_composites import make_davis
from test_prior_parent import TINY

from humanseg_core.errors import WeightsError
from humanseg_core.jobs import run_job
from humanseg_core.osvos.nets_parent import init_osvos_parent
from humanseg_core.prior.parent_file import load_parent_state, save_parent_file
from humanseg_core.prior.parent_net import build_parent_net
from humanseg_core.prior.train_parent import ParentTrainConfig, train_parent_job


@pytest.fixture()
def plain_file(tmp_path):
    torch.manual_seed(1)
    net = build_parent_net(TINY, imagenet=False)
    with torch.no_grad():
        net.head.bias.fill_(0.3)
    path = tmp_path / "plain.pt"
    save_parent_file(path, net, {**TINY, "steps": 0})
    return path


def _train(davis, init, out, net, lr=0.0):
    cfg = ParentTrainConfig(steps=1, init=init, device="cpu", batch=2, val_samples=0, seed=0, threads=1, lr=lr,
                            net=net)
    return run_job(train_parent_job([davis], [], out, cfg))


def test_a_grown_branch_starts_as_the_init_file_and_travels_in_the_config(plain_file, tmp_path):
    davis = make_davis(tmp_path / "davis")
    out = tmp_path / "fine.pt"
    _train(davis, plain_file, out, {**TINY, "fine": 4})
    grown, meta = load_parent_state(out)
    plain, _ = load_parent_state(plain_file)
    assert meta["fine"] == 4 and grown.fine == 4 and plain.fine == 0
    x = torch.randn(2, 5, 32, 32)
    grown.eval()
    plain.eval()
    with torch.no_grad():
        assert torch.equal(grown(x), plain(x))  # the branch's last conv starts at zero
        grown.fine_head.weight.fill_(0.05)  # once trained, it adds detail at the crop's own resolution
        assert not torch.allclose(grown(x), plain(x), atol=1e-3)
    # the per-person network built from such a file has the branch and its weights (strict load)
    init = init_osvos_parent(out)
    assert init.backbone == "parent:fine.pt" and init.net.net.fine == 4 and not init.warnings


def test_a_file_with_the_branch_does_not_start_a_run_without_it(plain_file, tmp_path):
    davis = make_davis(tmp_path / "davis")
    fine = tmp_path / "fine.pt"
    _train(davis, plain_file, fine, {**TINY, "fine": 4})
    with pytest.raises(WeightsError, match=r"fine\.pt: --init needs the same architecture.*fine \(file 4, run 0\)"):
        _train(davis, fine, tmp_path / "o.pt", TINY)

"""The parent segmenter's networks are kept after a load: the same file again shares them, a changed file is
read again (and refused again when it is bad)."""

import os

import numpy as np
import pytest
import torch

from humanseg_core.errors import WeightsError
from humanseg_core.prior import parent as api
from humanseg_core.prior.parent_file import save_parent_file
from humanseg_core.prior.parent_net import DEFAULT_CONFIG, build_parent_net

TINY = {**DEFAULT_CONFIG, "n_blocks": 6, "width": 8, "size": 32}


def _save(path, bias: float) -> None:
    torch.manual_seed(0)
    net = build_parent_net(TINY, imagenet=False)
    with torch.no_grad():
        net.head.bias.fill_(bias)
    save_parent_file(path, net, {**TINY, "steps": 0})


def _prob(seg) -> np.ndarray:
    frame = np.full((64, 64, 3), 120, np.uint8)
    return seg.segment(frame, (32.0, 32.0), [], height_px=20.0)


def test_the_same_file_shares_its_networks_with_segmenters_of_their_own(tmp_path):
    path = tmp_path / "p.pt"
    _save(path, 0.3)
    first, second = api.load_parent(path), api.load_parent(path)
    assert second.fast is first.fast and second.net is first.net
    assert second is not first and second.meta is not first.meta
    with first.whole_context():  # a segmenter's own settings stay its own
        assert first.min_factor == first.factor and second.min_factor != second.factor
    np.testing.assert_array_equal(_prob(first), _prob(second))


def test_a_file_written_again_is_read_again(tmp_path):
    path = tmp_path / "p.pt"
    _save(path, 0.3)
    before = api.load_parent(path)
    _save(path, -2.0)  # other weights under the same name
    after = api.load_parent(path)
    assert after.fast is not before.fast
    assert _prob(after).max() < _prob(before).max()


def test_a_file_damaged_after_a_load_is_refused(tmp_path):
    path = tmp_path / "p.pt"
    _save(path, 0.3)
    api.load_parent(path)
    data = path.read_bytes()
    path.write_bytes(data[:5000])
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with its time unchanged: the size differs
    with pytest.raises(WeightsError, match="p.pt"):
        api.load_parent(path)
    path.unlink()
    with pytest.raises(WeightsError, match="p.pt: parent network file not found"):
        api.load_parent(path)


def test_only_the_last_files_are_kept(tmp_path):
    paths = [tmp_path / f"p{i}.pt" for i in range(api.KEEP_LOADED + 1)]
    for p in paths:
        _save(p, 0.3)
    first = api.load_parent(paths[0])
    for p in paths[1:]:
        api.load_parent(p)
    assert api.load_parent(paths[0]).fast is not first.fast
    assert len(api._LOADED) == api.KEEP_LOADED

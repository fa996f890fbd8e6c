"""An export decodes only what it must (ADR 0038 amended): the store's check reads each mask's run lengths, empty
masks are found from them, and the overlap pass decodes only the persons whose boxes meet another's; MOTS writes
the other masks' RLE as stored, and after the overlap pass every mask as stored. The files are the same as from
decoded masks."""

import json

import numpy as np
import pytest
from fakes import jpeg_project

from humanseg_core import rle
from humanseg_core.errors import HumansegError
from humanseg_core.export import export_job
from humanseg_core.export.blob_masks import BlobMasks
from humanseg_core.export.mots import meeting, one_owner, write_mots
from humanseg_core.jobs import run_job

H, W = 30, 40


def _box(x0, y0, w, h):
    m = np.zeros((H, W), bool)
    m[y0:y0 + h, x0:x0 + w] = True
    return m


def _random_scene(seed):
    """{pid: {frame: mask}}: 4 persons over 10 frames, boxes that sometimes meet, sometimes only touch corners,
    some masks empty, some frames with one person."""
    rng = np.random.default_rng(seed)
    scene: dict = {}
    for pid in (2, 5, 9, 11):
        for frame in range(10):
            if rng.random() < 0.2:
                continue
            m = _box(*rng.integers(0, 30, 2), *rng.integers(1, 12, 2)) if rng.random() > 0.1 else np.zeros((H, W), bool)
            scene.setdefault(pid, {})[frame] = m | (rng.random((H, W)) < 0.01) * (rng.random() < 0.3)
    return scene


def _blobs(masks):
    out = BlobMasks()
    out.update(masks)
    return out


def test_blob_extent_is_the_mask_area_and_box_and_refuses_damage():
    rng = np.random.default_rng(1)
    for _ in range(300):
        h, w = (int(v) for v in rng.integers(1, 30, 2))
        m = rng.random((h, w)) < rng.choice([0.0, 0.02, 0.3])
        area, box = rle.blob_extent(rle.to_blob(m))
        assert area == m.sum()
        ys, xs = np.nonzero(m)
        assert box == ((int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if area else None)
    good = rle.to_blob(_box(3, 4, 5, 6))
    for bad in (good[:-1], good[:12] + b"\x7f" + good[13:]):
        with pytest.raises(rle.MaskDataError):
            rle.from_blob(bad)
        with pytest.raises(rle.MaskDataError):
            rle.blob_extent(bad)
        with pytest.raises(rle.MaskDataError):
            rle.blob_rle(bad)
    assert rle.blob_rle(good)["counts"] == rle.encode(_box(3, 4, 5, 6))["counts"]


@pytest.mark.parametrize("seed", range(6))
def test_the_overlap_pass_and_mots_give_what_decoded_masks_give(seed, tmp_path):
    scene = _random_scene(seed)
    labelled = {5: {1, 4, 7}}

    def depth(frame):
        return {2: 3.0, 5: 1.0 + frame % 3, 9: None, 11: 2.0}

    for how in ("feet", depth, None):
        plain, plain_px = run_job(one_owner({p: dict(m) for p, m in scene.items()}, how, None, labelled))
        blobs, blob_px = run_job(one_owner({p: _blobs(m) for p, m in scene.items()}, how, None, labelled))
        assert blob_px == plain_px
        assert all(isinstance(m, BlobMasks) for m in blobs.values())
        for pid, masks in plain.items():
            assert sorted(blobs[pid]) == sorted(masks)
            for f, m in masks.items():
                assert np.array_equal(blobs[pid][f], m), (how, pid, f)
        for name, masks, owned in (("plain", plain, False), ("blobs", blobs, False), ("owned", blobs, True)):
            (tmp_path / name).mkdir(exist_ok=True)
            run_job(write_mots(tmp_path / name, masks, None, how, owned=owned))
        for name in ("instances.txt", "pids.json"):
            for other in ("blobs", "owned"):
                assert (tmp_path / other / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), how


def test_only_the_persons_whose_boxes_meet_are_looked_at_together():
    held = {1: BlobMasks({0: rle.to_blob(_box(0, 0, 5, 5))}), 2: BlobMasks({0: rle.to_blob(_box(4, 4, 5, 5))}),
            3: BlobMasks({0: rle.to_blob(_box(20, 20, 5, 5))}), 4: BlobMasks({0: rle.to_blob(np.zeros((H, W)))})}
    assert meeting(held, 0) == {1, 2}  # corners on one pixel meet; 3 stands apart; 4 has no pixel
    assert meeting({1: held[2], 2: held[1]}, 0) == {1, 2}  # either way round
    assert meeting({1: held[1], 3: held[3]}, 0) == set()
    assert meeting({1: held[1], 2: {0: _box(4, 4, 5, 5)}}, 0) is None  # a mask held decoded: all decoded
    other = BlobMasks({0: rle.to_blob(np.zeros((H + 1, W), bool))})
    assert meeting({1: held[1], 5: other}, 0) is None  # sizes differ: decoded, and refused there


@pytest.mark.parametrize("fmt", ["mots", "davis"])
def test_persons_apart_are_decoded_once_for_davis_and_never_for_mots(tmp_path, monkeypatch, fmt):
    p = jpeg_project(tmp_path, range(100, 106), (H, W), lambda f: 60)
    try:
        for pid, x0 in ((3, 2), (7, 20)):
            run = p.add_run(pid, "osvos-lite")
            p.save_results(pid, run, {f: _box(x0, 5, 8, 20) for f in range(100, 106)})
        expected = run_job(export_job(p, [3, 7], fmt, tmp_path / "before", source="results", depth="feet"))
        real, decoded = rle.from_blob, []

        def counted(blob):
            decoded.append(1)
            return real(blob)

        monkeypatch.setattr(rle, "from_blob", counted)
        summary = run_job(export_job(p, [3, 7], fmt, tmp_path / "after", source="results", depth="feet"))
    finally:
        p.close()
    assert len(decoded) == {"mots": 0, "davis": 12}[fmt]  # 2 persons x 6 frames, each written once
    assert summary["masks"] == expected["masks"] == 12
    if fmt == "mots":  # the stored RLE written as it is: the lines the decoded masks give
        plain = {pid: {f: _box(x0, 5, 8, 20) for f in range(100, 106)} for pid, x0 in ((3, 2), (7, 20))}
        (tmp_path / "plain").mkdir()
        run_job(write_mots(tmp_path / "plain", plain, None, "feet"))
        lines = (tmp_path / "after" / "instances.txt").read_bytes()
        assert lines == (tmp_path / "plain" / "instances.txt").read_bytes()
    for before in sorted((tmp_path / "before").rglob("*")):
        if before.is_file() and before.name not in ("export.json", ".humanseg-export"):
            assert (tmp_path / "after" / before.relative_to(tmp_path / "before")).read_bytes() == before.read_bytes()


def test_a_masks_extent_is_read_once_and_follows_a_change():
    masks = _blobs({0: _box(2, 3, 4, 5), 1: _box(0, 0, 1, 1)})
    assert masks.extent(0) == (20, (2, 3, 5, 7))
    kept = masks.copy()
    masks[0] = np.zeros((H, W), bool)  # a nearer person took every pixel
    assert masks.extent(0) == (0, None) and kept.extent(0) == (20, (2, 3, 5, 7))
    assert masks.extent(1) == (1, (0, 0, 0, 0))
    masks.update_from(_blobs({1: _box(5, 5, 2, 2)}))
    assert masks.extent(1) == (4, (5, 5, 6, 6)) and masks.only([1]).extent(1) == (4, (5, 5, 6, 6))
    del masks[1]
    assert 1 not in masks and masks.without([0]) == {}


def test_the_overlap_pass_rewrites_only_the_persons_whose_boxes_meet():
    """A review: every person of a frame with an overlap was decoded and stored again (87 persons: 5220 decodes
    for 2904)."""
    near, far, apart = _box(2, 2, 10, 10), _box(8, 8, 10, 10), _box(25, 20, 4, 4)
    masks = {1: _blobs({0: near}), 2: _blobs({0: far}), 3: _blobs({0: apart})}
    before = {pid: m._blobs[0] for pid, m in masks.items()}
    out, taken = run_job(one_owner(masks, {0: {1: 2.0, 2: 1.0, 3: 0.0}}.get, None))
    assert taken == 16 and out[3]._blobs[0] is before[3] and out[1]._blobs[0] == before[1]
    assert np.array_equal(out[2][0], far & ~near)


def test_a_result_whose_run_lengths_are_damaged_is_left_out_with_a_warning(tmp_path):
    """A mutation audit: the store's check must read the run lengths (a header alone can be whole over damaged
    counts); such a row is left out, warned, and the export goes on."""
    p = jpeg_project(tmp_path, range(100, 103), (H, W), lambda f: 60)
    try:
        run = p.add_run(3, "osvos-lite")
        p.save_results(3, run, {f: _box(2, 5, 8, 20) for f in range(100, 103)})
        good = rle.to_blob(_box(2, 5, 8, 20))
        bad = good[:12] + b"0" * (len(good) - 12)  # the header whole, the counts summing to nothing like H x W
        with pytest.raises(rle.MaskDataError):
            rle.from_blob(bad)
        with p._tx("a damaged row") as conn:
            conn.execute("UPDATE results SET mask = ? WHERE frame = 101", (bad,))
        summary = run_job(export_job(p, [3], "mots", tmp_path / "out", source="results"))
        assert summary["masks"] == 2
        assert any("of frame 101" in w and "damaged" in w for w in p.warnings)
    finally:
        p.close()


def test_mots_of_overlapping_compressed_masks_resolves_them_as_decoded_ones(tmp_path):
    """write_mots on its own (not after the export's overlap pass): compressed masks that overlap, one person wholly
    behind a nearer one, give the lines decoded masks give (that one left out, not a zero-area line)."""
    near, hidden, apart = _box(2, 2, 12, 20), _box(4, 6, 4, 6), _box(25, 2, 5, 5)
    plain = {1: {0: near, 1: near}, 2: {0: hidden, 1: _box(20, 20, 4, 4)}, 3: {0: apart}}
    for name, masks in (("plain", plain), ("blobs", {p: _blobs(m) for p, m in plain.items()})):
        (tmp_path / name).mkdir()
        run_job(write_mots(tmp_path / name, masks, None, "feet"))
    lines = (tmp_path / "blobs" / "instances.txt").read_text()
    assert lines == (tmp_path / "plain" / "instances.txt").read_text()
    assert [line.split()[:2] for line in lines.splitlines()] == [["0", "2001"], ["0", "2003"], ["1", "2001"],
                                                                 ["1", "2002"]]  # (ids 2000 + the person id)


def test_a_mots_export_written_from_the_stored_masks_hears_a_cancel(tmp_path):
    from humanseg_core.errors import Cancelled
    from humanseg_core.jobs import CancelToken

    cancel = CancelToken()
    cancel.cancel()
    masks = {1: _blobs({0: _box(2, 2, 4, 4), 1: _box(2, 2, 4, 4)})}
    with pytest.raises(Cancelled):
        run_job(write_mots(tmp_path, masks, cancel, "feet", owned=True))
    assert not (tmp_path / "instances.txt").exists()


def test_a_blob_holds_pixels_unless_its_mask_is_empty():
    """Review's V keeps an empty mask: never a training label, never counted as one (the Train tab said 18 masks
    where 17 trained); long run-length strings are not parsed, whatever their size."""
    rng = np.random.default_rng(2)
    for shape in ((1, 1), (30, 17), (1080, 1920), (2160, 3840)):
        assert not rle.blob_holds_pixels(rle.to_blob(np.zeros(shape, bool)))
        one = np.zeros(shape, bool)
        one[tuple(int(rng.integers(0, s)) for s in shape)] = True
        assert rle.blob_holds_pixels(rle.to_blob(one))
    assert rle.blob_holds_pixels(b"not a blob")  # damaged: counted as holding some (never dropped unseen)


def test_mots_holds_more_persons_than_a_palette_and_run_refuses_before_any_work(tmp_path):
    """A review's 300 one-pixel masks were refused by the MOTS writer with the palette's 8-bit limit ("an indexed
    export holds at most 255"), and `run --format mots` found out only after training and segmenting everyone."""
    from humanseg_core.workflows.scene_sink import check_count

    masks = {}
    for pid in range(300):
        m = np.zeros((20, 20), bool)
        m[pid // 20, pid % 20] = True
        masks[pid + 1] = {0: m}
    summary = run_job(write_mots(tmp_path / "m", masks, depth=None))
    lines = (tmp_path / "m" / "instances.txt").read_text().splitlines()
    assert len(lines) == 300 and max(int(line.split()[1]) for line in lines) == 2300
    assert json.loads((tmp_path / "m" / "pids.json").read_text())["2300"] == 300
    assert summary is not None
    check_count(tmp_path / "out", "mots", 999)
    check_count(None, "palette", 300)  # no export asked for
    with pytest.raises(HumansegError, match="palette export holds at most 255 persons"):
        check_count(tmp_path / "out", "palette", 256)
    with pytest.raises(HumansegError, match="MOTS export holds at most 999 persons"):
        check_count(tmp_path / "out", "mots", 1000)

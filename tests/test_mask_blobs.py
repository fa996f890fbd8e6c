"""Project.mask_blobs: the compressed masks viewers decode on demand, picked as the decoding calls pick them."""

import numpy as np
import pytest

from humanseg_core import rle
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal


def _m(i):
    m = np.zeros((20, 30), bool)
    m[i:i + 5, 2:9] = True
    return m


def test_mask_blobs_match_the_decoded_listings(tmp_path):
    p = Project.create(tmp_path / "p", ProjectInputs(video="v.mp4", trajectories="t.txt"))
    p.add_proposals([Proposal(0, 1, (0, 0, 5, 5), _m(0), "a", status="accepted"),
                     Proposal(0, 1, (0, 0, 5, 5), _m(3), "b", status="pending"),
                     Proposal(1, 1, (0, 0, 5, 5), _m(1), "a", status="rejected"),
                     Proposal(2, 2, (0, 0, 5, 5), _m(2), "a", status="accepted")])
    edited = [q for q in p.proposals(1) if q.source == "b"][0]
    p.set_mask(edited.id, _m(6))  # edited wins over accepted on frame 0
    run = p.add_run(1, "osvos-lite")
    p.save_results(1, run, {0: _m(4), 5: _m(5)})

    def decoded(blobs):
        return {f: rle.from_blob(b) for f, b in blobs.items()}

    for got, want in ((decoded(p.mask_blobs(1, "accepted")), p.accepted_masks(1)),
                      (decoded(p.mask_blobs(1, "results", run)), p.results(1, run))):
        assert sorted(got) == sorted(want) and all(np.array_equal(got[f], want[f]) for f in want)
    assert np.array_equal(rle.from_blob(p.mask_blobs(1, "accepted")[0]), _m(6))
    assert sorted(p.mask_blobs(1, "proposals")) == [0, 1] and p.mask_blobs(1, "results", None) == {}
    # one frame's alone (a review: Fix frame read a whole run to decode one), picked as the whole listing picks it
    assert list(p.mask_blobs(1, "results", run, 5)) == [5] and p.mask_blobs(1, "results", run, 3) == {}
    assert np.array_equal(rle.from_blob(p.mask_blobs(1, "accepted", frame=0)[0]), _m(6))
    assert list(p.mask_blobs(1, "proposals", frame=1)) == [1]
    with pytest.raises(ValueError, match="unknown mask kind"):
        p.mask_blobs(1, "thumbnails")
    p.close()


def test_checked_blobs_pick_as_the_decoding_listings_do(tmp_path):
    """A review: the export's checked blobs kept one row a frame before checking it, so a damaged newest label
    dropped the frame (the listing falls back on the frame's earlier label), a mask stored as text crashed the
    export, and a row of a frame that is no integer went without a warning."""
    import sqlite3

    p = Project.create(tmp_path / "p", ProjectInputs(video="v.mp4", trajectories="t.txt"))
    p.add_proposals([Proposal(0, 1, (0, 0, 5, 5), _m(0), "a", status="accepted"),
                     Proposal(0, 1, (0, 0, 5, 5), _m(3), "b", status="accepted"),
                     Proposal(1, 1, (0, 0, 5, 5), _m(1), "a", status="accepted"),
                     Proposal(2, 1, (0, 0, 5, 5), _m(2), "a", status="accepted")])
    later = [q.id for q in p.proposals(1) if q.source == "b"][0]
    p.close()
    with sqlite3.connect(tmp_path / "p" / "project.sqlite") as db:
        db.execute("UPDATE proposals SET mask = ? WHERE id = ?", (b"HSM1 damaged", later))
        db.execute("UPDATE proposals SET mask = 'text' WHERE frame = 1")
        db.execute("UPDATE proposals SET frame = 'two' WHERE frame = 2")
    p = Project.open(tmp_path / "p")
    try:
        listed = p.accepted_masks(1)
        checked = p.mask_blobs(1, "accepted", checked=True)
        assert sorted(checked) == sorted(listed) == [0]
        assert np.array_equal(rle.from_blob(checked[0]), listed[0]) and np.array_equal(listed[0], _m(0))
        assert any("not an integer" in w for w in p.warnings) and any("text" in w or "str" in w for w in p.warnings)
    finally:
        p.close()


def test_checked_blobs_keep_the_edited_label(tmp_path):
    """A mutation audit: the first good row of a frame kept, an export wrote the label from before the edit."""
    p = Project.create(tmp_path / "p", ProjectInputs(video="v.mp4", trajectories="t.txt"))
    try:
        p.add_proposals([Proposal(0, 1, (0, 0, 5, 5), _m(0), "a", status="accepted"),
                         Proposal(0, 1, (0, 0, 5, 5), _m(3), "b", status="pending")])
        edited = [q for q in p.proposals(1) if q.source == "b"][0]
        p.set_mask(edited.id, _m(6))
        assert np.array_equal(rle.from_blob(p.mask_blobs(1, "accepted", checked=True)[0]), _m(6))
    finally:
        p.close()

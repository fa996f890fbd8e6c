"""The export's persons and frames as the analyst decided them: a frame marked not visible (V), MOTS ids that stay
a person's own from one export to the next."""

import numpy as np
import pytest
from fakes import jpeg_project
from test_export import H, W, _mask

from humanseg_core import rle
from humanseg_core.export import export_job
from humanseg_core.jobs import run_job
from humanseg_core.records import Proposal


@pytest.fixture
def project(tmp_path):
    """Frames 100..105; person 3's proposals of frames 100 and 101 accepted."""
    p = jpeg_project(tmp_path, range(100, 106), (H, W), lambda f: f)
    p.add_proposals([Proposal(frame=f, pid=3, box=(0, 0, 5, 5), mask=_mask(f * 10 + 3), source="bgs",
                              status="accepted") for f in (100, 101)])
    yield p
    p.close()


def test_mots_ids_are_the_person_ids_where_they_fit_else_in_id_order():
    from humanseg_core.export.mots import instance_ids

    assert instance_ids([76, 3, 999]) == {3: 3, 76: 76, 999: 999}
    assert instance_ids([0, 5]) == {0: 1, 5: 5} and instance_ids([1000, 1, 7]) == {1: 1, 7: 7, 1000: 2}


def test_a_frame_marked_not_visible_has_no_result_and_is_named_so_in_the_export(tmp_path, project):
    """A walk marked person 85 not visible (V) on a frame: Play, Quality and `humanseg masks` still showed the
    network's mask there, and the export called it "1 empty mask left out"."""
    from humanseg_core.export import RUN_SOURCE

    frame100 = next(q for q in project.proposals(3) if q.frame == 100)
    run = project.add_run(3, "fast")
    project.save_results(3, run, {100: _mask(1), 101: _mask(2)})
    project.set_mask(frame100.id, np.zeros((H, W), bool), status="edited")  # Review's V, after the run (a review)
    results = project.results(3)
    assert not results[100].any() and results[101].any()  # the network's mask withheld where V says so
    assert not rle.from_blob(project.mask_blobs(3, "results", run)[100]).any()  # as viewers read it
    for source in ("results", RUN_SOURCE):
        summary = run_job(export_job(project, [3], "davis", tmp_path / source, source=source))
        assert summary["marked_not_visible"] == {"3": [100]} and summary["blank_masks_left_out"] == {}
    project.set_mask(frame100.id, frame100.mask, status="edited")  # V taken back: the network's mask again
    assert np.array_equal(project.results(3)[100], _mask(1))

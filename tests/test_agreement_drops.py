"""A retrain whose new results agree less with the labels than those they replaced says so (a walk retrained
persons 251 and 252; 252 fell from 0.64 to 0.48, and the new run silently became the one Play and Export use)."""

from __future__ import annotations

import numpy as np

from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs, Proposal
from humanseg_core.workflows.agreement import agreement_drops, drops_text


def _box(y0, y1, x0, x1, shape=(40, 40)):
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


def test_a_worse_retrain_is_named_with_the_run_it_replaced(tmp_path):
    p = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        label = _box(10, 30, 10, 20)
        p.add_proposals([Proposal(frame=f, pid=7, box=(10, 10, 20, 30), mask=label, source="bgs:test",
                                  status="accepted") for f in (0, 10)])
        old = p.add_run(7, "osvos-parent")
        p.save_results(7, old, {0: label, 10: label})  # agrees fully
        drops = agreement_drops(p, {7: old}, {7: 0.48})
        assert drops == {7: (old, 1.0, 0.48)}
        assert agreement_drops(p, {7: old}, {7: 0.97}) == {}  # within the margin: nothing said
        assert agreement_drops(p, {7: old}, {}) == {}  # not segmented this time
        said = drops_text(drops, "pick it back")
        assert said == ("the new results agree less with the labels than those they replaced: person 7 1.00 -> "
                        f"0.48 (run {old}); pick it back")
        assert drops_text({}, "x") == ""
        many = {pid: (pid, 0.9, 0.9 - pid / 100) for pid in range(1, 41)}  # a scale walk's line named 40
        said = drops_text(many, "x")
        assert said.startswith("the new results agree less with the labels than those they replaced: persons "
                               "40 0.90 -> 0.50 (run 40), 39 0.90 -> 0.51 (run 39)")
        assert said.count("->") == 5 and "and 35 more (the JSON's agreement_drops names them); x" in said
        six = drops_text({pid: (pid, 0.9, 0.5) for pid in range(1, 7)}, "x")
        assert six.count("->") == 5 and "and 1 more" in six
    finally:
        p.close()


def test_the_studio_summary_says_it():
    from app.scene_summary import summary
    from humanseg_core.workflows.scene_run import SceneRunResult

    result = SceneRunResult(persons=[252], person_frames=58, seconds=30.0, drops={252: (20, 0.64, 0.48)})
    said = summary(result)
    assert "· The new results agree less with the labels than those they replaced: person 252 0.64 -> 0.48 " \
           "(run 20); the Play tab's Run box picks the earlier run back" in said
    assert result.to_json()["agreement_drops"] == {"252": {"replaced_run": 20, "was": 0.64, "now": 0.48}}


def test_runs_are_compared_on_the_label_frames_both_have_results_on(tmp_path):
    """A walk stopped a run after 15 frames (1 of its 2 label frames) and ran again with the same network: the
    whole run, scored on both labels, was said to agree less (0.83 -> 0.74) though its masks were the same."""
    p = Project.create(tmp_path / "proj", ProjectInputs(video="v", trajectories="t"))
    try:
        label = _box(10, 30, 10, 20)
        p.add_proposals([Proposal(frame=f, pid=7, box=(10, 10, 20, 30), mask=label, source="bgs:test",
                                  status="accepted") for f in (0, 10)])
        cut = p.add_run(7, "osvos-parent")
        p.save_results(7, cut, {0: label})  # stopped before frame 10
        whole = p.add_run(7, "osvos-parent")
        p.save_results(7, whole, {0: label, 10: _box(0, 5, 0, 5)})  # the same on frame 0, poor on frame 10
        assert agreement_drops(p, {7: cut}, {7: 0.5}) == {7: (cut, 1.0, 0.5)}  # over different frames: a "drop"
        assert agreement_drops(p, {7: cut}, {7: 0.5}, new_runs={7: whole}) == {}  # frame 0 alike: none
        worse = p.add_run(7, "osvos-parent")
        p.save_results(7, worse, {0: _box(10, 30, 10, 15), 10: label})  # worse where both have results
        assert agreement_drops(p, {7: cut}, {7: 0.75}, new_runs={7: worse}) == {7: (cut, 1.0, 0.5)}
        nothing = p.add_run(7, "osvos-parent")
        p.save_results(7, nothing, {10: label})  # no label frame in common: nothing compared
        assert agreement_drops(p, {7: cut}, {7: 1.0}, new_runs={7: nothing}) == {}
    finally:
        p.close()


def test_the_command_line_names_the_export_that_takes_the_earlier_runs_back(capsys):
    """A walk was told `humanseg export --run` for two persons: --run takes one, --runs several."""
    from humanseg_core.cli.run import say_done
    from humanseg_core.workflows.scene_run import SceneRunResult

    say_done(SceneRunResult(persons=[252], person_frames=58, seconds=30.0, drops={252: (20, 0.64, 0.48)}), None)
    assert "(run 20); `humanseg export --pids 252 --run 20` exports the earlier run" in capsys.readouterr().err
    two = {251: (19, 0.70, 0.50), 252: (20, 0.64, 0.48)}
    say_done(SceneRunResult(persons=[251, 252], person_frames=58, seconds=30.0, drops=two), None)
    assert "; `humanseg export --runs 251:19,252:20` exports the earlier runs" in capsys.readouterr().err

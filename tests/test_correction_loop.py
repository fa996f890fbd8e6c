"""The correction loop's core: ranking suspect result frames without GT, fixing one, retraining from here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from humanseg_core.demo import write_demo
from humanseg_core.metrics import jaccard
from humanseg_core.project import Project
from humanseg_core.records import ProjectInputs
from humanseg_core.workflows.correction import (
    FixAgreement,
    Suspect,
    SuspectConfig,
    affected_span,
    compare_rankings,
    fix_agreement,
    fix_result,
    nearer_on_body,
    rank_suspects,
    retrain_from_here,
    retrain_policy,
)


def _box(y0, x0, h, w, shape=(100, 100)):
    m = np.zeros(shape, bool)
    m[y0:y0 + h, x0:x0 + w] = True
    return m


def test_rank_suspects_without_ground_truth():
    results = {f: _box(20, 10 + f, 40, 12) for f in range(10)}
    results[4] = _box(20, 14, 40, 40)  # sudden area change
    results[7] = _box(20, 60, 40, 12)  # far from the track point
    results[8] = np.zeros((100, 100), bool)  # empty
    ranked = rank_suspects(results, lambda f: (16 + f, 20))
    assert [s.frame for s in ranked[:3]] == [8, 7, 4] or {s.frame for s in ranked[:3]} == {4, 7, 8}
    assert ranked[0].frame == 8 and "empty" in ranked[0].reasons[0]
    assert any("area" in r for s in ranked if s.frame == 4 for r in s.reasons)
    assert any("track point" in r for s in ranked if s.frame == 7 for r in s.reasons)
    assert ranked[-1].score < 0.2


def test_an_empty_result_at_the_image_edge_is_not_suspect():
    """A walk's first two "most likely wrong" frames were empty results of a person entering the image (its
    feet point at row 2): out of view there, as the proposals had said."""
    results = {f: _box(20, 10 + f, 40, 12) for f in range(6)}
    results[0] = results[1] = np.zeros((100, 100), bool)
    ranked = {s.frame: s for s in rank_suspects(results, lambda f: (16 + f, 2.0 if f < 2 else 50.0))}
    assert ranked[0].score == 0.0 and ranked[0].reasons == () and ranked[0].slight == "empty at the image's edge"
    inside = {s.frame: s for s in rank_suspects(results, lambda f: (16 + f, 50.0))}
    assert inside[0].reasons == ("empty mask",) and inside[0].score == 10.0


def test_a_frame_the_analyst_marked_not_visible_is_said_so_not_ranked_first():
    """A walk's V mark (frame 19) came first as "empty mask", unexplained; its Fix frame called it a label."""
    results = {f: _box(20, 10 + f, 40, 12) for f in range(6)}
    results[3] = np.zeros((100, 100), bool)
    ranked = {s.frame: s for s in rank_suspects(results, lambda f: (16 + f, 50.0), marked_hidden={3})}
    assert ranked[3].score == 0.0 and ranked[3].slight == "empty: you marked the person not visible here"
    assert {s.frame: s for s in rank_suspects(results, lambda f: (16 + f, 50.0))}[3].score == 10.0


def test_affected_span():
    assert affected_span([25], [0, 10, 25, 40], range(60)) == (10, 40)
    assert affected_span([5, 50], [5, 20, 50], range(60)) == (0, 59)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "demo", seed=1, n_frames=11, width=256, height=208)


def _demo_person(demo):
    """(inputs, pid, {frame: GT mask}, frames where it is seen, a tiny training config) of the demo's person
    with the most ground-truth frames."""
    from humanseg_core.osvos.config import TrainConfig

    inputs = ProjectInputs(video=str(demo / "frames"), trajectories=str(demo / "trajectories.txt"),
                           homography=str(demo / "H.txt"))
    gt = max((d for d in (demo / "gt").iterdir()), key=lambda d: len(list(d.glob("*.png"))))
    truth = {int(p.stem): cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) > 0 for p in sorted(gt.glob("*.png"))}
    config = TrainConfig(model="osvos-lite", steps=2, refine_labels=False, from_scratch=True, prior=False,
                         batch_size=1, max_side=160)
    return inputs, int(gt.name), truth, [f for f in sorted(truth) if truth[f].any()], config


@pytest.mark.slow  # trains twice (a few steps) and segments the demo
def test_fix_a_result_frame_and_retrain_from_here(demo, tmp_path):
    from humanseg_core.jobs import run_job

    inputs, pid, truth, frames, config = _demo_person(demo)
    with Project.create(tmp_path / "proj", inputs) as project:
        fix_result(project, pid, frames[0], truth[frames[0]])
        first = run_job(retrain_from_here(project, pid, [frames[0]], config))  # no run yet: trains anew
        assert first.previous_run is None
        before = project.results(pid, first.run.run_id)
        assert before
        target = frames[len(frames) // 2]
        fix_result(project, pid, target, truth[target])
        assert project.accepted_masks(pid)[target].sum() == truth[target].sum()
        second = run_job(retrain_from_here(project, pid, [target], config))
        assert second.previous_run == first.run.run_id and second.span[0] == frames[0]
        after = project.results(pid, second.run.run_id)
        assert project.results(pid, first.run.run_id).keys() == before.keys()  # the earlier run kept
        assert set(after) == set(before)  # the span re-segmented, the rest copied
        inside = [f for f in after if second.span[0] <= f <= second.span[1]]
        changed = [f for f in inside if not np.array_equal(after[f], before[f])]
        assert changed  # resumed and retrained on the fix: the re-segmented frames change
        outside = [f for f in after if not second.span[0] <= f <= second.span[1]]
        assert all(np.array_equal(after[f], before[f]) for f in outside)
        metrics = next(r for r in project.runs(pid) if r["id"] == second.run.run_id)["metrics"]
        # both fixes lie in the span: each run's results compared with the analyst's masks, and recorded
        assert second.fixes is not None and second.fixes.frames == 2
        fixed = {f: truth[f] for f in (frames[0], target)}
        assert second.fixes.iou == pytest.approx(np.mean([jaccard(after[f], fixed[f]) for f in fixed]))
        assert second.fixes.before == pytest.approx(np.mean([jaccard(before[f], fixed[f]) for f in fixed]))
        assert metrics["fixes"] == 2 and metrics["fixes_iou"] == round(second.fixes.iou, 4)
        if outside:  # the frames kept from the earlier run are counted as such
            assert metrics["kept_from"] == first.run.run_id and metrics["kept_frames"] == len(outside)
        else:
            assert "kept_frames" not in metrics
        assert metrics.get("retraining") is None and project.used_run(pid) == second.run.run_id  # whole


def test_a_retrain_stopped_before_its_run_is_whole_is_not_the_run_play_and_export_use(demo, tmp_path, monkeypatch):
    """An audit: a retrain killed after storing its span, before copying the earlier run's other frames, left a
    run of 5 frames that Play and Export then used in place of the earlier run's 11."""
    import humanseg_core.workflows.correction as correction
    from humanseg_core.export.runs import run_label
    from humanseg_core.jobs import run_job

    inputs, pid, truth, frames, config = _demo_person(demo)
    with Project.create(tmp_path / "proj", inputs) as project:
        fix_result(project, pid, frames[0], truth[frames[0]])
        first = run_job(retrain_from_here(project, pid, [frames[0]], config))
        fix_result(project, pid, frames[-1], truth[frames[-1]])

        def killed(*_args, **_kw):
            raise RuntimeError("killed between the span and the copy")

        monkeypatch.setattr(correction, "fix_agreement", killed)
        with pytest.raises(RuntimeError):
            run_job(retrain_from_here(project, pid, [frames[-1]], config))
        stopped = project.runs(pid)[-1]
        assert stopped["metrics"]["retraining"] is True and project.result_counts(pid)[stopped["id"]] > 0
        assert project.used_run(pid) == first.run.run_id  # the whole earlier run, not the partial one
        assert "cancelled or failed" in run_label(stopped, project.result_counts(pid)[stopped["id"]])
        monkeypatch.undo()
        again = run_job(retrain_from_here(project, pid, [frames[-1]], config))
        assert again.previous_run == first.run.run_id  # built on the whole run, not the stopped one
        assert project.used_run(pid) == again.run.run_id


def test_a_retrain_re_segments_within_the_persons_span_only(demo, tmp_path):
    """A walk fixed a person's first labels and retrained: "re-segmented frames 1500-1570", 20 of them before the
    person came in, all empty, then ranked first by the next Rank."""
    from humanseg_core.jobs import run_job

    inputs, pid, truth, frames, config = _demo_person(demo)

    class LaterIn:  # the scene, the person coming in on frame 5
        def __init__(self, scene):
            self._scene = scene

        def __getattr__(self, name):
            return getattr(self._scene, name)

        def span_in_video(self, p):
            return (5, self._scene.span_in_video(p)[1])

    with Project.create(tmp_path / "proj", inputs) as project:
        fix_result(project, pid, frames[-1], truth[frames[-1]])
        scene = project.load_scene()
        try:
            done = run_job(retrain_from_here(project, pid, [frames[-1]], config, scene=LaterIn(scene)))
        finally:
            scene.close()
        assert done.span == (5, frames[-1]) and min(project.results(pid, done.run.run_id)) == 5


def test_the_affected_span_is_bounded_by_the_frames_given_and_holds_the_fixes():
    person = list(range(20, 141))  # the person's span in the video
    assert affected_span([30], [], person) == (20, 140)
    assert affected_span([30, 60], [10, 25, 50, 90], person) == (25, 90)  # labels inside bound it
    assert affected_span([15], [], person) == (15, 140)  # a fix outside the frames given is still inside


def test_fix_agreement_compares_the_runs_with_the_hand_fixed_masks():
    a = np.zeros((10, 10), bool)
    a[2:8, 2:8] = True  # 36 px
    half = a.copy()
    half[2:8, 5:8] = False  # 18 px: IoU 0.5 with a
    assert fix_agreement({}, {1: a}, None) is None
    assert fix_agreement({1: a}, {2: a}, None) is None  # no new result on a fixed frame: nothing compared
    same = fix_agreement({1: a, 2: a}, {1: a, 2: a}, None)
    assert same == FixAgreement(2, 1.0, None, None)
    mixed = fix_agreement({1: a, 2: a}, {1: a, 2: half}, {1: half})
    assert mixed.iou == pytest.approx(0.75) and mixed.before == pytest.approx(0.5)  # the earlier run: frame 1 only
    assert mixed.worst == (2, pytest.approx(0.5))  # under 0.8: named


def test_retrain_policy_keeps_what_a_whole_scene_run_trained_on():
    scene_run = {"model": "osvos-parent", "params": {"scene_run": True, "accept": "all", "refine": "evidence"}}
    policy, refine = retrain_policy(scene_run)
    assert str(policy) == "all" and refine == "evidence"
    policy, refine = retrain_policy({**scene_run, "params": {"scene_run": True, "accept": "score>=0.8",
                                                             "backend": "ray", "refine": "none"}})
    assert str(policy) == "score>=0.8" and refine == "none"
    older = {"model": "osvos-parent", "params": {"scene_run": True, "accept": "all", "backend": "local"}}
    assert retrain_policy(older)[1] == "evidence"  # recorded before "refine" was: the local default
    assert retrain_policy({**older, "model": "osvos-lite"})[1] == "none"  # the joint step needs the parent
    assert retrain_policy({"model": "osvos-parent", "params": {"scene_run": True, "accept": "reviewed"}})[0] is None
    # a Train tab run: segmented through the evidence as the Segment tab does (a review: its retrain had re-made
    # the span with the network alone, the rest of the run made with the evidence)
    assert retrain_policy({"model": "osvos-parent", "params": {"seconds": 30}}) == (None, "evidence")
    assert retrain_policy({"model": "osvos-lite", "params": {"seconds": 30}}) == (None, "none")
    from humanseg_core.workflows.correction import segment_refine  # a retrain recorded without the evidence keeps
    assert segment_refine({"model": "osvos-parent", "params": {"accept": "all", "refine": "none"}}) == "none"  # it
    retrained = {"model": "osvos-parent", "params": {"seconds": 30, "accept": "all"}, "metrics": {"refine": "evidence"}}
    assert str(retrain_policy(retrained)[0]) == "all" and retrain_policy(retrained)[1] == "evidence"
    assert retrain_policy(None) == (None, "none")


@pytest.mark.slow  # trains twice (a few steps) and segments the demo
def test_a_retrain_after_a_whole_scene_run_trains_on_what_it_took(demo, tmp_path):
    """A walk: after `run --accept all`, Retrain from here trained on the two fixes alone (the run's 20
    proposals were still pending) and the person lost 0.03 J."""
    from humanseg_core.jobs import run_job
    from humanseg_core.records import Proposal

    inputs, pid, truth, frames, config = _demo_person(demo)
    with Project.create(tmp_path / "proj", inputs) as project:
        fix_result(project, pid, frames[0], truth[frames[0]])
        first = run_job(retrain_from_here(project, pid, [frames[0]], config))  # a network to resume
        pending = frames[1:4]
        project.add_proposals([Proposal(f, pid, (0, 0, 1, 1), truth[f], "bgs+parent", score=0.9) for f in pending])
        ckpt = project.runs(pid)[-1]["checkpoint"]
        scene_run = project.add_run(pid, "osvos-lite", {"scene_run": True, "accept": "all", "refine": "none"}, ckpt)
        project.save_results(pid, scene_run, {f: truth[f] for f in frames})  # what the run segmented, to its end
        project.update_run(scene_run, metrics={"segmented_frames": len(frames)})
        fix_result(project, pid, frames[-1], truth[frames[-1]])
        value = run_job(retrain_from_here(project, pid, [frames[-1]], config))
        assert value.previous_run == scene_run and value.accept == "all" and value.refine == "none"
        assert value.labels == 2 + len(pending) and value.hand_labels == 2  # the two fixes and the pending ones
        params = project.runs(pid)[-1]["params"]
        assert params["accept"] == "all" and set(pending) <= set(params["train_frames"])
        assert value.span[0] == pending[-1]  # bounded by the run's labels, pending ones included
        metrics = project.runs(pid)[-1]["metrics"]
        assert metrics["kept_from"] == scene_run and metrics["kept_frames"] > 0  # the frames before the span
        # a run the analyst trained on reviewed labels: its retrain still takes those only
        fix_result(project, pid, frames[2], truth[frames[2]])
        # a retrain cancelled while segmenting left a run with a checkpoint and no results: not built on (a review:
        # the next retrain lost the evidence step and the earlier results outside its span)
        project.add_run(pid, "osvos-lite", {"accept": "all"}, project.runs(pid)[-1]["checkpoint"])
        again = run_job(retrain_from_here(project, pid, [frames[2]], config))
        assert again.previous_run == value.run.run_id and again.accept == "all"  # the retrain kept the policy
        assert first.accept == "reviewed" and first.labels == 1


def test_compare_rankings_scores_the_earlier_worst_frames_again():
    before = [Suspect(30, 2.0, ("area +200 %",)), Suspect(10, 1.0, ()), Suspect(20, 0.0, ())]
    after = [Suspect(10, 0.5, ()), Suspect(30, 0.1, ()), Suspect(20, 0.0, ())]
    change = compare_rankings(before, after, top=2)
    assert change is not None and change.frames == (30, 10)
    assert change.before == 1.5 and change.after == 0.3
    assert compare_rankings(before, [Suspect(99, 1.0, ())]) is None  # no frame in common


def test_a_frame_behind_a_nearer_person_says_so_and_weighs_less():
    """A walk: the Fix tab ranked a frame whose person walked behind another as suspect, unexplained."""
    results = {f: _box(20, 10 + f, 40, 12) for f in range(10)}
    results[4] = _box(20, 14, 20, 12)  # half the area: the lower body hidden
    results[6] = _box(20, 16, 20, 12)  # the same, with nobody in front
    point = lambda f: (16 + f, 20)  # noqa: E731
    nearer = {4: {9: (18.0, 45.0), 3: (80.0, 50.0)}}  # person 9 stands in front (lower, on the body column)
    ranked = {s.frame: s for s in rank_suspects(results, point, others=lambda f: nearer.get(f, {}))}
    assert ranked[4].reasons[0] == "behind person 9" and ranked[6].reasons[0].startswith("area −50 %")
    assert ranked[4].score < ranked[6].score
    plain = {s.frame: s for s in rank_suspects(results, point)}
    assert plain[4].reasons[0].startswith("area") and plain[4].score > ranked[4].score
    assert nearer_on_body((16.0, 20.0), 40.0, {5: (18.0, 10.0)}) is None  # farther (higher in the image)
    assert nearer_on_body((16.0, 20.0), 40.0, {5: (60.0, 40.0)}) is None  # beside, not in front


def test_a_score_without_a_clear_sign_names_its_largest_term():
    """A walk: frames at 0.30 read 'no warning sign'. The area change under the sign's 0.3 is named, slight."""
    results = {f: _box(20, 10 + f, 40, 12) for f in range(7)}
    results[3] = _box(20, 13, 40, 15)  # +25 % area: under the sign, over SLIGHT
    only_area = SuspectConfig(motion_weight=0.0)  # (the frames either side differ too: that term is below)
    ranked = {s.frame: s for s in rank_suspects(results, lambda f: (16 + f, 20), only_area)}
    assert ranked[3].reasons == () and ranked[3].slight == "slight area +25 %"
    assert ranked[0].slight == ""  # nothing worth naming


def test_a_mask_of_another_height_or_unlike_the_frames_either_side_ranks_first():
    """A walk's worst frames (a mask swallowing a neighbour, J 0.50-0.57) ranked 11th-48th: area, distance and
    pieces alone missed them. The height and the frames either side are scored too."""
    point = lambda f: (16.0 + f, 40.0)  # noqa: E731 (the track point walks one pixel a frame, inside the box)
    results = {f: _box(20, 10 + f, 40, 12) for f in range(9)}
    squat = dict(results)
    squat[4] = _box(30, 8, 20, 24)  # the same area, half the height, around the point
    ranked = rank_suspects(squat, point)
    assert ranked[0].frame == 4 and "height −50 %" in ranked[0].reasons
    moved = dict(results)
    moved[4] = _box(20, 19, 40, 12)  # the same box 5 px to the right of where the point's motion puts it
    ranked = rank_suspects(moved, point)
    assert ranked[0].frame == 4 and any("with the frames either side" in r for r in ranked[0].reasons)
    assert ranked[0].score > 2 * max(s.score for s in ranked[1:] if s.frame not in (3, 5))


@pytest.mark.slow  # trains twice (a few steps) and segments the demo
def test_a_retrain_copies_the_earlier_runs_masks_as_made_where_the_person_is_marked_not_visible(demo, tmp_path):
    """A review: a retrain's frames kept from the earlier run were read with the V frames blanked, and stored so;
    taking the V back then showed no mask in the new run, where the earlier one had the network's."""
    from humanseg_core.jobs import run_job

    inputs, pid, truth, frames, config = _demo_person(demo)
    first_fix, hidden, middle = frames[0], frames[1], frames[len(frames) // 2]
    with Project.create(tmp_path / "proj", inputs) as project:
        for f in (first_fix, middle):
            fix_result(project, pid, f, truth[f])
        first = run_job(retrain_from_here(project, pid, [first_fix, middle], config))
        made = project.results(pid, first.run.run_id)[hidden]
        assert made.any()  # the network's mask there
        fix_result(project, pid, hidden, np.zeros_like(truth[hidden]))  # V: not visible there
        fix_result(project, pid, frames[-1], truth[frames[-1]])
        second = run_job(retrain_from_here(project, pid, [frames[-1]], config))
        assert second.previous_run == first.run.run_id and not second.span[0] <= hidden <= second.span[1]
        assert not project.results(pid, second.run.run_id)[hidden].any()  # read while the V stands: no mask
        assert np.array_equal(project.results(pid, second.run.run_id, as_stored=True)[hidden], made)  # as made


def _ends_fixed_and_retrained(project, pid, truth, frames, config):
    """The person's first and last frames fixed to the truth and retrained from them: (first, last, that retrain's
    outcome, its results)."""
    from humanseg_core.jobs import run_job

    a, b = frames[0], frames[-1]
    for f in (a, b):
        fix_result(project, pid, f, truth[f])
    first = run_job(retrain_from_here(project, pid, [a, b], config))
    return a, b, first, project.results(pid, first.run.run_id)


@pytest.mark.slow  # trains twice (a few steps) and segments the demo
def test_frames_marked_not_visible_are_not_counted_as_emptied_by_a_retrain(demo, tmp_path, monkeypatch):
    """A review: the retrain's "no mask now where run N had one" counted the frames the analyst had marked not
    visible (V), which showed no mask before the retrain either."""
    from humanseg_core.jobs import run_job
    from humanseg_core.workflows import correction

    inputs, pid, truth, frames, config = _demo_person(demo)
    with Project.create(tmp_path / "proj", inputs) as project:
        _a, _b, _first, made = _ends_fixed_and_retrained(project, pid, truth, frames, config)
        vs = [f for f in frames[2:-2] if made.get(f) is not None and made[f].any()][:4]
        for f in vs:
            fix_result(project, pid, f, np.zeros_like(truth[f]))
        real = correction.segment_person

        def seg(*args, **kw):
            done = yield from real(*args, **kw)
            for f in vs:
                if f in done.masks:
                    done.masks[f] = np.zeros_like(truth[f])
            return done

        monkeypatch.setattr(correction, "segment_person", seg)
        second = run_job(retrain_from_here(project, pid, vs, config))
        assert vs and second.emptied[0] == 0, second.emptied


@pytest.mark.slow  # trains twice (a few steps) and segments the demo
def test_a_retrain_scores_the_earlier_run_as_shown_on_frames_marked_not_visible(demo, tmp_path):
    """A review: on a frame marked not visible (V) the new run, read blank there, scored IoU 1 with the fix and the
    earlier run, read as made, 0: "with run N's" read too low and "further from your fixes" could go unsaid."""
    from humanseg_core.jobs import run_job
    from humanseg_core.metrics import jaccard

    inputs, pid, truth, frames, config = _demo_person(demo)
    with Project.create(tmp_path / "proj", inputs) as project:
        a, b, _first, made = _ends_fixed_and_retrained(project, pid, truth, frames, config)
        h = next(f for f in frames[1:-1] if made.get(f) is not None and made[f].any())
        fix_result(project, pid, h, np.zeros_like(truth[h]))  # V: not visible there
        second = run_job(retrain_from_here(project, pid, [h], config))
        fixed = [f for f in (a, h, b) if second.span[0] <= f <= second.span[1]]
        assert h in fixed and second.fixes is not None and second.fixes.frames == len(fixed)
        shown = [1.0 if f == h else jaccard(made[f], truth[f]) for f in fixed]  # blank against blank at the V
        assert second.fixes.before == pytest.approx(float(np.mean(shown)))

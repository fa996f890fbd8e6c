"""Frames of a person's span that a whole-scene run gave no mask, named (`no_mask_frames`), and those where no mask
is expected: past the annotations, where the person walked out of the image."""


def test_frames_of_a_persons_span_without_a_mask_are_named():
    """A studio walk's eth_dense run: person 252 had masks on 50 of its 71 frames; the run, Play and the export named
    none of the 21 others (eval-scene alone found them)."""
    from humanseg_core.workflows.scene_result import SceneRunResult, no_mask_text, note_no_mask

    result = SceneRunResult()
    result.persons = [252, 238]
    result.unreadable = {10300: "frames/ has no image for frame 10300"}  # said as unreadable: not again
    result.guessed_missing = {238: [(10, 12)]}  # said as not found where guessed: not again
    spans = {252: list(range(10280, 10351)), 238: list(range(0, 20))}
    written = {252: set(range(10280, 10330)) - {10300}, 238: set(range(0, 20)) - {10, 11, 12}}
    note_no_mask(result, spans.__getitem__, written)
    assert result.no_mask == {252: [(10330, 10350)]}
    assert result.to_json()["no_mask_frames"] == {"252": [[10330, 10350]]}
    text = no_mask_text(result.no_mask)
    assert text.startswith("1 person has no mask on part of its span: 252 (21 frames: 10330-10350)")
    assert text.endswith("check it in Play") and no_mask_text({}) == ""

    class Stored:  # a kept person's stored results (a re-walk's kept person went unsaid)
        def result_frame_sets(self, runs):
            assert runs == {9: 4}
            return {9: {0, 1}}

    kept = SceneRunResult()
    kept.kept = {9: 4}
    note_no_mask(kept, lambda pid: list(range(5)), {}, Stored())
    assert kept.no_mask == {9: [(2, 4)]}



def test_frames_past_the_annotations_where_the_person_left_the_view_are_not_missing_masks(small_demo):
    """A researcher walk: every zara01 run warned "no mask on part of its span: 54 (9 frames: 3941-3949)", where the
    file stops and person 54's point, extrapolated, lies beyond the image's edge (it walked out)."""
    from humanseg_core.inputs.scene import load_scene
    from humanseg_core.workflows.scene_units import expected_frames, span_frames

    scene = load_scene(small_demo / "frames", small_demo / "trajectories.txt", small_demo / "H.txt")
    try:
        pid = next(iter(scene.pids))
        span = span_frames(scene, pid)
        assert expected_frames(scene, pid) == span  # nothing outside: every frame expected
        first, last = scene.span(pid)
        beyond = [(last - 2, last)]
        scene.beyond_annotations = lambda p: beyond
        scene.outside_image = lambda p: [(last - 1, last + 5)]
        assert expected_frames(scene, pid) == [f for f in span if f < last - 1]  # past the annotations and outside
        scene.beyond_annotations = lambda p: []  # outside within the annotated span: still expected (a walk's person
        assert expected_frames(scene, pid) == span  # leaving the image half in view)
    finally:
        scene.close()
    from types import SimpleNamespace  # a person annotated once: its motion past the annotation is measured by some

    once = SimpleNamespace(trajectories=SimpleNamespace(tracks={9: [(30, 1.0, 1.0)]}), span=lambda p: (30, 39),
                           frames=SimpleNamespace(indices=list(range(50))), position_px=lambda p, f: (0.0, 0.0),
                           beyond_annotations=lambda p: [(31, 39)], outside_image=lambda p: [(34, 39)])
    assert expected_frames(once, 9) == list(range(30, 40))  # callers only (a review): every frame expected


def test_the_network_alone_segments_no_frame_where_the_person_left_the_view(local_run, tmp_path, monkeypatch):
    """A walk: `run --refine none` and `segment` (the network alone) wrote zara01's person 54 a 7-57 px mask at the
    image's edge on each of its 9 frames past the annotations, where it had walked out (the evidence step gave
    none). Here frames 18-20 of person 1 are such frames; a whole-scene run and a segmentation leave them out."""
    import shutil

    from scene_run_setup import config

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.workflows import scene_units
    from humanseg_core.workflows.person import SegmentConfig, segment_person
    from humanseg_core.workflows.scene_run import scene_run_job

    root, _demo, local, local_results, _reports = local_run
    assert {18, 19, 20} <= set(local_results[1])  # (in view there: the run segmented them)
    monkeypatch.setattr(scene_units, "left_view", lambda scene, pid: {18, 19, 20} if pid == 1 else set())
    shutil.copytree(root / "proj", tmp_path / "proj")
    project = Project.open(tmp_path / "proj")
    try:
        result = run_job(scene_run_job(project, config(pids=(1,))))
        run = result.run_ids[1]
        frames = set(project.results(1, run))
        assert frames and not frames & {18, 19, 20}
        done = run_job(segment_person(project, 1, run, SegmentConfig(refine="none")))
        assert set(done.masks) and not set(done.masks) & {18, 19, 20}
        assert "frames 18-20: person 1 has left the view there (past its annotations): no mask" in done.masks.notes
    finally:
        project.close()


def test_nor_where_the_analysts_masks_turn_a_segmentation_to_the_network_alone(local_run, tmp_path, monkeypatch):
    """A review of the above: the evidence step's fallback to the network alone (the analyst's masks nearer to it,
    ADR 0032) still segmented the frames where the person had left the view."""
    import shutil

    from humanseg_core.jobs import run_job
    from humanseg_core.project import Project
    from humanseg_core.workflows import person, scene_units
    from humanseg_core.workflows.person import SegmentConfig, segment_person

    root, *_ = local_run
    monkeypatch.setattr(scene_units, "left_view", lambda scene, pid: {18, 19, 20} if pid == 1 else set())

    def network_nearer(project, pid, masks, alone):  # (frames, the evidence's IoU, the network's)
        return (yield from iter(())) or (3, 0.2, 0.9)

    monkeypatch.setattr(person, "_hand_check", network_nearer)
    shutil.copytree(root / "proj", tmp_path / "proj")
    with Project.open(tmp_path / "proj") as project:
        done = run_job(segment_person(project, 1, project.result_runs()[1], SegmentConfig(refine="evidence")))
    assert done.refine == "none" and set(done.masks) and not set(done.masks) & {18, 19, 20}
    assert "frames 18-20: person 1 has left the view there (past its annotations): no mask" in done.masks.notes

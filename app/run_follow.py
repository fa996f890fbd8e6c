"""The views that show one run's results per person follow the run picked in Play's Run box.

Play (with Quality, Export MP4 and Project ▸ Export Masks) shows, per person, the run picked in its Run box,
else the newest run with results (:class:`app.segmentation.install.SegmentationController`).  The Whole
scene overlay draws that run for each person, the Scene table's notes name it, and the Fix tab ranks it
(a retrain from the Fix tab ranks the run it stored, and says so).  Picks live in the controller, per
project; nothing here decodes a mask.
"""

from __future__ import annotations


def picked_run(project, picked: dict[int, int] | None, pid: int, offered=None) -> int | None:
    """The run picked in Play for ``pid`` while it still has results in ``project``, else None.
    ``offered``: the run ids with results when the caller has them (else they are counted here)."""
    run = (picked or {}).get(int(pid))
    if run is None or project is None:
        return None
    if offered is None:
        offered = project.result_counts(int(pid))
    return int(run) if int(run) in offered else None


def follow_play_pick(seg, scene, correction) -> None:
    """Wire the Whole scene panel (its overlay and table) and the Fix tab to Play's Run box (``seg``: the
    SegmentationController), and Play to the runs the Fix tab's retrain stores."""
    scene.picked = seg.picked_runs
    if scene.overlay is not None:
        scene.overlay.picked = seg.picked_runs
        _play_person_alone(seg, scene.overlay)
    correction.shown_run = seg.shown_run

    def changed(pid: int, run_id: int) -> None:
        if scene.overlay is not None:
            scene.overlay.picks_changed(pid)
            scene.show_shown(scene.overlay.pids)
        scene.pick_changed(pid)
        correction.pick_changed(pid, run_id)

    seg.run_pick_changed.connect(changed)

    def retrained(value) -> None:  # Fix ▸ Retrain from here stored a run: Play's Run box and the overlay show it
        pid = getattr(value, "pid", None)
        pid = getattr(correction, "pid", None) if pid is None else pid
        seg.refresh()
        if scene.overlay is not None:
            scene.overlay.picks_changed(pid)
        if pid is not None:  # its row names the new run (a walk read "results of run 8" while Play showed 12)
            scene.pick_changed(pid)

    correction.retrained.connect(retrained)

    def results_changed(pid: int) -> None:  # segmented or restored here: the overlay reads that person's again
        if scene.overlay is not None:
            scene.overlay.picks_changed(pid)
            scene.show_shown(scene.overlay.pids)
        scene.pick_changed(pid)

    seg.results_changed.connect(results_changed)


def _play_person_alone(seg, overlay) -> None:
    """While Play is in front showing its person's labels or proposals, the overlay of every person's results leaves
    that person out: the person's masks on the video are then Play's alone (a walk read "no mask on this frame" in
    Play over the person's result drawn by the overlay)."""
    play = seg.playback

    overlay.leave_out = lambda: {int(pid)} if (pid := play.own_masks_shown()) is not None else set()
    play.source.currentIndexChanged.connect(lambda _i: overlay.refresh())
    if (dock := seg.docks.get("playback")) is not None:
        dock.visibilityChanged.connect(lambda _on: overlay.refresh())
    seg.window.person_selected.connect(lambda _pid: overlay.refresh())

"""A homography estimated from the video when a project has none (ADR 0022; the estimate itself: ADR 0014).

Without a homography the scene places the tracks by their extent alone (`Homography.fit_to_extent`): most
points land beside the people, and the proposals are skipped as "too little of the person is visible" or
taken from a window or a wall (a walk: zara01_tiny without its ``H.txt``, 2 proposals of 87, both on a
building, J 0). The estimate from the video (``humanseg calibrate``, File ▸ Estimate Homography) put the
same walk at proposals J 0.630 against 0.685 with the measured matrix, but only a user who read the
warning ran it. Now the proposals step runs it first (:func:`estimate_into`, called by ``propose_into`` and
the whole-scene run, so by the CLI and the studio alike) when the project has no homography file:

- it is written into the project folder (``H_estimated.txt``, never over a file there) with the comment
  ``humanseg calibrate`` writes, and the project's inputs name it from then on: later runs, the studio and
  the exports read the same positions (the scene's warning says it is an estimate, to be checked);
- when too few positions match the people moving in the video (a crowd, people standing still) nothing is
  written and the extent fit stays, with a warning saying why and what to give;
- ``ProposeConfig.estimate_homography`` / ``SceneRunConfig.estimate_homography`` False (``--no-estimate``)
  keeps the extent fit, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HomographyError
from ..jobs import CancelToken, Job, JobWarning, Progress

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from ..project import Project

ESTIMATED = "homography-estimated"  # JobWarning kinds
NOT_ESTIMATED = "homography-not-estimated"
FILE_NAME = "H_estimated.txt"


def needs_estimate(project: Project, scene: Scene | None) -> bool:
    """Whether the project has no homography file and its scene places the tracks by their extent."""
    homography = getattr(scene, "homography", None)
    return not project.inputs.homography and bool(getattr(homography, "approximate", False))


def will_estimate(project: Project, scene: Scene | None) -> bool:
    """Whether the next proposals estimate a homography first: :func:`needs_estimate`, and no work placed yet."""
    return needs_estimate(project, scene) and not project.placed_work()


def kept_extent_fit() -> JobWarning:
    """What a run told not to estimate (``--no-estimate``) says when the project has no homography."""
    return JobWarning(NOT_ESTIMATED, (
        "No homography, and none estimated (--no-estimate): the positions are placed by the trajectories' extent "
        "alone and most fall beside the people, so proposals are skipped or wrong. The project keeps this placement "
        "once work is stored (a later propose estimates none: ADR 0053); `humanseg calibrate` estimates a homography "
        "from the video, and `humanseg relocate --homography H` gives it, or the scene's own file, to the whole "
        "project"))


def estimate_step(project: Project, scene: Scene, cancel: CancelToken | None = None, estimate: bool = True
                  ) -> Job[tuple[Scene | None, JobWarning | None]]:
    """Job: :func:`estimate_into` when ``estimate``; else nothing estimated, and said (:func:`kept_extent_fit`)
    when the project has no homography. What ``propose_into`` and the whole-scene run call first."""
    if estimate:
        return (yield from estimate_into(project, scene, cancel))
    return None, kept_extent_fit() if needs_estimate(project, scene) else None


def free_name(folder: Path, name: str = FILE_NAME) -> Path:
    """``folder/name``, or ``name`` numbered (``H_estimated_2.txt``…) when a file of that name exists."""
    path, n = folder / name, 2
    while path.exists():
        path = folder / f"{Path(name).stem}_{n}{Path(name).suffix}"
        n += 1
    return path


def estimate_into(project: Project, scene: Scene, cancel: CancelToken | None = None
                  ) -> Job[tuple[Scene | None, JobWarning | None]]:
    """Job: when ``project`` has no homography (:func:`needs_estimate`), estimate one from ``scene``'s video,
    save it in the project folder and point the project's inputs at it. Returns (the project's scene loaded
    with it, which the caller closes; the warning saying what was done), or (None, the warning saying why
    nothing was) when too few positions matched, or (None, None) when the project has a homography.
    Reports ``data["stage"] == "homography"``; a cancel raises ``Cancelled`` and writes nothing."""
    if not needs_estimate(project, scene):
        return None, None
    if project.placed_work():  # its work placed by the extent: a homography now would
        return None, JobWarning(NOT_ESTIMATED, (  # place the persons proposed next elsewhere (a walk: 63 by the
            "No homography, and none estimated now: this project's work was placed without one (by the "  # extent,
            "trajectories' extent), and one estimated now would place the persons proposed next differently. "  # 64
            "`humanseg calibrate` estimates one; `humanseg relocate --homography H` then gives it to the whole "
            "project (the next propose places its persons again)"))  # by an estimate, in one project)
    from ..inputs.calibrate import calibrate_job, save_homography, unmatched_text

    said = "no homography: estimating one from the video (the tracks matched to the people moving in it)"
    yield Progress(0, 0, said, data={"stage": "homography"})
    job = calibrate_job(scene, cancel=cancel)
    while True:
        try:
            p = next(job)
        except StopIteration as stop:
            found = stop.value
            break
        except HomographyError as exc:  # too few positions matched (WeakCalibration too), no frame readable…
            why = str(getattr(exc, "problem", exc)).split(":")[0]
            return None, JobWarning(NOT_ESTIMATED, (
                f"No homography, and none could be estimated from the video ({why}): the positions are placed "
                "by the trajectories' extent alone and most fall beside the people, so proposals are skipped or "
                "wrong. Give the scene's homography file (--homography, or File ▸ Use a Homography File… in the "
                "studio)"))
        yield Progress(p.done, p.total, f"{said}: {p.message}", data={"stage": "homography"}, eta_s=p.eta_s)
    path = free_name(Path(project.folder))
    try:
        save_homography(path, found, project.inputs.video)
    except HomographyError as exc:  # a read-only project folder: the proposals go on, placed by the extent
        return None, JobWarning(NOT_ESTIMATED, (
            f"No homography: one was estimated from the video but could not be kept ({exc}); the positions "
            "are placed by the trajectories' extent alone and most fall beside the people. Run humanseg "
            "calibrate --out to a writable place and give it with --homography"))
    project.use_homography(str(path))
    share = found.pairs / max(found.positions, 1)
    # "a median 4.3 px off" read as the estimate's accuracy; it is the matched positions' distance to the
    # people they matched (a walk: the points were 12.5 px from the true ones, a standing group's mixed up)
    text = (f"No homography was given: one was estimated from the video ({found.pairs} of {found.positions} "
            f"positions, {share:.0%}, matched people moving in it, a median {found.residual_px:.1f} px from them; "
            f"the other positions rest on the fit) and saved as {path}, which the project uses from now on "
            "(where on the body the points then sit is estimated with the proposals). "
            "Check on a few frames that the points sit on the people; the scene's own homography is better (`humanseg "
            "relocate --homography H.txt` makes the project use it)")
    unmatched = unmatched_text(found)
    if unmatched:
        text += f". {unmatched[0].upper()}{unmatched[1:]}"
    return project.load_scene(), JobWarning(ESTIMATED, text)


__all__ = ["ESTIMATED", "FILE_NAME", "NOT_ESTIMATED", "estimate_into", "estimate_step", "free_name",
           "kept_extent_fit", "needs_estimate", "will_estimate"]

"""``propose_into``: make mask proposals for chosen persons and store them in a project (CLI and studio)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..inputs.order_check import does_not_fit, swapped_order_warning
from ..jobs import CancelToken, Job, JobWarning, Progress
from ..prior.paths import is_shipped
from ..project.job_marks import job_mark
from ..proposals.methods import DEFAULT_METHOD, PARENT_METHODS
from ..proposals.person_mask import ANCHORS
from .estimate import estimate_step
from .parent_choice import PARENT_CHOICE, parent_file_of, used_parent

PIXEL_ORDER = "pixel-order"  # JobWarning kind: the video agrees with the homography's other pixel order, or neither

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from ..project import Project
    from ..records import Proposal


@dataclass(frozen=True)
class ProposeConfig:
    """``method``: one of ``proposals.methods.METHOD_NAMES`` (default ``DEFAULT_METHOD``; ``weights``: the
    Mask R-CNN file, else the torchvision cache, or the parent file for the parent methods).
    ``threshold_px``: the match threshold at this video's size; 0 scales 40 px at 720x576 to the video.
    ``anchor``: where the track point sits on a body; empty: the project's."""

    method: str = DEFAULT_METHOD
    bgs_algorithm: str | None = None
    threshold_px: float = 0.0
    extra_frames: int = 0
    anchor: str = ""
    weights: str | None = None
    # weights None and a parent method: the project's own parent network when one was chosen (``parent_choice``);
    # False: the shipped one (a whole-scene run resolved the project's already, and said what it found)
    project_parent: bool = True
    # a project without a homography: one estimated from the video first, saved in the project and used
    # (``workflows.estimate``); False keeps the trajectories' extent fit; None: the caller (a whole-scene run) estimated
    # or was told not to, and said so: nothing is estimated or said again (a walk read "(--no-estimate)" it never gave)
    estimate_homography: bool | None = True


@dataclass(frozen=True)
class ProposeSummary:
    proposals: int
    skips: int
    persons: int
    skip_reasons: str = ""  # counted by kind (wording.reasons_text), "" when none
    method: str = ""  # the method that ran (another than asked when the parent file could not be loaded)
    anchor: str = ""  # where the track points were taken to sit (the estimate when "auto" was asked)
    unreadable: tuple[str, ...] = ()  # one line per frame that could not be read: "frame N: the problem"
    homography: str = ""  # the homography file estimated from the video first (the project had none), or ""
    score_bands: tuple[tuple[str, int, str], ...] = ()  # (band, proposals, how it reads): score_bands.band_counts
    kept: int = 0  # of the proposals, those the analyst had decided (accepted, rejected, edited): kept as decided
    parent: str = ""  # the parent network's file the method loaded ("" when it uses none)
    parent_warning: str = ""  # why it is not the project's choice (a copy gone missing), or ""

    def stored_text(self) -> str:
        """What was stored, in words: "12 proposals stored for 2 persons, 3 (frame, person) pairs skipped (…)"."""
        from ..wording import plural

        why = f" ({self.skip_reasons})" if self.skip_reasons else ""
        # a re-run on a reviewed project: its decisions are not lost, and said so (a walk could not tell)
        kept = f" ({self.kept} decided earlier, kept as decided)" if self.kept else ""
        return (f"{plural(self.proposals, 'proposal')} stored for {plural(self.persons, 'person')}{kept}, "
                f"{self.skips} (frame, person) pairs skipped{why}")


ESTIMATED_ANCHOR = "estimated_anchor"  # the project setting: the last automatic estimate of the anchor


def project_anchor(project: Project) -> str:
    """Where the project's track points sit on the bodies: the anchor its inputs name, else the last
    estimate its proposals made (a whole-scene run that reused the proposals estimated again, and its JSON
    said nothing), else ``"auto"``."""
    named = project.inputs.anchor or "auto"
    if named != "auto":
        return named
    estimate = project.setting(ESTIMATED_ANCHOR, "auto")
    return estimate if estimate in ANCHORS else "auto"


def run_anchor(project: Project, *given: str) -> str:
    """The anchor a run works with: the first of ``given`` (its option, what its proposals found) that names one,
    else :func:`project_anchor` ("auto" names none: a review found `run --anchor auto` keying depth by boxes
    where the points were feet)."""
    return next((a for a in given if a and a != "auto"), None) or project_anchor(project)


# the score of a proposal whose point the trajectories' extent placed (no homography, none estimated): under the
# 0.5 band, whatever its mask's own signs (a walk: davis_shop without its H.txt, a person's proposals scored up to
# 0.705 at J 0.0005; that scene's extent fit gave a median IoU of 0.159)
EXTENT_FIT_SCORE = 0.45
EXTENT_FIT_FLAG = "placed by the extent fit"
# ... and of one placed by a homography the video check found not to fit (another scene's matrix: a walk's proposal
# scored 0.743 on another person, and `run` trained on it)
NOT_FITTING_FLAG = "the homography does not fit the video"
PLACED_OFF_FLAGS = (EXTENT_FIT_FLAG, NOT_FITTING_FLAG)  # points that may lie off the persons: said by `run` too


def cap_scores(proposals: Sequence[Proposal], flag: str = EXTENT_FIT_FLAG) -> None:
    """Cap the scores of proposals whose points may lie off the persons at EXTENT_FIT_SCORE and flag them."""
    for p in proposals:
        p.score = min(float(p.score), EXTENT_FIT_SCORE)
        if flag not in p.flags:
            p.flags = [*p.flags, flag]


def propose_into(project: Project, pids: Sequence[int], config: ProposeConfig, cancel: CancelToken | None = None,
                 *, scene: Scene | None = None, generate: Callable[..., Any] | None = None) -> Job[ProposeSummary]:
    """Job: proposals for persons ``pids``, stored in ``project`` (the only place proposals and skips
    are stored); nothing is stored when cancelled.  Passes the generator's reports on (per frame: ``done``
    of ``total`` frames; ``data["stage"] == "prepare"`` while it samples frames first) and reports
    ``data["stage"] == "store"`` before storing.  ``scene``: the project's scene when the caller has it
    open (else it is loaded and closed here).  ``generate``: stands in for
    ``proposals.generate.generate_proposals`` (tests)."""
    check_order = generate is None  # a stand-in generator (tests) gets a stand-in scene: nothing to check
    if generate is None:
        from ..proposals.generate import generate_proposals

        generate = generate_proposals
    own_scene = scene is None
    sc: Scene = project.load_scene() if scene is None else scene
    made = ""
    off = False  # the homography does not fit the video (the check said so)
    try:
        order: tuple[JobWarning, ...] = ()
        if check_order:
            estimated, warned = (None, None) if config.estimate_homography is None else \
                (yield from estimate_step(project, sc, cancel, config.estimate_homography))
            if estimated is not None:  # the project's inputs name it now: its scene replaces this one here
                if own_scene:
                    sc.close()
                sc, own_scene, made = estimated, True, str(project.inputs.homography)
            order = (warned,) if warned is not None else ()
            yield Progress(0, 0, "preparing: the homography checked against the video", data={"stage": "prepare"})
            said = swapped_order_warning(sc, project.inputs.h_order, cancel, project.inputs.h_direction)
            order += (JobWarning(PIXEL_ORDER, said),) if said else ()
            off = does_not_fit(said)
            from .video_check import record_check

            record_check(project, said)  # said again by a later run that proposes nobody, and by status
            project.keep_video_fingerprint(sc.frames)  # the video the proposals lie on (Locate… checks a new one)
        weights, parent_said = config.weights, ""
        if config.method in PARENT_METHODS and config.project_parent:  # the project's own parent when chosen
            weights, parent_said = parent_file_of(project, config.weights)
            order += (JobWarning(PARENT_CHOICE, parent_said),) if parent_said else ()
        sc.unnamed_walkers = bool(getattr(project.inputs, "unnamed_walkers", False))  # the project's (ADR 0059)
        job = generate(sc, list(pids), method=config.method, bgs_algorithm=config.bgs_algorithm,
                       threshold_px=config.threshold_px or None, extra_frames=config.extra_frames,
                       anchor=config.anchor or project.inputs.anchor, project=project, weights=weights,
                       cancel=cancel)
        last = Progress(0, 0, warnings=order)
        with job_mark(project.folder, pids, "proposals"):  # seen at work by status and other commands
            while True:  # pass the reports on, keeping the last one's count for the storing report
                try:
                    last = next(job)
                except StopIteration as stop:
                    proposals, skips = stop.value
                    break
                if order:  # said with every report, as the generator's own warnings are
                    last = replace(last, warnings=order + tuple(last.warnings))
                yield last
        approximate = bool(getattr(getattr(sc, "homography", None), "approximate", False))  # the extent fit
    finally:
        if own_scene:
            sc.close()
    if cancel is not None:
        cancel.raise_if_cancelled()
    if approximate or off:
        cap_scores(proposals, EXTENT_FIT_FLAG if approximate else NOT_FITTING_FLAG)
    ran = str((last.data or {}).get("method", config.method))
    if weights is not None and ran in PARENT_METHODS and not is_shipped(weights):
        own = f"parent network {Path(weights).name}"  # which parent made them, where not the shipped one
        for p in proposals:
            p.flags = [*p.flags, own] if own not in p.flags else p.flags
    total = max(last.total, 1)
    yield Progress(total, total, f"storing {len(proposals)} proposals", data={"stage": "store"},
                   warnings=last.warnings)
    from .placed_reading import placed_otherwise, record_reading

    anew = placed_otherwise(project, pids)  # placed by another reading before: its old pending ones go (below)
    project.add_proposals(proposals)
    project.add_skips(skips)
    for pid in anew:  # where the new reading proposed nothing, the old placement's pending proposals are not kept
        made_now = [p for p in proposals if int(p.pid) == int(pid)]
        project.drop_stale_pending(pid, [p.id for p in made_now if p.id is not None],
                                   {p.source for p in proposals} | {config.method})
    record_reading(project, pids)
    from ..records import UNREADABLE_FRAME
    from ..wording import reasons_text

    data = last.data or {}
    estimate = str(data.get("anchor", ""))
    if estimate in ANCHORS and (config.anchor or project.inputs.anchor or "auto") == "auto":
        project.set_setting(ESTIMATED_ANCHOR, estimate)  # what later steps take the points to be
    unreadable = {int(k.frame): str(k.reason)[len(UNREADABLE_FRAME):] for k in skips
                  if str(k.reason).startswith(UNREADABLE_FRAME)}  # named, not only counted (a walk)
    from ..proposals.score_bands import band_counts

    return ProposeSummary(len(proposals), len(skips), len(list(pids)), reasons_text(skips),
                          str(data.get("method", config.method)), str(data.get("anchor", "")),
                          tuple(f"frame {f}: {why}" for f, why in sorted(unreadable.items())), made,
                          tuple(band_counts(proposals)), sum(p.status != "pending" for p in proposals),
                          used_parent(weights) if str(data.get("method", config.method)) in PARENT_METHODS else "",
                          parent_said)

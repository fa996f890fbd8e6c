"""The inputs checked against the video when the studio opens them, off the GUI thread: a warning in the banner
when the annotated points do not land on moving people (a walk opened another scene's matrix and saw no word,
where `humanseg tracks` and `propose` said it), or land on them far better with the pixel order swapped; and,
when none of the annotated frames is in the video and they do not fit in it (a clip of a longer recording), or when
some are but the points are off the moving people there and the file annotates frames beyond the clip, the frame
offset where they meet the video's moving people, offered as the banner's button."""

from __future__ import annotations

from app.worker import JobWorker
from humanseg_core.inputs.offset_estimate import estimate_offset_either_order, found_offset_text
from humanseg_core.inputs.order_check import BASIS, NOT_FITTING, does_not_fit, fit_check_job, misfit_reason
from humanseg_core.inputs.scene import is_clip_note, suggested_offset, suggested_step


def _check_job(scene, order: str, direction: str, cancel):
    """Job: (the homography's warning or "", whether the other pixel order fits better, the offset found in the
    video or None, whether that offset needs the other pixel order, whether the warning says that offset)."""
    text, swap, misfit = yield from fit_check_job(scene, order, direction, cancel)
    if misfit is not None:  # a clip of a longer recording whose frame numbers overlap the file's: the text says it
        return text, swap, misfit[0], misfit[1], True
    found, swapped = None, False
    if (suggested_offset(scene) is None and suggested_step(scene) is None  # a step fits: said, no offset offered
            and not any(f in scene.frames for f in scene.annotated_frames())):
        found, swapped = yield from estimate_offset_either_order(scene, cancel)
    return text, swap, found, swapped, False


def start_fit_check(parent, scene, order: str, direction: str, banner) -> JobWorker | None:
    """Check ``scene``'s homography (read in pixel ``order``, ``direction``) in a worker; its warning is added to
    ``banner`` (:class:`~app.warning_banner.WarningBanner`) when the banner still holds the notes it started beside
    (other inputs opened since set their own), and an offset found in the video offered there. None when there
    is nothing to check (no homography file)."""
    homography = getattr(scene, "homography", None)
    if scene is None or getattr(homography, "path", None) is None:
        return None
    of = banner.generation

    def finished(value) -> None:
        text, swap, found, swapped, in_text = value
        if of != banner.generation:  # other notes were set since (other inputs): this check's say nothing
            return
        other = "uv" if order == "rowcol" else "rowcol"
        said_already = any("check the homography" in n for n in banner.notes)  # the scene's own check named it
        if in_text and not swapped:  # said for the studio: no command-line flags, the button does it (a walk read
            now = int(getattr(getattr(scene, "trajectories", None), "frame_offset", 0))  # 8 lines of them)
            text = (f"the trajectory file {NOT_FITTING} as its frames are read now (frame offset {now}): "
                    f"{misfit_reason(scene)}; "
                    f"{found_offset_text(found, command=False)}")
        text = text.replace(BASIS, "")  # the measure's basis, for the command line (a re-walk: 140 px of banner)
        if text and not (said_already and does_not_fit(text) and not swap and not in_text):
            banner.add_note(text[0].upper() + text[1:])  # (both: 19 lines above the video at 1280x800, a walk)
        if in_text:  # the warning names the offset found (and the order it needs): offered as its buttons; the
            # note that the file runs beyond the clip ("a clip of a longer recording reads so") is left out: it said
            # all was well beside the warning that it is not (a walk)
            banner.set_notes([n for n in banner.notes if not is_clip_note(n)], banner.offset)
            if swapped:
                swap = True
            else:
                banner.offer_offset(found.offset, text[0].upper() + text[1:])
        elif found is not None and swapped:  # the order first: read that way, the check offers the offset
            said = found_offset_text(found, command=False, swapped_to=other)
            banner.add_note(said[0].upper() + said[1:])
            swap = True
        elif found is not None:
            said = found_offset_text(found, command=False)
            banner.offer_offset(found.offset, said[0].upper() + said[1:])
        if swap:  # the other order as one click (a walk found the combo in the Open dialog by itself)
            banner.offer_order(other)

    worker = JobWorker(lambda cancel: _check_job(scene, order, direction, cancel), name="Homography check",
                       parent=parent, on_finished=finished, uses_project=False)
    worker.start()
    return worker

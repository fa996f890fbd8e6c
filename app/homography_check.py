"""The homography checked against the video when the studio opens inputs, off the GUI thread: a warning in the
banner when the annotated points do not land on moving people (a walk opened another scene's matrix and saw no
word, where `humanseg tracks` and `propose` said it), or land on them far better with the pixel order swapped."""

from __future__ import annotations

from app.worker import JobWorker
from humanseg_core.inputs.order_check import fit_check_job


def start_fit_check(parent, scene, order: str, direction: str, banner) -> JobWorker | None:
    """Check ``scene``'s homography (read in pixel ``order``, ``direction``) in a worker; its warning is added to
    ``banner`` (:class:`~app.warning_banner.WarningBanner`) when the banner still holds the notes it started beside
    (other inputs opened since set their own). None when there is nothing to check (no homography file)."""
    homography = getattr(scene, "homography", None)
    if scene is None or getattr(homography, "path", None) is None:
        return None
    of = banner.generation

    def finished(text: str) -> None:
        if text:
            banner.add_note(text[0].upper() + text[1:], of)

    worker = JobWorker(lambda cancel: fit_check_job(scene, order, direction, cancel), name="Homography check",
                       parent=parent, on_finished=finished)
    worker.start()
    return worker

"""What the yellow banner's buttons do (``warning_banner.WarningBanner``): the frame offset it offers, the homography's
other pixel order or direction, and the positions read as the video's pixels. The open project takes the new reading
when nothing was placed with its own (``review.offset_taker``); else the files open again read that way."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path


def connect_banner(window, banner) -> None:
    banner.offset_chosen.connect(lambda offset: use_offset(window, offset))
    banner.order_chosen.connect(lambda order: use_order(window, order))
    banner.pixels_chosen.connect(lambda: use_pixels(window))


def follow_placed_work(window, review) -> None:
    """The banner's homography line as the open project stands: "none is estimated now" once its work was placed
    without a homography (ADR 0053; a walk read the promise of an estimate on such a project), "proposals estimate
    one" otherwise, and read again whenever the scene or the project changes (a review: reopening the same files
    brought the promise back, and a new project kept the other line)."""
    from humanseg_core.inputs.scene import APPROXIMATE_WARNING, PLACED_WARNING, homography_notes

    def check(*_args) -> None:
        project, scene = getattr(review, "project", None), window.scene
        if scene is None or not {APPROXIMATE_WARNING, PLACED_WARNING} & set(scene.warnings):
            return
        before = list(scene.warnings)
        scene.warnings = homography_notes(before, placed=project is not None and project.placed_work())
        for old, new in zip(before, scene.warnings):
            if old != new:
                window._banner_box.swap_note(old, new)  # (the Persons table's tip reads it too)

    review.project_changed.connect(check)
    review.proposals_changed.connect(check)
    window.scene_changed.connect(check)


def use_offset(window, offset: int) -> None:  # (said: a walk saw the banner go, nothing else)
    inputs = window.inputs
    if inputs is None:
        return
    taker = getattr(getattr(window, "review", None), "take_frame_offset", None)
    if taker is not None and taker(inputs, offset):  # the open project takes it (a walk's closed)
        return
    if window.open_inputs(dataclasses.replace(inputs, frame_offset=offset)):
        window.status.showMessage(f"Trajectories read with frame offset {offset} (File ▸ Open… shows it)", 15000)


def use_order(window, order: str) -> None:
    """The banner's other pixel order: the open project takes it when nothing was placed with the one it has (as
    the frame offset), else the files open again read that way."""
    inputs = window.inputs
    if inputs is not None and order in ("pixel-to-world", "world-to-pixel"):  # the other direction: as File ▸
        window.open_inputs(dataclasses.replace(inputs, h_direction=order))  # Open read so
    elif inputs is not None:
        taker = getattr(getattr(window, "review", None), "take_h_order", None)
        if taker is not None and taker(inputs, order):
            return
        window.open_inputs(dataclasses.replace(inputs, h_order=order))


def identity_folder(window) -> Path:
    """Where the identity homography goes: the open project's folder (it moves with the project) when the project
    takes the new reading (writable, these files, nothing placed yet: ``review.offset_taker``; a review: a project
    that then closed kept a stray file, and the inputs pointed into it), else beside the trajectory file when that
    folder is writable, else the studio's data folder."""
    from PySide6.QtCore import QStandardPaths

    from .review.same_inputs import same_files

    review = getattr(window, "review", None)
    project = getattr(review, "project", None)
    inputs = getattr(window, "inputs", None)
    if project is not None and not getattr(review, "read_only", False) and inputs is not None \
            and same_files(inputs, project.inputs) and not sum(project.counts().values()) and not project.runs():
        return Path(project.folder)
    beside = Path(inputs.trajectories).expanduser().parent if inputs is not None and inputs.trajectories else None
    if beside is not None and beside.is_dir() and os.access(beside, os.W_OK):  # where the user finds it (a walk
        return beside  # looked for it; the studio's data folder is hidden and its name has a space)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".humanseg")


def use_pixels(window) -> bool:
    """The trajectory's positions read as the video's pixels: the inputs open again with an identity homography
    (``humanseg_core.inputs.homography.write_identity``). False when nothing was opened."""
    from humanseg_core.inputs.homography import write_identity

    inputs = window.inputs
    if inputs is None:
        return False
    review = getattr(window, "review", None)
    before = getattr(review, "project", None)
    folder = identity_folder(window)
    if before is not None and folder != Path(before.folder) and not confirm(
            window, f"Project {Path(before.folder).name} keeps its own reading of these files (its work was placed "
                    "with it), so it closes, all saved (Project ▸ Open Project reopens it). Read the positions as the "
                    "video's pixels?"):  # (a re-walk: it closed at once, without a question)
        return False
    try:
        path = write_identity(folder)
    except OSError as exc:
        window.status.showMessage(f"Cannot write an identity homography: {exc}", 15000)
        return False
    frame = getattr(window, "current_frame", None)
    opened = window.open_inputs(dataclasses.replace(inputs, homography=str(path), h_order="uv",
                                                    h_direction="pixel-to-world"))
    frames = getattr(window, "frames", None)
    if opened and frame is not None and frames is not None and frame in frames.indices:
        window.set_frame(frame)  # the same files: the frame looked at stays (a walk was sent back to the first)
    if opened:  # after the opening's own hints, queued as it opened (a screenshot: "No project open" took its place)
        from PySide6.QtCore import QTimer

        where = "beside the trajectories" if path.parent == Path(inputs.trajectories or ".").expanduser().parent \
            else "in the project" if before is not None and path.parent == Path(before.folder) else f"in {path.parent}"
        said = f"Positions read as the video's pixels ({path.name} {where})"  # short: the status bar cut more
        if before is not None and getattr(review, "project", None) is None:  # (a re-walk: closed without a word)
            said += f"; project {Path(before.folder).name} closed, all saved"
        QTimer.singleShot(0, lambda: window.status.showMessage(said, 15000))
    return bool(opened)


def confirm(window, text: str) -> bool:
    """Yes or No to ``text`` (tests replace this)."""
    from PySide6.QtWidgets import QMessageBox

    parent = window if hasattr(window, "windowHandle") else None
    answer = QMessageBox.question(parent, "Read the positions as pixels", text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)  # it closes a project: not on a stray Enter
    return answer == QMessageBox.StandardButton.Yes

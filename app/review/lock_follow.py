"""A project opened read-only because another studio window held it becomes editable here once that window lets it
go (closed, or crashed): a walk's second window stayed read-only after the first closed, until it was reopened.

While the review controller's project is read-only for that reason, a timer looks every few seconds whether the
lock's holder is gone (``project.lock.holder``). Then this window takes the lock, and the project opens again in
place as the Review panel left it; one opened read-only because its older schema could not be updated while the
other window held it is opened again, which updates it. A folder that cannot be written to stays read-only."""

from __future__ import annotations

import atexit
from pathlib import Path

from PySide6.QtCore import QTimer

from humanseg_core.errors import HumansegError
from humanseg_core.project import Project, lock

from ..worker import running_workers

POLL_MS = 3000


def install_lock_follow(review) -> QTimer:
    """Start looking whenever ``review`` (``install.ReviewController``) holds a project another window holds."""
    timer = QTimer(review, interval=POLL_MS)
    timer.timeout.connect(lambda: take_over(review) and timer.stop())

    def follow(project) -> None:
        if project is not None and review.read_only and not review.read_only_folder:
            timer.start()
        else:
            timer.stop()

    review.project_changed.connect(follow)
    return timer


def take_over(review) -> bool:
    """Make the held project editable here when its holder is gone; True when there is nothing left to wait for
    (done, no longer read-only for that reason, or the project cannot be opened for editing: said)."""
    project = review.project
    if project is None or not review.read_only or review.read_only_folder:
        return True
    folder = Path(project.folder)
    if lock.holder(folder) is not None:
        return False
    panel = review.panel
    pid, shown = panel.pid, panel.current_id  # the place looked at here, kept (not the other window's last one)
    scene = getattr(panel, "scene", None) or review.window.scene  # the one the project was opened with
    if getattr(project, "read_only", False):  # an older schema, left as it was for the other window: update it now
        if running_workers(project_only=True):  # reopened, it closes under them: later (a review: an export failed)
            return False
        try:
            again = Project.open(folder, reading=True)
        except HumansegError as exc:  # said once; the window stays read-only (reopening it tries again)
            review._message(f"Project {folder.name} stays read-only here: {exc}", 15000)
            return True
        if getattr(again, "read_only", False):
            again.close()
            return False
        review.set_project(again, scene, show=False)  # takes the lock; the older connection closes
        if review.read_only:
            return False
        if pid is not None and panel.pid != pid:
            panel.set_person(pid)
        if shown is not None and any(p.id == shown for p in panel._shown):
            panel.go_to(shown)
    else:
        if lock.acquire(folder) is not None:  # another window was quicker
            return False
        atexit.register(lock.release, folder)
        review.read_only = panel.read_only = False
        panel.reread_in_place()  # its buttons live again, on the same proposal
        review.window.set_project_name(folder.name)  # "(read-only: open in another window)" no more
        review._update_actions()
        for dialog in review._dialogs:  # an Export dialog opened read-only records its exports now (a review)
            if getattr(dialog, "project", None) is project and hasattr(dialog, "read_only"):
                dialog.read_only = False
        review.project_changed.emit(project)  # the job panels' buttons and notes read it again
    notes = getattr(review.project, "notes", []) if review.project is not project else []  # its update, said
    review._message(" · ".join([f"Project {folder.name}: the other window let it go, so it is editable here now",
                                *notes]), 15000)
    return True

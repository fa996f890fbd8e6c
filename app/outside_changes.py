"""The studio follows what another program writes to the project it has open.

`humanseg decide`, `propose`, `run`, `segment` or `import` may write to a project while a studio window has it
open (the CLI says so: ``cli.common.note_studio_holder``). The Persons table followed such writes; the Review
panel, the selected person's Segment/Play panels and the Whole scene overlay went on showing what they had read
(a walk: proposals decided by `humanseg decide` still pending in Review, a `humanseg run`'s results missing from
the video until the person was picked again).

SQLite's ``PRAGMA data_version`` (:meth:`Project.data_version`) changes when another connection commits. It is
read every :data:`POLL_MS`; when it changed, the window reads the project again:

- Review keeps the proposal it shows when that proposal is still there; an open mask edit is never disturbed
  (the panel reads the project again once the edit is left);
- the selected person's panels, the Whole scene overlay and the Persons table are read again;
- inputs stored anew (`humanseg relocate`): the same files read another way are read so; files moved elsewhere
  are named, and the project opened again reads them;
- the status bar says that another program changed the project.

The window's own jobs (training, a Whole scene run…) write through their own connections and change the version
too: a change seen while one runs, or after one ended since the last look, is taken as the job's (its end shows what
it wrote), and once they have ended the project is read again quietly, for what a command wrote meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from .review.same_inputs import same_files
from .worker import project_jobs_ended, project_jobs_live

POLL_MS = 2000


class OutsideChanges(QObject):
    """Polls the open project's ``data_version`` and reads the project again where another program changed it."""

    #: any change of the project's ``data_version``, the window's own jobs' writes included (the Persons table
    #: counts each person's results as a Whole scene run writes them; it had a poll of its own)
    version_changed = Signal()

    def __init__(self, window, review, seg=None, scene=None) -> None:
        super().__init__(window)
        self.window, self.review, self.seg, self.scene = window, review, seg, scene
        self._project = None
        self._seen: int | None = None
        self._announced: int | None = None  # the last version :attr:`version_changed` told of
        self._ended = 0
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> bool:
        """Look once; True when the window read the project again."""
        project = self.review.project
        try:
            version = project.data_version() if project is not None else None
        except Exception:  # closed or unreadable: the next project change starts again
            return False
        if version != self._announced:
            self._announced = version
            self.version_changed.emit()
        ended = project_jobs_ended()
        if project is not self._project:  # another project (or none): what it holds now is what was read
            self._project, self._seen, self._ended = project, version, ended
            return False
        live = project_jobs_live()
        if live or ended != self._ended:  # the window's own jobs wrote it: their ends show it (a review: each run's
            self._ended = ended  # end was said as another program's, and read twice)
            if not live and version != self._seen:  # they ended: the project is read again quietly, where the
                # analyst is: a command may have written meanwhile, which the jobs' own writes hide (so this
                # follows every writing job's end; Review alone had been, and a command's results missed Play
                self._seen = version  # and the overlay until a next change)
                self.reread(quiet=True)
            return False
        if version == self._seen:
            return False
        self._seen = version
        self.reread()
        return True

    def reread(self, quiet: bool = False) -> None:
        """Read the project again in every panel that shows it (``quiet``: nothing said in the status bar, where the
        window's own job has just said how it ended)."""
        review, panel = self.review, self.review.panel
        moved = self._follow_inputs()
        panel.reread_in_place()  # the same person and proposal; the window's frame left alone; an open edit first
        review.proposals_changed.emit()  # the Persons table and the panels that count proposals
        if self.seg is not None:
            self.seg.refresh()
        if self.scene is not None and getattr(self.scene, "overlay", None) is not None:
            overlay = self.scene.overlay
            if overlay.enabled:
                overlay.load()
                overlay.refresh()
            self.scene.show_shown(overlay.pids)
            self.scene.reread(quiet)
        bar = self.window.statusBar() if hasattr(self.window, "statusBar") else None
        # the frame decided elsewhere, said already, stays said (a re-walk's notice was replaced within 3 s)
        said = bar is not None and "elsewhere meanwhile" in bar.currentMessage() and not moved
        if bar is not None and review.project is not None and (moved or not quiet) and not said:
            name = Path(review.project.folder).name
            bar.showMessage(f"Project {name} was changed by another program (another studio window or a humanseg "
                            "command): shown again"
                            + (f". Its inputs were moved ({moved}): open the project again to read them" if moved
                               else ""), 15000 if moved else 8000)

    def _follow_inputs(self) -> str:
        """The inputs another program stored (`humanseg relocate`) become the project's: the same files read
        another way (the homography's order or direction, the frame offset) are read so at once; for files moved
        elsewhere the names of what moved are returned (the window goes on showing the files it has open)."""
        project = self.review.project
        try:
            stored = project.stored_inputs() if project is not None else None
        except Exception:
            return ""
        if stored is None or stored == project.inputs:
            return ""
        inputs = getattr(self.window, "inputs", None)
        if inputs is not None and not same_files(inputs, stored):  # the project keeps the files the window has
            return ", ".join(k for k in ("video", "trajectories") if getattr(inputs, k) != getattr(stored, k))
        project.inputs = stored  # (open until it is opened again: its reading checks them against the window's)
        self.review.follow_project_inputs()
        return ""


def install_outside_changes(window, review, seg=None, scene=None) -> OutsideChanges:
    return OutsideChanges(window, review, seg, scene)

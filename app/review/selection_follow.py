"""How the Review panel and the window follow each other: a person chosen in either, a proposal shown, the
timeline moved or paused (the methods of :class:`~app.review.install.ReviewController` that keep them in step)."""

from __future__ import annotations

from PySide6.QtCore import QTimer


class SelectionFollow:
    """Mixed into the review controller: ``window``, ``panel``, ``correction``, ``project`` and
    ``_update_overlay`` are the controller's."""

    def _person_selected(self, pid: int) -> None:
        if getattr(self, "_following", False):  # the window follows the panel (_proposal_shown): it shows this already
            self.correction.person_changed(pid)
            return
        if self.project is not None and pid >= 0 and pid != self.panel.pid:
            # a person without proposals too: Review says so, and no key decides the last one's (a walk clicked
            # person 251's marker, Review stayed on 250's proposal, and A accepted it)
            if not self.panel.set_person(pid, self.window.current_frame):
                # an unsaved edit kept (Cancel): the window back on its person and frame (a walk's ring, timeline and
                QTimer.singleShot(0, self, lambda: self._back_to_edit(pid))  # Fix tab showed the person clicked)
                return
            self.correction.person_changed(pid)
        elif self.project is not None and pid >= 0 and self.window.current_frame is not None:
            self.panel.show_near(self.window.current_frame)  # the person in Review picked again (a walk's stayed)
            self.correction.person_changed(pid)  # the Fix tab too (it named the person chosen before)

    def _back_to_edit(self, refused: int) -> None:
        """The window's selection and frame back on the open edit, unless chosen again since (a review)."""
        rec = self.panel.current_record()
        if rec is not None and self.panel.editing and self.window.selected_pid == refused:
            self.window.select_person(rec.pid, jump=False)
            self.window.set_frame(rec.frame)

    def _proposal_shown(self, frame: int, pid: int) -> None:
        """The window follows the proposal the panel shows; the panel does not follow back (a stall audit: Shift+W
        showed the person's proposal nearest the old frame, then the one asked for again: three shows a key)."""
        self._following = True
        try:
            if self.window.selected_pid != pid:
                self.window.select_person(pid, jump=False)
            if self.window.current_frame != frame:
                self.window.set_frame(frame)
        finally:
            self._following = False
        self._update_overlay()

    def _playing_changed(self, on: bool) -> None:
        if not on and self.window.current_frame is not None:  # paused: the panel follows the frame it stopped on
            self._frame_changed(self.window.current_frame)

    def _frame_changed(self, frame: int) -> None:
        # a click or a step on the timeline: the panel follows, for the person selected (one without
        # proposals selected in the window keeps the panel where it is, and the selection its own)
        if not self.window.timeline.playing and self.window.selected_pid == self.panel.pid:
            self.panel.follow_frame(frame)
        self._update_overlay()
        self.correction.show_result()

"""The Review panel's display: the proposal shown over its frame, its neighbours, the info line; drawn only while
the panel is on screen (mixed into :class:`~app.review.review_panel.ReviewPanel`)."""

from __future__ import annotations

import numpy as np

from humanseg_core.errors import ProjectError
from humanseg_core.workflows.labels import CORRECTION_SOURCE

from .info_line import in_front_of, info_text


class ShowMixin:
    """Needs the panel's ``project``, ``scene``, ``view``, ``filmstrip``, ``buttons``, ``info`` and records."""

    def _covered(self) -> bool:
        """The window is on screen and this panel is not (a tab behind another, or closed): the view can wait."""
        window = self.window()
        return window is not self and window.isVisible() and self.visibleRegion().isEmpty()

    def set_on_screen(self, on: bool) -> None:
        """The panel's dock came in front (or went behind): a proposal shown meanwhile is drawn now."""
        if on:
            self.ensure_view()

    def ensure_view(self, force: bool = False) -> None:
        """Draw the proposal shown while the panel was covered, once it is on screen (``force``: now, as an edit
        is about to start from the view)."""
        if self._view_stale is not None and self.current_id is not None and not self.editing \
                and (force or not self._covered()):
            self._show(self.current_id, reset_zoom=self._view_stale, draw=True, announce=False)

    def set_generating(self, on: bool) -> None:
        """A Generate Proposals job runs (or ended) for this project: an empty panel says they are coming."""
        self.generating = on
        if self.current_id is None:
            self._show_nothing()

    def _show_nothing(self) -> None:
        self.current_id = None
        self._current_mask = None
        self.view.clear()
        if self.project is None:
            text = ("No project open: Project ▸ New Project… (Ctrl+Shift+N) makes one from the open video and "
                    "trajectories; Project ▸ Open Project… (Ctrl+Shift+O) opens one")
        elif self.generating:  # a walk read 'No proposals yet: … Generate' while they were being made
            text = "Generating proposals (progress in the Generate Proposals window): they appear here when stored"
        elif self.pid is None:
            text = "No proposals yet: Project ▸ Generate Proposals… (Ctrl+G)"
        else:
            text = "No proposals for this person yet: generate them (Project ▸ Generate Proposals…, Ctrl+G)"
        self.info.setText(text)
        for b in self.buttons.values():
            b.setEnabled(False)

    def _show(self, proposal_id: int, reset_zoom: bool = False, draw: bool = False, announce: bool = True) -> None:
        """Show the proposal: its mask over its frame with the other persons' proposals there (decoded from the
        store), the filmstrip, the buttons and the info line. While the panel is covered by another tab the view
        waits, unless ``draw`` (a stall audit: selecting persons, stepping frames and Play's playback decoded every
        neighbour's proposal for a hidden panel, 45 a show in a crowd). ``announce``: ``proposal_shown`` is emitted
        (the window follows); not for a drawing put off, which the window followed when it was shown (a walk's video
        jumped back five frames when the Review tab came in front)."""
        try:
            full = self.project.get_proposal(proposal_id)
        except ProjectError as exc:  # a damaged row (listed in the Problems banner): say so, stay put
            self.message.emit(f"Cannot show this proposal: {exc}")
            if self.current_id is None:
                self._show_nothing()
            return
        rec = self._record(proposal_id)
        if rec is not None:
            rec.status = full.status
        self.current_id = proposal_id
        self._current_mask = full.mask
        if not draw and self._covered():  # the view is drawn when the panel comes in front (set_on_screen)
            self._view_stale = bool(self._view_stale) or reset_zoom
            self.filmstrip.set_current(proposal_id)
            for b in self.buttons.values():
                b.setEnabled(True)
            self._sync_decision_buttons()
            if announce:  # (a re-read in place, behind the Train tab, took a walk's video back 5 frames as its
                self.proposal_shown.emit(int(full.frame), int(full.pid))  # training ended)
            return
        self._view_stale = None
        frame = self.read_frame(full.frame)
        point = self.scene.position_px(full.pid, full.frame) if self.scene is not None else None
        others = []
        self._others_masks = []  # (mask, status) of the other persons' proposals here, for refine's prior
        self._others_by_pid = {}
        self._front_of = (None, [])  # the neighbours' proposals may have changed since: worked out again
        for pid, oid, box in self._by_frame.get(full.frame, []):
            if oid != proposal_id and pid != full.pid:
                try:
                    other = self.project.get_proposal(oid)
                except ProjectError:  # a damaged row: not drawn (the Problems banner lists it)
                    continue
                self._others_masks.append((other.mask, other.status))
                if other.status != "rejected":  # drawn, and who stands in front for the info line (a crowd walk
                    others.append((pid, other.mask, box))  # read a rejected one drawn as a live neighbour's)
                    self._others_by_pid[pid] = other.mask
        if full.source == CORRECTION_SOURCE:  # a result to fix: the neighbours' results there (a crowd walk saw no
            others += self._others_results(full, {pid for pid, _m, _b in others})  # other person on such frames)
        self.view.set_content(frame, full.mask, full.box, point, others, full.mask.shape, pid=full.pid,
                              other_points=self._other_points(full))
        self.view.set_others_visible(self.others_check.isChecked())
        self.view.focus_person(full.box, point, reset_zoom=reset_zoom)
        self.filmstrip.set_current(proposal_id)
        for b in self.buttons.values():
            b.setEnabled(True)
        self._sync_decision_buttons()
        self._update_info(full, point)
        if announce:
            self.proposal_shown.emit(int(full.frame), int(full.pid))

    def _others_results(self, full, drawn: set[int]) -> list:
        """[(pid, mask, box)] of the other persons' results (the runs Play uses) on ``full``'s frame, those with no
        proposal drawn there; also the refine prior's (as likely, not sure)."""
        from humanseg_core.proposals.person_mask import box_of
        from humanseg_core.rle import from_blob

        out = []
        runs = self.project.result_runs()
        for pid in self._near_persons(full, set(runs) - drawn - {full.pid}):
            run = runs[pid]
            blob = self.project.mask_blobs(pid, "results", run, frame=int(full.frame)).get(int(full.frame))
            if blob is None:
                continue
            try:
                mask = from_blob(blob).astype(bool)
            except ValueError:  # a damaged result: not drawn
                continue
            box = box_of(mask) if mask.shape == full.mask.shape else None
            if box is None:  # another size, or empty
                continue
            out.append((pid, mask, box))
            self._others_masks.append((mask, "pending"))
            self._others_by_pid[pid] = mask
        return out

    NEAR_PERSONS = 12  # the neighbours' results drawn around a result to fix, at most (decoded on the GUI thread)

    def _near_persons(self, full, pids: set[int]) -> list[int]:
        """Of ``pids``, those whose track point on ``full``'s frame lies within two box heights of its box, nearest
        first, at most :data:`NEAR_PERSONS` (a review: 40 full-HD masks decoded took 0.2 s a show)."""
        if self.scene is None:
            return []
        persons_at = getattr(self.scene, "persons_at", None)
        points = persons_at(int(full.frame)) if persons_at is not None else {
            pid: uv for pid in pids if (uv := self.scene.position_px(pid, int(full.frame))) is not None}
        x0, y0, x1, y1 = (float(v) for v in full.box)
        cx, cy, reach = (x0 + x1) / 2, (y0 + y1) / 2, 2.0 * max(y1 - y0, 20.0)
        near = sorted((float(np.hypot(u - cx, v - cy)), pid) for pid, (u, v) in points.items()
                      if pid in pids and abs(u - cx) <= reach and abs(v - cy) <= reach)
        return [pid for _d, pid in near[:self.NEAR_PERSONS]]

    def _other_points(self, p) -> dict:
        """{pid: (u, v)} of the other persons annotated on the proposal's frame (those with a proposal there are
        drawn by it): a blob over several people shows whom it covers."""
        persons_at = getattr(self.scene, "persons_at", None)
        if persons_at is None:
            return {}
        h, w = p.mask.shape[:2] if p.mask is not None else (0, 0)
        return {pid: (u, v) for pid, (u, v) in persons_at(int(p.frame)).items()
                if pid != p.pid and 0 <= u < w and 0 <= v < h}  # (a point off the image marks nothing: a review)

    def _mask_edited(self) -> None:
        """The info line's mask area follows the brush, eraser, Refine and Lasso (it kept the proposal's)."""
        if self._info_of is not None and self.editor.mask is not None:
            self._update_info(*self._info_of, mask=self.editor.mask)

    def _update_info(self, p, point, mask=None) -> None:
        self._info_of = (p, point)
        area = int(np.count_nonzero(p.mask if mask is None else mask))
        no_point = point is None and self.scene is not None
        self.info.setText(info_text(p, area, no_point, self._nearer_in_front(p, point), editing=mask is not None))

    def _nearer_in_front(self, p, point) -> list[int]:
        """:func:`in_front_of` for the proposal, worked out once per proposal (not per brush dab)."""
        key = (id(self.scene), p.id, p.frame, point)
        if self._front_of[0] != key:
            persons_at = getattr(self.scene, "persons_at", None)
            others = persons_at(int(p.frame)) if persons_at is not None and point is not None else {}
            self._front_of = (key, in_front_of(p, point, others, self._others_by_pid))
        return self._front_of[1]

    def fit_zoom(self) -> None:
        if self.current_id is None:
            return
        if not self.view.user_zoomed:  # at the person's fit already: the whole frame, for context
            self.view.show_whole()
            return
        rec = self._record(self.current_id)
        point = self.scene.position_px(rec.pid, rec.frame) if self.scene is not None else None
        self.view.focus_person(rec.box, point, reset_zoom=True)

"""The person panel: a sortable table of the scene's persons; selecting a row selects that person.

With a project open, each person's work shows too (:meth:`PersonTableModel.set_status`, kept up to date by
:mod:`app.person_status`): proposals still to review, accepted labels (accepted or edited) and the result
frames of the newest run with results, so an analyst of a 40-person crowd sees whom to review or segment
next (sort by a column)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStyle, QTableView, QVBoxLayout, QWidget

from humanseg_core.inputs.scene import PLACED_WARNING, is_clip_note

from .colors import person_color
from .person_status import Status
from .plurals import plural

COLUMNS = ("Person", "First", "Last", "Points", "Inside", "Pending", "Labels", "Trained", "Results", "Agree")
TIPS = ("Person id", "First annotated frame of the video", "Last annotated frame of the video",
        "Number of annotations on the video's frames",
        "Share of annotated points inside the image", "Proposals still to review",
        "Accepted or edited proposals: the labels the Train tab uses (a Whole scene run with Accept all or "
        "score>=x also takes pending ones: '(N)' then says how many the run in use trained on; Agree "
        "compares with those); '*': some changed since the run in use read them, and neither an export of "
        "the labels nor a newer network has taken them in: status says retrain",
        "Trained networks stored (training runs with a checkpoint): trained but not segmented shows here",
        "Result frames of the run Play and Export use",
        "Agreement: how closely the results (of the run in the Results column) match this person's labels "
        "(accepted masks, else unreviewed proposals) on its annotated frames, as mean IoU. Sort by it and look "
        "at the lowest first: on test scenes the lowest were the persons segmented worst. It is not accuracy: a "
        "person whose proposals are on someone else agrees with them, so check the lowest few in Play anyway")
# the widest cell each column is expected to hold (the Person column has its colour swatch beside it)
CELL_SAMPLES = {"Person": "00000", "First": "00000", "Last": "00000", "Points": "000", "Inside": "100%",
                "Labels": "0 (000)", "Agree": "0.00"}
STATUS_COLUMNS = 5  # the project's columns, after the scene's
LOW_AGREEMENT = 0.6  # shown in orange below this
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class PersonTableModel(QAbstractTableModel):
    """One row per person: pid, first and last frame, annotation count, share of points inside the image."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[int, int, int, int, float]] = []
        self._scene = None  # for the First/Last tips: each person's span in the video, read on hover
        self._file_span: dict[int, tuple[int, int]] = {}
        self._swatches: dict[int, QPixmap] = {}
        self._status: dict[int, Status] | None = None  # {pid: (pending, labels, networks, results, agreement)}
        self._placed_by_extent = False
        self.outside = 0
        self.few_frames: dict[int, int] = {}  # {pid: label frames} of agreements measured on too few (greyed)
        self.trained_on: dict[int, tuple[int, str]] = {}  # {pid: (labels, Accept)} runs trained on more than accepted
        self.edited: dict[int, int] = {}  # {pid: masks edited by hand}: Agree then measures against those
        self.changed: dict[int, int] = {}  # {pid: label frames changed since its run in use read them} (ADR 0044)

    def set_scene(self, scene) -> None:
        self.beginResetModel()
        self._rows, self._scene = [], scene
        self._file_span = {}  # {pid: the file's first and last annotated frames} where they differ
        # no homography: the extent fit puts every point inside by construction (a walk read 100 % with the
        # points beside the people), so the share says nothing
        self._placed_by_extent = bool(getattr(getattr(scene, "homography", None), "approximate", False))
        self.outside = 0  # persons of the file never annotated on a frame of the video (not listed)
        if scene is not None:
            # the persons of the video (a walk's clip read with the whole obsmat.txt listed its 14 among 360);
            # all of them when none is in it (a wrong frame offset: the banner says so, the table still shows them)
            shown = scene.pids_in_video() or list(scene.trajectories.pids)
            self.outside = len(scene.trajectories.pids) - len(shown) + getattr(  # those annotated only before it,
                scene.trajectories, "persons_before_start", 0)  # left out when read, too (a re-walk's 84 for 137)
            for pid in shown:
                track = scene.trajectories.tracks[pid]
                # a clip: its own annotations (a walk read 19 of a file's rows for 10 in it, and First/Last the
                # file's span, frames the video does not hold)
                seen = [int(f) for f in track.frames if int(f) in scene.frames]
                first, last = (min(seen), max(seen)) if seen else (int(track.first), int(track.last))
                self._rows.append((pid, first, last, len(seen), scene.inside_share(pid)))
                if seen and (first, last) != (int(track.first), int(track.last)):
                    self._file_span[pid] = (int(track.first), int(track.last))
        self.endResetModel()

    def set_status(self, status: dict[int, Status] | None, few_frames: dict[int, int] | None = None,
                   trained_on: dict[int, tuple[int, str]] | None = None, edited: dict[int, int] | None = None,
                   changed: dict[int, int] | None = None) -> None:
        """Each person's (pending, labels, networks, result frames, agreement) from the open project; None: no
        project (blank). ``few_frames``: {pid: label frames} of agreements measured on too few (greyed);
        ``trained_on``: {pid: (labels, Accept policy)} of persons whose run trained on more than their accepted
        labels (shown beside them); ``edited``: {pid: masks edited by hand} (their Agree is marked, sorted
        after the others'); ``changed``: {pid: label frames changed since its run in use read them} (Labels
        marked "*")."""
        self._status = None if status is None else dict(status)
        self.few_frames = dict(few_frames or {})
        self.trained_on = dict(trained_on or {})
        self.edited = dict(edited or {})
        self.changed = dict(changed or {})
        if self._rows:
            first = len(COLUMNS) - STATUS_COLUMNS
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def _labels_cell(self, pid: int, value, role):
        """The Labels cell's text or tip where the run in use took more labels, or its labels changed since."""
        took, changed = self.trained_on.get(pid), self.changed.get(pid)
        if took is None and not changed:
            return None
        if role == Qt.ItemDataRole.DisplayRole:  # short: "0 · run 18" cut the other titles in a 560 px dock
            return f"{value}" + (f" ({took[0]})" if took is not None else "") + (" *" if changed else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = [f"{value} accepted or edited"]
            if took is not None:
                tip.append(f"the run in use trained on {took[0]} labels (Accept {took[1] or 'all'}: pending "
                           "proposals taken unreviewed)")
            if changed:  # (hand masks imported after an export left the person "exported", ADR 0044)
                tip.append(f"* {changed} label frame{'s' if changed > 1 else ''} changed since the run in use read "
                           "them (fixed, imported, accepted or rejected): retrain (Fix tab) or run the person "
                           "again to use them")
            return "; ".join(tip)
        return None

    def status_of(self, pid: int) -> Status | None:
        return None if self._status is None else self._status.get(int(pid), (0, 0, 0, 0, None))

    def pid_at(self, row: int) -> int:
        return self._rows[row][0]

    def row_of(self, pid: int) -> int | None:
        for i, r in enumerate(self._rows):
            if r[0] == pid:
                return i
        return None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return TIPS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        first = len(COLUMNS) - STATUS_COLUMNS
        if col == first and self._status is not None and int(row[0]) not in self._status:
            return self._never_proposed(role)  # "0" read as "all reviewed" (a walk)
        if col >= first:
            status = self.status_of(row[0])
            value = None if status is None else status[col - first]
            if col == first + 1 and value is not None:  # Labels
                labels = self._labels_cell(row[0], value, role)
                if labels is not None:
                    return labels
            hand = self.edited.get(row[0]) if col == len(COLUMNS) - 1 and value is not None else None
            if role == Qt.ItemDataRole.DisplayRole:
                mark = " ✎" if hand else ""  # measured against the analyst's own masks
                return "" if value is None else f"{value:.2f}{mark}" if isinstance(value, float) else str(value)
            if role == SORT_ROLE:  # an unmeasured agreement after every measured one: lowest first is worst first;
                # a person with hand-edited masks after those without (a walk's fixed persons sorted first: a
                # network agrees less with masks it never saw than with proposals it copied)
                return (2.0 if col == len(COLUMNS) - 1 else -1) if value is None else value + (1.0 if hand else 0.0)
            if hand and role == Qt.ItemDataRole.ToolTipRole:
                return (f"Measured against {hand} mask{'s' if hand > 1 else ''} you edited by hand: not comparable "
                        "with an unreviewed person's agreement with the proposals its network copied (sorted after "
                        "those). Retrain (Fix tab) or run the person again to use your edits")
            few = self.few_frames.get(row[0]) if col == len(COLUMNS) - 1 and value is not None else None
            if few is not None and role == Qt.ItemDataRole.ToolTipRole:
                return (f"Measured on {few} label frame{'s' if few > 1 else ''} only: a network fits the frames it "
                        "was trained on, so this says little; look at this person in Play")
            if few is not None and role == Qt.ItemDataRole.ForegroundRole:
                return QColor(140, 140, 140)
            if role == Qt.ItemDataRole.ForegroundRole and isinstance(value, float) and value < LOW_AGREEMENT:
                return QColor(230, 120, 60)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if col == 4 and self._placed_by_extent and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "—" if role == Qt.ItemDataRole.DisplayRole else (  # rich text: wrapped (a walk's was 1070 px)
                "<p>No homography: the points are placed by the trajectories' extent, inside the image by "
                "construction; " + ("this project's work was placed so, and File ▸ Estimate Homography from the "
                                    "Video… gives the whole project one"
                                    if PLACED_WARNING in getattr(self._scene, "warnings", ()) else
                                    "generating proposals estimates one from the video first") + "</p>")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row[4]:.0%}" if col == 4 else str(row[col])
        if role == Qt.ItemDataRole.ToolTipRole and col in (1, 2):  # a walk read Last 7070, Results 160 up to 7079
            spans = getattr(self._scene, "span_in_video", None)
            span = spans(row[0]) if spans is not None else (row[1], row[2])
            if span is None:
                return f"{TIPS[col]}; never in the video"
            beyond = getattr(self._scene, "beyond_annotations", None)  # extrapolated, not a clip's ends (a review)
            out = [r for r in (beyond(row[0]) if beyond is not None else []) if r[0] <= span[1] and r[1] >= span[0]]
            past = " (past its annotations the positions are extrapolated)" if out else ""
            whole = self._file_span.get(row[0])
            file_span = f"; the trajectory file annotates it over {whole[0]}–{whole[1]}" if whole else ""
            return f"{TIPS[col]}; segmented over {span[0]}–{span[1]}, {span[1] - span[0] + 1} frames{past}{file_span}"
        if role == SORT_ROLE:
            return row[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._swatch(row[0])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if col else None
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and row[4] < 0.5:
            return QColor(230, 120, 60)  # mostly outside the image: suspicious
        return None

    @staticmethod
    def _never_proposed(role):
        """The Pending cell of a person the project has no proposal of: none generated yet, or every frame
        skipped (not the 0 of a person whose proposals were all reviewed)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("No proposals: none generated for this person yet (Project ▸ Generate Proposals…, or a Whole "
                    "scene run), or every frame of it was skipped (the Review tab says why)")
        if role == SORT_ROLE:
            return -1
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _swatch(self, pid: int) -> QPixmap:
        if pid not in self._swatches:
            pm = QPixmap(12, 12)
            pm.fill(person_color(pid))
            self._swatches[pid] = pm
        return self._swatches[pid]


SORT_KEY = "persons/sort"  # "column,order" of the Persons table


class PersonPanel(QWidget):
    person_selected = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = PersonTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (a keyboard walk was held in a table's cells)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        # each column as wide as its title or its widest cell, the last one taking what is left: titles whole
        # (a walk read "Pendinc" and "Trainec" in a 500 px dock of equal columns); narrower, it scrolls sideways
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setStyleSheet("QHeaderView::section { padding: 4px 1px; font-weight: 500; }")
        self._fit_columns()
        header.sortIndicatorChanged.connect(lambda *_a: self._fit_columns())  # room for the arrow where it moved
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._scene_text, self._totals = "No scene", None  # the summary's two parts
        self.summary = QLabel("No scene")
        self.summary.setObjectName("panelSummary")
        self.summary.setWordWrap(True)  # the project's totals follow the scene's line: a narrow dock wraps them
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._quiet = False

    def keep_sort(self, settings) -> None:
        """The table's sort is kept in ``settings`` (QSettings) and restored now: a walk sorted by Agree, reopened
        the studio, and found the persons in id order again."""
        kept = settings.value(SORT_KEY)
        try:
            column, order = (int(v) for v in str(kept).split(","))
        except ValueError:
            column, order = -1, 0
        if 0 <= column < len(COLUMNS) and order in (0, 1):
            self.table.sortByColumn(column, Qt.SortOrder(order))
        self.table.horizontalHeader().sortIndicatorChanged.connect(
            lambda col, how: settings.setValue(SORT_KEY, f"{int(col)},{how.value}"))

    def set_scene(self, scene) -> None:
        self.model.set_scene(scene)
        self._fit_columns()
        n = self.model.rowCount()
        if scene is None:
            self._scene_text = "No scene"
        else:
            frames = sum(1 for f in scene.annotated_frames() if f in scene.frames)
            self._scene_text = f"{plural(n, 'person')}, {plural(frames, 'annotated frame')} in the video"
            if self.model.outside:
                more = self.model.outside
                self._scene_text += (f" ({plural(more, 'more person')} of {scene.trajectories.path.name} "
                                     f"{'is' if more == 1 else 'are'} annotated only outside it)")
        clip = [w for w in getattr(scene, "warnings", []) if is_clip_note(w)]  # a clip of a longer recording: said
        self.summary.setToolTip(clip[0] if clip else "")  # here for good (the status bar's message was overwritten
        if clip and not self.model.outside:  # at once by the project's: a walk never saw it)
            self._scene_text += f" ({scene.trajectories.path.name} annotates a longer recording: see the tip)"
        self.set_totals(self._totals)

    def set_totals(self, totals: dict[str, int] | None) -> None:
        """The open project's proposals by status over every person, after the scene's line (a walk counted its
        rejected and fixed proposals person by person for its lead); None: no project."""
        self._totals = totals
        text = self._scene_text
        if totals and sum(totals.values()):
            text += (f" · proposals: {totals.get('accepted', 0)} accepted, {totals.get('edited', 0)} edited, "
                     f"{totals.get('rejected', 0)} rejected, {totals.get('pending', 0)} pending")
        self.summary.setText(text)

    def select_pid(self, pid: int | None) -> None:
        """Select ``pid``'s row (no signal); None clears the selection."""
        self._quiet = True
        try:
            row = None if pid is None else self.model.row_of(pid)
            if row is None:
                self.table.clearSelection()
                return
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            # out of sight: brought to the middle, its neighbours around it (the current row's own scroll put it on
            # the top edge, the row above hidden, and a walk clicked the wrong person); in sight: nothing moves
            hidden = not self.table.viewport().rect().contains(self.table.visualRect(index))
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            if hidden:
                self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        finally:
            self._quiet = False

    def visible_order(self) -> list[int]:
        """The persons in the table's order as sorted now (Ctrl+PgDown follows it)."""
        return [self.model.pid_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount())]

    def row_of_pid(self, pid: int) -> int | None:
        """The visible (sorted) row of ``pid``."""
        row = self.model.row_of(pid)
        return None if row is None else self.proxy.mapFromSource(self.model.index(row, 0)).row()

    def _fit_columns(self) -> None:
        """Each column as wide as its title or its widest expected cell, plus a margin (Qt's own hint adds room
        for a sort arrow on every column: 746 px for the ten, where about 500 are at hand). With a scene, the
        person, first and last frame columns as wide as the numbers they hold (a walk's 1280 px window cut Agree
        to "Agre" with room kept for five-digit frames in a video of 160)."""
        header = self.table.horizontalHeader()
        self.table.ensurePolished()  # measured in the style sheet's font
        title = QFont(header.font())
        title.setWeight(QFont.Weight.Medium)
        fm_title, fm_cell = QFontMetrics(title), self.table.fontMetrics()
        samples = dict(CELL_SAMPLES, **({"Agree": "0.00 ✎"} if self.model.edited else {}),  # (a walk read "0.9…")
                       **({"Labels": "0 (000) *"} if self.model.changed else {}))
        rows = self.model._rows  # (pid, first, last, ...) as shown; "-40" counts its sign
        if rows:
            samples.update({name: "0" * max(len(str(r[i])) for r in rows)
                            for i, name in enumerate(("Person", "First", "Last"))})
        # a cell's text has the style's focus margin on each side (a walk's 4-digit frames read "42…" at + 6 px)
        pad = 2 * (self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1) + 2
        self._fitted = []  # the widths fitted (the header's length also counts the stretched last column)
        # the sorted column's title has the sort arrow beside it (a walk read "Persor▾"); the others have none
        sorted_at = header.sortIndicatorSection() if header.isSortIndicatorShown() else -1
        arrow = self.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + 6
        for i, name in enumerate(COLUMNS):
            # the swatch and its margins (+ 16 had read "2…" for 238 once the table was sorted by another column: a
            # crowd re-walk; 53 px of 49 needed with the style sheet's font)
            cell = fm_cell.horizontalAdvance(samples.get(name, "00000")) + pad + (22 if i == 0 else 0)
            # (+ 4 a title: at + 6 a walk's 1280 px window with four-digit frames cut Agree beside the scroll bar)
            title = fm_title.horizontalAdvance(name) + 4 + (arrow if i == sorted_at else 0)
            self._fitted.append(max(title, cell))
            header.resizeSection(i, self._fitted[-1])

    def needed_width(self) -> int:
        """The width that shows every column whole beside a vertical scroll bar (the window's right dock grows
        to it: a walk's 1280 px window cut Agree with five-digit frames)."""
        style, table = self.table.style(), self.table
        bar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, table)
        margins = self.layout().contentsMargins() if self.layout() is not None else None
        side = margins.left() + margins.right() if margins is not None else 0
        # the columns as fitted, not the header's length: its last column stretches with the dock, which grew by
        # 18 px at every start until it reached its limit (a session's screenshots)
        return sum(self._fitted) + bar + 2 * table.frameWidth() + side + 4

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        self.person_selected.emit(self.model.pid_at(self.proxy.mapToSource(current).row()))

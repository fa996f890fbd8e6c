"""The quality panel: J (IoU) per frame of a run's results against the held-out accepted masks.

Held-out masks are accepted masks the network never trained on (recorded in the run's params), so their J
is an honest estimate; the training frames can be shown too (greyed: their J is optimistic). The chart is
painted with QPainter: one bar per frame along the video, coloured from red (J 0) to green (J 1), the mean
as a line. Clicking a bar (or a row of the worst-frames list) jumps there, so the analyst sees where the
model drifts.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QLabel, QListWidget, QListWidgetItem, QToolTip, QVBoxLayout, QWidget

# the scores are computed by a core job (re-exported here for the panel's callers)
from humanseg_core.workflows.quality import FrameScore, score_frames, score_job

__all__ = ["FrameScore", "QualityChart", "QualityPanel", "j_color", "score_frames", "score_job"]

BG = QColor(30, 32, 37)
GRID = QColor(70, 74, 82)
TEXT = QColor(200, 204, 210)
TRAIN = QColor(120, 124, 132, 150)
MEAN = QColor(90, 200, 255)
CURRENT = QColor(255, 255, 255, 170)


def j_color(j: float) -> QColor:
    """Red at 0, amber at 0.5, green at 1."""
    j = min(1.0, max(0.0, j))
    return QColor.fromHsvF(j * 0.33, 0.8, 0.95)


class QualityChart(QWidget):
    frame_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._scores: list[FrameScore] = []
        self._span: tuple[int, int] | None = None
        self._current: int | None = None
        self._show_train = False
        self.setMinimumSize(240, 100)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(420, 180)

    def set_scores(self, scores: list[FrameScore], span: tuple[int, int] | None = None) -> None:
        self._scores = list(scores)
        self._span = span
        self.update()

    def set_show_training(self, on: bool) -> None:
        self._show_train = bool(on)
        self.update()

    def set_current_frame(self, frame: int | None) -> None:
        self._current = frame
        self.update()

    def visible_scores(self) -> list[FrameScore]:
        return [s for s in self._scores if s.heldout or self._show_train]

    def _range(self) -> tuple[float, float]:
        frames = [s.frame for s in self.visible_scores()]
        lo, hi = self._span if self._span else (min(frames, default=0), max(frames, default=1))
        if frames:
            lo, hi = min(lo, min(frames)), max(hi, max(frames))
        return float(lo) - 0.5, float(max(hi, lo + 1)) + 0.5

    def _rect(self) -> QRectF:
        return QRectF(34, 10, max(10, self.width() - 44), max(10, self.height() - 32))

    def x_of(self, frame: float) -> float:
        lo, hi = self._range()
        r = self._rect()
        return r.left() + (frame - lo) / (hi - lo) * r.width()

    def score_at(self, x: float) -> FrameScore | None:
        """The visible score whose bar is nearest to widget x (within a few pixels)."""
        best, dist = None, 8.0
        for s in self.visible_scores():
            d = abs(self.x_of(s.frame) - x)
            if d <= dist:
                best, dist = s, d
        return best

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), BG)
        r = self._rect()
        y_of = lambda j: r.bottom() - min(1.0, max(0.0, j)) * r.height()  # noqa: E731
        p.setPen(QPen(GRID, 1, Qt.PenStyle.DotLine))
        for t in (0.25, 0.5, 0.75, 1.0):
            p.drawLine(QPointF(r.left(), y_of(t)), QPointF(r.right(), y_of(t)))
        p.setPen(TEXT)
        for t in (0.0, 0.5, 1.0):
            p.drawText(QRectF(0, y_of(t) - 8, r.left() - 4, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{t:.1f}")
        lo, hi = self._range()
        p.drawText(QRectF(r.left(), r.bottom() + 3, 80, 16), Qt.AlignmentFlag.AlignLeft, f"{int(lo + 0.5)}")
        p.drawText(QRectF(r.right() - 80, r.bottom() + 3, 80, 16), Qt.AlignmentFlag.AlignRight, f"{int(hi - 0.5)}")
        p.drawText(QRectF(r.left(), r.bottom() + 3, r.width(), 16), Qt.AlignmentFlag.AlignHCenter, "frame")
        p.setPen(QPen(GRID, 1))
        p.drawRect(r)
        shown = self.visible_scores()
        if not shown:
            p.setPen(TEXT)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "no held-out frames scored yet" if self._scores
                       else "nothing to score (the line above says why)")
            p.end()
            return
        bar_w = max(2.0, min(14.0, r.width() / max(1.0, hi - lo) * 0.8))
        for s in sorted(shown, key=lambda s: s.heldout):  # held-out bars on top
            x = self.x_of(s.frame)
            color = j_color(s.j) if s.heldout else TRAIN
            top = y_of(s.j)
            p.fillRect(QRectF(x - bar_w / 2, top, bar_w, r.bottom() - top), color)
            if s.heldout:  # a dot on top so tiny J values stay visible and clickable
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawEllipse(QPointF(x, top), 3, 3)
        held = [s.j for s in self._scores if s.heldout]
        if held:
            mean = float(np.mean(held))
            p.setPen(QPen(MEAN, 1.4, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(r.left(), y_of(mean)), QPointF(r.right(), y_of(mean)))
            p.setPen(MEAN)
            p.drawText(QRectF(r.left() + 4, y_of(mean) - 16, 160, 14), Qt.AlignmentFlag.AlignLeft, f"mean J {mean:.3f}")
        if self._current is not None and lo <= self._current <= hi:
            p.setPen(QPen(CURRENT, 1))
            x = self.x_of(self._current)
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        p.end()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            s = self.score_at(event.position().x())
            if s is not None:
                self.frame_clicked.emit(s.frame)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        s = self.score_at(event.position().x())
        if s is not None:
            kind = "held-out" if s.heldout else "training frame (optimistic)"
            f = "" if s.f is None else f" · F {s.f:.3f}{_tol(s)}"
            miss = " · no result" if s.missing else ""
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"frame {s.frame} · J {s.j:.3f}{f} · {kind}{miss}", self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


F_HELP = ("J here: the stored segmentation of the whole frame against the accepted masks the network never "
          "trained on; the run's 'hold-out J' is the training's own measure on its crops when it ended.\n"
          "F: boundary F-measure; a boundary pixel counts as matched within a tolerance scaled to the person "
          "(2 % of the accepted mask's height, at least 1 px; DAVIS's share of the image diagonal would forgive "
          "any plausible mask of a small person)")


def _tol(s: FrameScore) -> str:
    return "" if s.tolerance is None else f" (±{s.tolerance} px)"


NO_RESULTS = ("No results to score yet: train this person (Train tab) and segment it (Segment tab), or run the "
              "whole scene (Scene tab).")
# trained, never segmented (a walk's person trained four times was told to train it)
NO_RESULTS_TRAINED = ("No results to score yet: this person has a trained network; segment it (Segment tab), or run "
                      "the whole scene (Scene tab).")
NO_HOLDOUT = ("No held-out accepted masks for this run (it trained on every one, as a Fix-tab retrain does): tick "
              "'also show training frames' to compare with them (optimistic), or train in the Train tab with a "
              "hold-out count above 0 to measure it honestly.")
SCENE_RUN_NO_HOLDOUT = ("A Whole scene run trains on the labels its Accept ({accept}) took and holds no frame out, "
                        "so nothing measures it "
                        "honestly here. Tick 'also show training frames' to compare it with your accepted masks "
                        "(optimistic), or pick a Train-tab run with a hold-out in Play's Run box.")

SCENE_RUN_UNSEEN = "labels it never saw (made or changed since it read them) scored as held out"

NO_ACCEPTED = ("Person {pid} has no accepted or edited mask to score the results against (a Whole scene run may "
               "train on pending proposals): accept or fix some of its proposals in Review, and this tab measures "
               "the results on those frames.")


class QualityPanel(QWidget):
    frame_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel(NO_RESULTS)
        self.summary.setWordWrap(True)
        self.summary.setToolTip(F_HELP)
        self.chart = QualityChart()
        self.chart.frame_clicked.connect(self.frame_requested)
        self.show_train = QCheckBox("also show training frames (grey, optimistic)")
        self.show_train.toggled.connect(self.chart.set_show_training)
        self.worst = QListWidget()
        self.worst.setMaximumHeight(96)
        self.worst.setToolTip(F_HELP)
        self.worst.itemActivated.connect(self._worst_clicked)
        self.worst.itemClicked.connect(self._worst_clicked)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.show_train)
        worst_label = QLabel("Worst held-out frames (click to go there) · F tolerance scaled to the person:")
        worst_label.setWordWrap(True)
        worst_label.setToolTip(F_HELP)
        lay.addWidget(worst_label)
        lay.addWidget(self.worst)
        self._scores: list[FrameScore] = []

    def set_scores(self, scores: list[FrameScore], span: tuple[int, int] | None = None, run_label: str = "",
                   no_holdout: str | None = None, as_proposed: int = 0, no_results: str = NO_RESULTS) -> None:
        """``no_holdout``: what to say when no frame was held out (default: train with a hold-out); ``no_results``:
        what to say with no run at all;
        ``as_proposed``: how many held-out labels are proposals accepted as proposed (said: their errors count)."""
        self._scores = list(scores)
        self.chart.set_scores(scores, span)
        held = [s for s in scores if s.heldout]
        self.worst.clear()
        prefix = f"{run_label} · " if run_label else ""
        if not scores and not run_label and no_holdout is None:  # no run (a walk read "… for this run" with none)
            self.summary.setText(no_results)
            return
        if not held:
            self.summary.setText(prefix + (no_holdout or NO_HOLDOUT))
            return
        js = np.array([s.j for s in held])
        fs = [s.f for s in held if s.f is not None]
        worst = min(held, key=lambda s: s.j)
        # "as segmented": these are the stored results over the whole frame, not the training's own hold-out J
        # on its crops that the run label quotes (a walk read 'hold-out J 0.84 · … mean J 0.894' as two answers)
        said = " (the whole frame, edges refined: the run's hold-out J is the network's on its crops in training)" \
            if "hold-out J" in prefix else ""  # a walk read 0.717 there and 0.767 here for one run: two answers
        frames = f"{len(held)} held-out frame{'' if len(held) == 1 else 's'}"
        text = (f"{prefix}{frames} as segmented{said}: mean J {js.mean():.3f} · median "
                f"{np.median(js):.3f} · worst {worst.j:.3f} at frame {worst.frame}")
        if fs:
            tols = sorted({s.tolerance for s in held if s.tolerance is not None})
            within = "" if not tols else f" (boundary ±{tols[0]}" + (f"–{tols[-1]}" if len(tols) > 1 else "") + " px)"
            text += f" · mean F {np.mean(fs):.3f}{within}"
        missing = sum(s.missing for s in held)
        if missing:
            text += f" · {missing} without a result (scored 0)"
        if as_proposed:
            text += (f" · against {as_proposed} label{'s' if as_proposed > 1 else ''} accepted as proposed, whose "
                     "own errors count here (fixed labels measure the network alone)")
        self.summary.setText(text)
        for s in sorted(held, key=lambda s: s.j)[:8]:
            item = QListWidgetItem(f"frame {s.frame}   J {s.j:.3f}"
                                   + ("" if s.f is None else f"   F {s.f:.3f}{_tol(s)}"))
            item.setData(Qt.ItemDataRole.UserRole, s.frame)
            item.setForeground(j_color(s.j))
            self.worst.addItem(item)

    def scores(self) -> list[FrameScore]:
        return list(self._scores)

    def set_current_frame(self, frame: int) -> None:
        self.chart.set_current_frame(frame)

    def _worst_clicked(self, item: QListWidgetItem) -> None:
        self.frame_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

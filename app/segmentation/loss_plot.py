"""A small live plot of the training loss (left axis, linear or log) and the hold-out J (right axis, 0..1).

Painted with QPainter (no plotting library): the loss is a polyline over the steps, the hold-out J a
second polyline with dots on a fixed 0..1 axis. ``add_loss`` / ``add_holdout`` append points and repaint.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

LOSS_COLOR = QColor(255, 170, 40)
J_COLOR = QColor(90, 200, 255)
GRID_COLOR = QColor(70, 74, 82)
TEXT_COLOR = QColor(200, 204, 210)
BG_COLOR = QColor(30, 32, 37)
MAX_DRAWN = 2000  # points drawn per curve at most (decimated beyond)
DOT_RADIUS = 3
INSET = DOT_RADIUS + 2  # data map inside the frame by this much: a dot on the last step stays whole


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def step_ticks(lo: float, hi: float) -> list[float]:
    """The x axis' ticks: whole steps only (a run of 1-4 steps, or none yet, read '0 0.2 0.4 … step')."""
    return [t for t in _nice_ticks(lo, hi, 5) if float(t).is_integer()]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.1e}"
    return f"{value:.3g}"


NO_TRAINING = "no training yet"
TRAINING_EMPTY = "training: the loss curve starts with the first step"  # while a run has not stepped yet
STOPPED_EMPTY = "no loss curve: the run ended before its first step"


class LossPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._loss: list[tuple[int, float]] = []
        self._holdout: list[tuple[int, float]] = []
        self.kept: tuple[int, float] | None = None  # (step, J) of the network a run gave back for its best hold-out J
        self._log = False
        self._total_steps: int | None = None
        self._empty_text = NO_TRAINING  # drawn while there is no point (a run stored without a curve says so)
        self.setMinimumSize(240, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def empty_text(self) -> str:
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:  # drawn again when it changes (a run's end before its first step)
        self._empty_text = text
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 220)

    # -- data ----------------------------------------------------------------------------------
    def clear(self) -> None:
        self._loss.clear()
        self._holdout.clear()
        self.kept = None
        self.update()

    def add_loss(self, step: int, loss: float) -> None:
        if loss is None or not math.isfinite(float(loss)):
            return
        self._loss.append((int(step), float(loss)))
        self.update()

    def add_holdout(self, step: int, j: float) -> None:
        if j is None or not math.isfinite(float(j)):
            return
        self._holdout.append((int(step), float(j)))
        self.update()

    def set_final_holdout(self, step: int, j: float) -> None:
        """The run's final hold-out J ends the J curve (it replaces a measure at or after ``step``), so the
        header and the panel's status line quote the same number."""
        if j is None or not math.isfinite(float(j)):
            return
        self._holdout = [(s, v) for s, v in self._holdout if s < int(step)] + [(int(step), float(j))]
        self.update()

    def set_outcome(self, steps: int | None, j: float | None, kept_step: int | None = None,
                    curve: dict | None = None) -> None:
        """A run's end: its final hold-out J ``j`` ends the curve at ``steps``; or, when it gave back the network of
        ``kept_step`` (``j`` is that one's), the curve ends on its final measure as stored (``curve``'s last hold-out
        point: a walk's live plot showed the step's live measure there) and the header names the kept one."""
        if j is None:
            return
        if not kept_step:
            if steps is not None:
                self.set_final_holdout(int(steps), float(j))
            return
        last = ((curve or {}).get("holdout") or [None])[-1]
        if last is not None:
            self.set_final_holdout(int(last[0]), float(last[1]))
        self.kept = (int(kept_step), float(j))
        self.update()

    def show_stored(self, run: dict) -> None:
        """Draw a stored training run (``project.runs()`` row): its loss and hold-out curve, its final or kept
        hold-out J, and what the plot says when the run stored no curve."""
        metrics = run.get("metrics") or {}
        curve = metrics.get("curve") or {}
        for step, loss in curve.get("loss") or []:
            self.add_loss(step, loss)
        for step, j in curve.get("holdout") or []:
            self.add_holdout(step, j)
        # older runs: no curve; a run that gave back its best network ends its curve on the last measure (a review)
        self.set_outcome(metrics.get("steps"), metrics.get("holdout_J"), metrics.get("kept_step"), curve)
        scene_run = (run.get("params") or {}).get("scene_run")
        self.empty_text = f"run #{run.get('id')}: no loss curve stored" + (" (Whole scene)" if scene_run else "")

    def set_total_steps(self, total: int | None) -> None:
        """Fix the x axis to [0, total] (None: follow the data)."""
        self._total_steps = int(total) if total else None
        self.update()

    def loss_points(self) -> list[tuple[int, float]]:
        return list(self._loss)

    def holdout_points(self) -> list[tuple[int, float]]:
        return list(self._holdout)

    def log_scale(self) -> bool:
        return self._log

    def set_log_scale(self, on: bool) -> None:
        self._log = bool(on)
        self.update()

    # -- geometry ------------------------------------------------------------------------------
    def _x_range(self) -> tuple[float, float]:
        steps = [s for s, _ in self._loss] + [s for s, _ in self._holdout]
        hi = max(steps, default=1)
        if self._total_steps:
            hi = max(hi, self._total_steps)
        return 0.0, float(max(hi, 1))

    def _y_range(self) -> tuple[float, float]:
        values = [v for _, v in self._loss]
        if self._log:
            values = [math.log10(v) for v in values if v > 0]
        if not values:
            return (0.0, 1.0)
        lo, hi = min(values), max(values)
        if self._log:
            return math.floor(lo), max(math.ceil(hi), math.floor(lo) + 1)
        lo = min(0.0, lo)
        return lo, hi * 1.05 if hi > lo else lo + 1.0

    def _plot_rect(self) -> QRectF:
        """The framed plot area."""
        return QRectF(52, 22, max(10, self.width() - 52 - 40), max(10, self.height() - 22 - 26))

    def data_rect(self) -> QRectF:
        """Where the axes' ranges map: inside the frame, so points at the ends are drawn whole."""
        return self._plot_rect().adjusted(INSET, INSET, -INSET, -INSET)

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), BG_COLOR)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        frame = self._plot_rect()
        r = self.data_rect()
        x0, x1 = self._x_range()
        y0, y1 = self._y_range()

        def px(step: float) -> float:
            return r.left() + (step - x0) / (x1 - x0) * r.width()

        def py(v: float) -> float:
            return r.bottom() - (v - y0) / (y1 - y0) * r.height()

        def pj(j: float) -> float:
            return r.bottom() - min(1.0, max(0.0, j)) * r.height()

        # grid and left axis (loss)
        p.setPen(QPen(GRID_COLOR, 1, Qt.PenStyle.DotLine))
        yticks = list(range(int(y0), int(y1) + 1)) if self._log else _nice_ticks(y0, y1)
        for t in yticks:
            y = py(t)
            p.drawLine(QPointF(frame.left(), y), QPointF(frame.right(), y))
        p.setPen(LOSS_COLOR)
        for t in yticks:
            label = f"1e{int(t)}" if self._log else _fmt(t)
            p.drawText(QRectF(0, py(t) - 8, frame.left() - 5, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        # x axis
        p.setPen(TEXT_COLOR)
        for t in step_ticks(x0, x1):
            x = px(t)
            p.drawLine(QPointF(x, frame.bottom()), QPointF(x, frame.bottom() + 3))
            p.drawText(QRectF(x - 30, frame.bottom() + 4, 60, 16), Qt.AlignmentFlag.AlignHCenter, _fmt(t))
        # right axis (hold-out J)
        p.setPen(J_COLOR)
        for t in (0.0, 0.5, 1.0):
            p.drawText(QRectF(frame.right() + 4, pj(t) - 8, 36, 16),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{t:.1f}")
        # frame and legend
        p.setPen(QPen(GRID_COLOR, 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(frame)
        p.setPen(LOSS_COLOR)
        last = f" {_fmt(self._loss[-1][1])}" if self._loss else ""
        p.drawText(QRectF(frame.left(), 2, 200, 18), Qt.AlignmentFlag.AlignLeft,
                   f"loss{' (log)' if self._log else ''}{last}")
        p.setPen(J_COLOR)
        lastj = f" {self._holdout[-1][1]:.3f}" if self._holdout else " —"
        if self.kept is not None:  # the network given back: its step and J beside the last measure (a walk)
            lastj += f", kept: step {self.kept[0]}, {self.kept[1]:.3f}"
        p.drawText(QRectF(frame.right() - 200, 2, 200 + 36, 18), Qt.AlignmentFlag.AlignRight, f"hold-out J{lastj}")
        p.setPen(TEXT_COLOR)
        # the x axis' name left of its tick labels (under the loss labels), never over the last tick's
        p.drawText(QRectF(0, frame.bottom() + 4, frame.left() - 5, 16), Qt.AlignmentFlag.AlignRight, "step")

        if not self._loss and not self._holdout:
            p.drawText(frame, Qt.AlignmentFlag.AlignCenter, self._empty_text)
            p.end()
            return
        p.setClipRect(frame.adjusted(-1, -1, 1, 1))
        loss = self._loss
        if len(loss) > MAX_DRAWN:
            stride = len(loss) / MAX_DRAWN
            loss = [loss[int(i * stride)] for i in range(MAX_DRAWN)] + [loss[-1]]
        pts = []
        for s, v in loss:
            if self._log:
                if v <= 0:
                    continue
                v = math.log10(v)
            pts.append(QPointF(px(s), py(v)))
        if pts:
            p.setPen(QPen(LOSS_COLOR, 1.6))
            p.drawPolyline(QPolygonF(pts))
        if self._holdout:
            jpts = [QPointF(px(s), pj(j)) for s, j in self._holdout]
            p.setPen(QPen(J_COLOR, 1.6, Qt.PenStyle.DashLine))
            path = QPainterPath(jpts[0])
            for q in jpts[1:]:
                path.lineTo(q)
            p.drawPath(path)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(J_COLOR)
            for q in jpts:
                p.drawEllipse(q, DOT_RADIUS, DOT_RADIUS)
        p.end()

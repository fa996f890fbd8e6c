"""A layout that places its items left to right and wraps them onto a new row when the width runs out.

Panels in the narrow right-hand dock use it for rows of buttons: wide, the row stays one line; narrow,
it wraps instead of forcing the dock (and so the whole window) wider. With ``justify`` the items of each
row that may grow share the row's spare width, so a wrapped row of buttons still fills the panel.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QSizePolicy, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent=None, spacing: int = 4, justify: bool = False):
        super().__init__(parent)
        self._items: list = []
        self._justify = justify
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's item interface -----------------------------------------------------------------
    def addItem(self, item) -> None:  # (Qt)
        self._items.append(item)

    def addWidget(self, widget) -> None:  # (Qt)
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # (Qt)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # (Qt)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # (Qt)
        return Qt.Orientation(0)

    # -- sizes ---------------------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:  # (Qt)
        return True

    def heightForWidth(self, width: int) -> int:  # (Qt)
        return self._place(QRect(0, 0, width, 0), apply=False)

    def sizeHint(self) -> QSize:  # (Qt)
        """Everything on one row."""
        visible = self._visible()
        w = sum(i.sizeHint().width() for i in visible) + self.spacing() * max(0, len(visible) - 1)
        h = max((i.sizeHint().height() for i in visible), default=0)
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # (Qt)
        """As narrow as the widest single item (one item a row)."""
        visible = self._visible()
        w = max((i.minimumSize().width() for i in visible), default=0)
        h = max((i.minimumSize().height() for i in visible), default=0)
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def setGeometry(self, rect: QRect) -> None:  # (Qt)
        super().setGeometry(rect)
        self._place(rect, apply=True)

    # -- placing -----------------------------------------------------------------------------------
    def _visible(self) -> list:
        return [i for i in self._items if not i.isEmpty()]

    def _rows(self, width: int) -> list[list[tuple]]:
        """Items split into rows that fit ``width``: [(item, width, height)] per row."""
        rows: list[list[tuple]] = [[]]
        used = 0
        for item in self._visible():
            w = min(item.sizeHint().width(), width)
            w = max(w, min(item.minimumSize().width(), width))
            h = item.heightForWidth(w) if item.hasHeightForWidth() else item.sizeHint().height()
            if rows[-1] and used + self.spacing() + w > width:
                rows.append([])
                used = 0
            used += (self.spacing() if rows[-1] else 0) + w
            rows[-1].append((item, w, h))
        return [r for r in rows if r]

    def _place(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = area.y()
        for row in self._rows(max(1, area.width())):
            row_h = max(h for _i, _w, h in row)
            widths = [w for _i, w, _h in row]
            if self._justify:
                growers = [k for k, (item, _w, _h) in enumerate(row) if _can_grow(item)]
                spare = area.width() - sum(widths) - self.spacing() * (len(row) - 1)
                for j, k in enumerate(growers if spare > 0 else []):
                    widths[k] += spare // len(growers) + (1 if j < spare % len(growers) else 0)
            if apply:
                x = area.x()
                for (item, _w, h), w in zip(row, widths):
                    item.setGeometry(QRect(QPoint(x, y + (row_h - h) // 2), QSize(w, h)))
                    x += w + self.spacing()
            y += row_h + self.spacing()
        return max(0, y - self.spacing() - area.y()) + m.top() + m.bottom()


def _can_grow(item) -> bool:
    policy = item.widget().sizePolicy().horizontalPolicy() if item.widget() is not None else None
    return policy is not None and bool(policy.value & QSizePolicy.PolicyFlag.GrowFlag.value)

"""`SpanEdgeDrag`: dragging either end of the selected span in the article view.

Pressing within a few pixels of the selected span's start or end grabs that end (the pointer shows
a resize cursor over it); while dragging, the text selection previews the new range; releasing
reports the new (start, end) in code points, which the tagging panel snaps and applies as one undo
step. Only my own spans can be dragged.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from annotator.model.types import Span
from annotator.ui.offsets import OffsetMap

GRAB_PX = 5

SpanProvider = Callable[[], Span | None]
Reporter = Callable[[int, int, int], None]


class SpanEdgeDrag:
    def __init__(self, view: QPlainTextEdit, span: SpanProvider, offsets: Callable[[], OffsetMap], report: Reporter):
        self._view = view
        self._span = span
        self._offsets = offsets
        self._report = report
        self._grab: tuple[Span, str] | None = None

    @property
    def dragging(self) -> bool:
        return self._grab is not None

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        hit = self._edge_at(event.position().toPoint())
        if hit is None:
            return False
        self._grab = hit
        self._view.viewport().setCursor(Qt.CursorShape.SizeHorCursor)
        return True

    def move(self, event: QMouseEvent) -> bool:
        point = event.position().toPoint()
        if self._grab is None:
            over = event.buttons() == Qt.MouseButton.NoButton and self._edge_at(point) is not None
            shape = Qt.CursorShape.SizeHorCursor if over else Qt.CursorShape.IBeamCursor
            if self._view.viewport().cursor().shape() != shape:
                self._view.viewport().setCursor(shape)
            return False
        start, end = self._range(point)
        offsets = self._offsets()
        cursor = self._view.textCursor()
        cursor.setPosition(offsets.to_utf16(start))
        cursor.setPosition(offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self._view.setTextCursor(cursor)
        return True

    def release(self, event: QMouseEvent) -> bool:
        if self._grab is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        span = self._grab[0]
        start, end = self._range(event.position().toPoint())
        self._grab = None
        self._view.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        cursor = self._view.textCursor()
        cursor.clearSelection()
        self._view.setTextCursor(cursor)
        if (start, end) != (span.start, span.end) and start < end:
            self._report(span.id, start, end)
        return True

    def _range(self, point: QPoint) -> tuple[int, int]:
        assert self._grab is not None
        span, edge = self._grab
        pos = self._offsets().to_cp(self._view.cursorForPosition(point).position())
        start, end = (pos, span.end) if edge == "start" else (span.start, pos)
        return (min(start, end), max(start, end))

    def _edge_at(self, point: QPoint) -> tuple[Span, str] | None:
        span = self._span()
        if span is None:
            return None
        offsets = self._offsets()
        for edge, cp in (("start", span.start), ("end", span.end)):
            cursor = QTextCursor(self._view.document())
            cursor.setPosition(offsets.to_utf16(cp))
            rect = self._view.cursorRect(cursor)
            if abs(point.x() - rect.center().x()) <= GRAB_PX and rect.top() <= point.y() <= rect.bottom():
                return span, edge
        return None

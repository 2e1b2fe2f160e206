"""`ArticleSearch`: the search term's matches in the article — framed, stepped with F3.

The document list's search box decides the term; this object finds its occurrences in the open
document (`model.search.find_matches`), frames them in the article view (an outline over the text,
so the span colours under a match still show), and selects the next or previous one (F3 /
Shift+F3), so a label key can tag a match at once: that one is framed heavier, its selection
unfilled. Esc clears the frames (`clear_highlights`) and keeps the term: F3 shows them again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from annotator.model.search import find_matches, next_match
from annotator.ui.context import AppContext
from annotator.ui.widgets.article_view import ArticleViewWidget

# A dark violet frame: no label's pastel fill is near it, and as an outline it neither hides a
# span's fill nor blends with it into another label's colour (a translucent orange fill did: over a
# source it turned olive, and alone it looked like a claim; an opaque violet fill hid the spans).
MATCH_COLOR = QColor(88, 28, 135)


class ArticleSearch(QObject):
    message_posted = Signal(str)

    def __init__(self, ctx: AppContext, view: ArticleViewWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._query = ""
        self.matches: list[tuple[int, int]] = []
        ctx.document_opened.connect(self._on_ctx_document_opened)

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, query: str) -> None:
        self._query = query.strip()
        self._refresh()

    def clear_highlights(self) -> bool:
        """Take the frames away (Esc); the term stays, for F3. False when none were shown."""
        if not self._view.find_ranges():
            return False
        self._view.set_find_ranges((), MATCH_COLOR)
        return True

    def step(self, forward: bool = True) -> bool:
        """Select the next (or previous) match after the cursor and show it."""
        if not self._query:
            self.message_posted.emit("Type a search term first (Ctrl+F).")
            return False
        self._view.set_find_ranges(self.matches, MATCH_COLOR)
        cursor = self._view.textCursor()
        offsets = self._view.offsets()
        here = offsets.to_cp(cursor.selectionStart() if cursor.hasSelection() else cursor.position())
        if not cursor.hasSelection() and forward:
            here -= 1  # a match right at the cursor counts as the next one
        match = next_match(self.matches, here, forward)
        if match is None:
            self.message_posted.emit(f"“{self._query}” does not occur in this document.")
            return False
        # Selected, so a label key tags it at once; framed heavier than the others, and its selection
        # is not filled (ArticlePage), so the colour of a span under it still shows.
        self._view.set_find_ranges(self.matches, MATCH_COLOR, match)
        self._view.select_cp(*match)
        self._view.ensureCursorVisible()
        number = self.matches.index(match) + 1
        self.message_posted.emit(f"Match {number} of {len(self.matches)} for “{self._query}” (F3 / Shift+F3)")
        return True

    def _refresh(self) -> None:
        self.matches = find_matches(self._view.document_text(), self._query)
        self._view.set_find_ranges(self.matches, MATCH_COLOR)

    def _on_ctx_document_opened(self, _doc_id: int) -> None:
        self._refresh()

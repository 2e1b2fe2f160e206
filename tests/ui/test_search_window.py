"""The Search window on the real main window: Ctrl+Shift+F, typing, filters, Enter opens the document
at the match, Ctrl+Alt+F finds a span's text elsewhere, and the search runs off the GUI thread."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.model.changes import Changes
from annotator.services import documents
from annotator.ui.dialogs import search_window as search_window_module
from annotator.ui.dialogs.search_window import SearchWindow
from annotator.ui.main_window import MainWindow
from tests.helpers import add_texts
from tests.ui.test_main_window import make_span

FILLER = "Nothing of note happened in the capital today. " * 120
LONG = FILLER + "The grain corridor deal was extended, officials said. " + FILLER


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    add_texts(win.ctx.project, LONG, "A second grain corridor story.\nGrain-corridor talks.")
    win.ctx.notify(Changes(documents=True))
    win.article_view.setFocus()
    yield win


def press(qtbot: QtBot, key: Qt.Key | str, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, mod)


def open_search(qtbot: QtBot, win: MainWindow) -> SearchWindow:
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    found = win.findChild(SearchWindow, "search_window")
    assert isinstance(found, SearchWindow) and found.isVisible()
    qtbot.waitUntil(lambda: found.query_edit.hasFocus())
    return found


def scan(win: MainWindow, phrase: str) -> list[tuple[int, int, int]]:
    """Every occurrence, by reading every document: the reference the window must agree with."""
    words = [re.escape(w) for w in re.findall(r"[^\W_]+", phrase)]
    pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(words) + r"(?![^\W_])", re.IGNORECASE)
    out = []
    for doc_id in documents.document_ids(win.ctx.project):
        text = documents.load_view(win.ctx.project, doc_id, 0).document.text
        out += [(doc_id, m.start(), m.end()) for m in pattern.finditer(text)]
    return out


def results(window: SearchWindow) -> list[tuple[int, int, int]]:
    hits = [window.hit(row) for row in range(window.model.rowCount())]
    return [(h.doc_id, h.start, h.end) for h in hits if h is not None]


def test_ctrl_shift_f_type_enter_then_enter_opens_the_document_at_the_match(qtbot: QtBot, window: MainWindow) -> None:
    search = open_search(qtbot, window)
    qtbot.keyClicks(search.query_edit, "GRAIN corridor")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not search.searching and search.model.rowCount() > 0)
    expected = scan(window, "grain corridor")
    assert len(expected) == 3 and results(search) == expected
    assert search.model.item(0, 2).text() == "grain corridor"
    assert "3 results in 2 documents" in search.message.text()
    press(qtbot, Qt.Key.Key_Down)  # from the query line into the results
    assert search.results.hasFocus()
    press(qtbot, Qt.Key.Key_Return)
    doc_id, start, end = expected[0]
    assert window.ctx.current_doc_id == doc_id
    view = window.article_view
    assert view.selection_cp() == (start, end)
    assert view.document_text()[start:end] == "grain corridor"
    assert view.viewport().rect().contains(view.cursorRect().center())  # scrolled to it
    qtbot.waitUntil(view.hasFocus)  # the keys go to the article: a label key tags the match


def test_label_filter_keeps_matches_inside_my_claims(qtbot: QtBot, window: MainWindow) -> None:
    doc_id = add_texts(window.ctx.project, "Talks stalled. Officials said talks would resume soon.")[0]
    window.ctx.notify(Changes(documents=True))
    window.open_document(doc_id)
    make_span(qtbot, window, "Officials said talks would resume soon", "c")
    search = open_search(qtbot, window)
    qtbot.keyClicks(search.query_edit, "talks")
    search.label_box.setCurrentIndex(search.label_box.findText("claim"))
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not search.searching and search.model.rowCount() > 0)
    text = window.article_view.document_text()
    assert results(search) == [(doc_id, text.index("talks"), text.index("talks") + 5)]
    assert search.model.item(0, 4).text() == f"claim ({window.ctx.annotator.name})"
    search.label_box.setCurrentIndex(search.label_box.findText("source"))
    search.run_search()
    qtbot.waitUntil(lambda: not search.searching)
    assert results(search) == [] and search.message.text().startswith("0 results")


def test_ctrl_alt_f_finds_the_selected_spans_text_elsewhere(qtbot: QtBot, window: MainWindow) -> None:
    ids = documents.document_ids(window.ctx.project)
    window.open_document(ids[-1])
    make_span(qtbot, window, "grain corridor story", "c")
    window.article_view.setFocus()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    search = window.findChild(SearchWindow, "search_window")
    assert isinstance(search, SearchWindow)
    assert search.query_edit.text() == "grain corridor story"
    qtbot.waitUntil(lambda: not search.searching and search.model.rowCount() > 0)
    assert results(search) == scan(window, "grain corridor story")


def test_a_long_search_leaves_the_window_responsive(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = search_window_module.hits_by_document

    def slow_search(*args: Any, **kwargs: Any) -> Iterator[Any]:
        release.wait(10)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(search_window_module, "hits_by_document", slow_search)
    search = open_search(qtbot, window)
    qtbot.keyClicks(search.query_edit, "corridor")
    press(qtbot, Qt.Key.Key_Return)
    assert search.searching and search.message.text() == "Searching…"
    qtbot.keyClicks(search.query_edit, " deal")  # the GUI thread takes keys while the search runs
    assert search.query_edit.text() == "corridor deal"
    assert search.searching
    release.set()
    qtbot.waitUntil(lambda: not search.searching)
    assert results(search) == scan(window, "corridor")


def test_results_show_as_they_are_found_and_cancel_keeps_them(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_texts(window.ctx.project, *[f"Story {i}: the corridor again." for i in range(120)])
    window.ctx.notify(Changes(documents=True))
    real = search_window_module.hits_by_document

    def slow_after_the_first(project: Any, filters: Any, width: int, cancelled: Any) -> Iterator[Any]:
        for found in real(project, filters, width, cancelled):
            yield found
            if found:  # hold the worker after the first document with results, until Cancel
                deadline = time.monotonic() + 10
                while not cancelled() and time.monotonic() < deadline:
                    time.sleep(0.01)

    monkeypatch.setattr(search_window_module, "hits_by_document", slow_after_the_first)
    search = open_search(qtbot, window)
    qtbot.keyClicks(search.query_edit, "corridor")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.model.rowCount() > 0)
    first = scan(window, "corridor")[:1]
    assert search.searching and results(search) == first  # shown while the search goes on
    assert search.message.text() == "Searching… 1 result so far"
    assert search.cancel_button.isEnabled()
    qtbot.mouseClick(search.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not search.searching)
    assert results(search) == first
    assert search.message.text().startswith("Stopped: 1 result in 1 document so far")
    assert not search.cancel_button.isEnabled()
    monkeypatch.setattr(search_window_module, "hits_by_document", real)
    qtbot.keyClick(search.query_edit, Qt.Key.Key_Return)  # the whole search again: every match, once
    qtbot.waitUntil(lambda: not search.searching)
    assert results(search) == scan(window, "corridor") and len(results(search)) > 120


def test_opening_a_result_the_list_filter_hides_clears_the_filter_and_selects_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The document list filtered to the seed articles (typed in its search box) hides the grain
    stories; opening one from the Search window lists and selects it and says the filter went."""
    lst = window.document_list
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # the list's search box
    qtbot.keyClicks(lst.search_edit, "Zelensky")
    press(qtbot, Qt.Key.Key_Return)
    grain = {doc_id for doc_id, _s, _e in scan(window, "grain corridor")}
    assert lst.model.doc_ids() and not grain & set(lst.model.doc_ids())
    search = open_search(qtbot, window)
    qtbot.keyClicks(search.query_edit, "grain corridor")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not search.searching and search.model.rowCount() > 0)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    doc_id = window.ctx.current_doc_id
    assert doc_id in grain
    assert lst.search_edit.text() == "" and lst.status_combo.currentIndex() == 0
    current = lst.list_view.currentIndex()
    assert current.isValid() and lst.model.doc_ids()[current.row()] == doc_id
    assert lst.list_view.selectionModel().isSelected(current)
    assert "filter cleared" in window.status.currentMessage()
    start, end = window.article_view.selection_cp()  # type: ignore[misc]
    assert window.article_view.document_text()[start:end].lower() == "grain corridor"


def test_a_filter_only_search_lists_whole_documents_with_their_opening(qtbot: QtBot, window: MainWindow) -> None:
    """No words, only a status: every document with that status is one row that says it is the whole
    document (not an empty match) and shows the document's opening; Enter opens it."""
    search = open_search(qtbot, window)
    press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # Stat&us
    assert search.status_box.hasFocus()
    search.status_box.setCurrentIndex(search.status_box.findText("not_started"))
    search.query_edit.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not search.searching and search.model.rowCount() > 0)
    ids = documents.document_ids(window.ctx.project)
    assert [h.doc_id for h in (search.hit(r) for r in range(search.model.rowCount())) if h] == ids
    for row, doc_id in enumerate(ids):
        text = documents.load_view(window.ctx.project, doc_id, 0).document.text
        assert search.model.item(row, 1).text() == ""
        assert search.model.item(row, 2).text() == "whole document"
        assert search.model.item(row, 2).font().italic()
        opening = search.model.item(row, 3).text()
        assert opening and " ".join(text.split()).startswith(" ".join(opening.rstrip("…").split()))
    search.results.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert window.ctx.current_doc_id == ids[1]

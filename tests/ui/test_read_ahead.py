"""Switching documents (issue 14): once the event loop has turned after a switch, the window has read
the next document in the list ahead, and a view read before is kept until a change could have
touched it. Whatever is reused, the window must show exactly what the store holds.

Random walks through the real main window by key presses: Alt+Right / Alt+Left, Ctrl+Enter (done
and next), a span added by selection and a label key, Delete, Ctrl+Z; and another connection writing
in my layer on the document that was read ahead (another window of mine; the live feed brings it
in). After every step the article view and the tagging panel are compared with a full read of the
store. On a project file and on the PostgreSQL server."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.services import annotations as svc
from annotator.services import documents, team
from annotator.services.project import Project
from tests.helpers import add_texts
from tests.ui.test_incremental_view import _assert_as_stored, _open, _random_spans, _texts
from tests.ui.test_main_window import key, progress_reads

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def setup(project_location: Path | str) -> Iterator[tuple[Path | str, list[int], str]]:
    """Three articles (unbroken, paragraphs, unbroken again) with 30 of my spans each."""
    project = Project.open(project_location)
    unbroken, paragraphs = _texts()
    docs = add_texts(project, unbroken, paragraphs, unbroken[::-1], same_text_twice=True)
    name = team.login_name(project) or "alice"
    me = project.annotator(name).id
    _random_spans(project, docs, me, 30, random.Random(5))
    project.close()
    yield project_location, docs, name


def test_the_next_document_is_read_ahead_and_a_switch_shows_it_as_stored(
    qtbot: QtBot, setup: tuple[Path | str, list[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    location, docs, name = setup
    win = _open(qtbot, location, docs[0], None)
    me = win.ctx.annotator.id
    assert win.ctx.annotator.name == name
    reads: list[int] = []
    real_load = documents.load_view

    def counted(project: Project, doc_id: int, *args: object, **kw: object) -> documents.DocumentView:
        reads.append(doc_id)
        return real_load(project, doc_id, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "load_view", counted)
    # After a switch, the next turn of the event loop reads the next document of the list.
    qtbot.wait(1)
    key(qtbot, win, Qt.Key.Key_Right, ALT)
    assert win.ctx.current_doc_id == docs[1]
    qtbot.waitUntil(lambda: docs[2] in reads)
    reads.clear()
    # An edit here names this document only: the next one read ahead stays as read.
    win.article_view.select_cp(10, 30)
    key(qtbot, win, "c")
    key(qtbot, win, Qt.Key.Key_Right, ALT)
    assert win.ctx.current_doc_id == docs[2]
    assert docs[2] not in reads  # the switch found it read
    _assert_as_stored(win, "switched to the document read ahead")
    qtbot.wait(10)
    reads.clear()
    key(qtbot, win, Qt.Key.Key_Return, CTRL)  # done, and the next unfinished one wraps round
    assert win.ctx.current_doc_id == docs[0]
    assert docs[0] not in reads  # read when the window opened, and untouched since
    _assert_as_stored(win, "switched to the first document, read before")

    other = Project.open(location)  # another window of mine writes in my layer meanwhile
    rng = random.Random(11)
    try:
        for step in range(40):
            qtbot.wait(1)  # the loop turns: the next document is read ahead
            text = win.article_view.document_text()
            roll = rng.random()
            if roll < 0.25:
                key(qtbot, win, Qt.Key.Key_Right, ALT)
                kind = "next"
            elif roll < 0.35:
                key(qtbot, win, Qt.Key.Key_Left, ALT)
                kind = "previous"
            elif roll < 0.45:
                key(qtbot, win, Qt.Key.Key_Return, CTRL)
                kind = "done and next"
            elif roll < 0.65:
                start = rng.randrange(0, len(text) - 50)
                win.article_view.setFocus()
                win.article_view.select_cp(start, start + rng.randint(4, 45))
                key(qtbot, win, rng.choice("cs"))
                kind = "add"
            elif roll < 0.75:
                mine = [s for s in win.article_view.spans() if s.annotator_id == me]
                if not mine:
                    continue
                win.ctx.select_span(rng.choice(mine).id)
                win.article_view.setFocus()
                key(qtbot, win, Qt.Key.Key_Delete)
                kind = "delete"
            elif roll < 0.85:
                key(qtbot, win, Qt.Key.Key_Z, CTRL)
                kind = "undo"
            else:
                # my other window adds a span on the document read ahead; the live feed tells this one
                current = win.ctx.current_doc_id
                assert current is not None
                following = win.document_list.next_doc_id(current)
                if following is None:  # the last one: Alt+Right stays
                    key(qtbot, win, Qt.Key.Key_Left, ALT)
                    _assert_as_stored(win, f"step {step}: previous")
                    continue
                target = documents.load_view(other, following, me).document.text
                start = rng.randrange(0, len(target) - 30)
                with qtbot.waitSignal(win.ctx.changed, timeout=20_000):
                    svc.add_span(other, following, me, "claim", start, start + 12)
                key(qtbot, win, Qt.Key.Key_Right, ALT)
                assert win.ctx.current_doc_id == following
                kind = "other window, then next"
            _assert_as_stored(win, f"step {step}: {kind}")
    finally:
        other.close()
        win.close()


def test_a_colleagues_layer_is_read_again_after_they_wrote_on_a_document_not_shown(
    qtbot: QtBot, setup: tuple[Path | str, list[int], str]
) -> None:
    location, docs, _name = setup
    project = Project.open(location)
    bob = project.annotator("bob").id
    project.close()
    win = _open(qtbot, location, docs[0], None)
    me = win.ctx.annotator.id
    win.layers_panel.show_layers([me, bob])
    assert win.article_view.visible_layers == [me, bob]
    key(qtbot, win, Qt.Key.Key_Right, ALT)  # bob's layer of the second document is read
    key(qtbot, win, Qt.Key.Key_Left, ALT)
    qtbot.wait(10)
    win.article_view.select_cp(10, 30)
    key(qtbot, win, "c")  # an edit here: the view of the second document is kept for later
    colleague = Project.open(location)  # bob writes on the second document, not shown here
    try:
        text = documents.load_view(colleague, docs[1], bob).document.text
        new, _ = svc.add_span(colleague, docs[1], bob, "claim", len(text) // 2, len(text) // 2 + 15)
    finally:
        colleague.close()
    key(qtbot, win, Qt.Key.Key_Right, ALT)
    assert win.ctx.current_doc_id == docs[1]
    assert win.article_view.visible_layers == [me, bob]
    assert any(s.id == new.id for s in win.article_view.spans())
    _assert_as_stored(win, "bob's layer after bob wrote on the document")
    win.close()


def test_forget_documents_reads_each_document_anew_but_keeps_the_progress_count(
    qtbot: QtBot, setup: tuple[Path | str, list[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the benchmarks' "switch to a document not read before" does: the window forgets the
    documents it read, not what a first switch in a session would still hold (the progress count)."""
    location, ids, _me = setup
    win = _open(qtbot, location, ids[0], None)
    ctx = win.ctx
    first = ctx.view(ids[0])
    assert ctx.view(ids[0]) is first
    ctx.progress()
    counted = progress_reads(monkeypatch)
    ctx.forget_documents()
    assert ctx.view(ids[0]) is not first
    ctx.progress()
    assert counted == []
    ctx.forget_views()
    ctx.progress()
    assert len(counted) == 1

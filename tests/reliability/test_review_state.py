"""Review and view state stay true: reject, undo, redo keeps the reviewer as the author of the
rejection, and importing annotations for the open document shows them in the article (driven by
keys in the real main window)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.services.alignment import SpanItem
from annotator.store import rejections
from annotator.ui.main_window import MainWindow
from tests.ui.test_review import SINGLE, enter_review, files, go_to, item_of, merged, press, window  # noqa: F401


def _rejection_authors(win: MainWindow) -> list[tuple[str, str]]:
    doc_id = win.ctx.current_doc_id
    assert doc_id is not None
    names = {a.id: a.name for a in win.ctx.project.annotators()}
    with win.ctx.project.session() as s:
        return [(key, names[author]) for key, author in rejections.rejections_by_author(s, doc_id)]


def test_reject_undo_redo_keeps_the_reviewer_as_author(qtbot: QtBot, merged: MainWindow, tmp_path: Path) -> None:  # noqa: F811
    enter_review(qtbot, merged)
    single = item_of(merged, SpanItem, lambda i: i.text.startswith(SINGLE))
    go_to(qtbot, merged, single)
    press(qtbot, merged, Qt.Key.Key_X)
    assert _rejection_authors(merged) == [(single, "rita")]
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _rejection_authors(merged) == []
    press(qtbot, merged, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _rejection_authors(merged) == [(single, "rita")]


def test_importing_annotations_for_the_open_document_refreshes_the_article(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from PySide6.QtWidgets import QFileDialog

    from tests.ui.test_main_window import CLAIM_WORDS, stored

    win = build_main_window(tmp_path / "p.db", annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.ctx.current_doc_id is not None)
    assert win.article_view.spans() == ()
    doc = stored(win).document
    start = doc.text.index(CLAIM_WORDS)
    span = {"id": "s1", "label": "claim", "start": start, "end": start + len(CLAIM_WORDS), "text": CLAIM_WORDS}
    line = {
        "document": {"id": doc.info.ext_id, "sha256": doc.info.sha256, "text": doc.text},
        "annotator": "alice",
        "spans": [span],
    }
    source = tmp_path / "alice.jsonl"
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(source)], "")))
    with qtbot.waitSignal(win.files.import_finished, timeout=20000) as blocker:
        win.action_map["import_files"].trigger()
    assert [str(r) for r in blocker.args[0].rejected] == []
    assert [(s.start, s.end) for s in win.article_view.spans()] == [(span["start"], span["end"])]

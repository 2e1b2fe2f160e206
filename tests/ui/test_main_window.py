"""End-to-end tests of the real main window, driven as a user would: mouse drags over the article,
the keyboard shortcuts of the action table, the menus and dialogs. Each edit is checked in the store
(widget -> store) and in the widgets after undo/redo (store -> widget)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from annotator.app import build_main_window
from annotator.model.changes import Changes
from annotator.model.snapping import snap_selection
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.project import Project
from annotator.ui.dialogs.export_dialog import ExportDialog
from annotator.ui.main_window import MainWindow
from annotator.ui.widgets.article_view import ArticleViewWidget

CLAIM_WORDS = "allies must provide"


@pytest.fixture
def window(qtbot: QtBot, project_location: Path | str) -> Iterator[MainWindow]:
    """The real window on a project seeded with the bundled corpus (5 articles), annotator alice
    (on a server, the login), on a project file and on the PostgreSQL server (tests/conftest.py)."""
    win = build_main_window(project_location, annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.article_view.setFocus()
    yield win


def me(win: MainWindow) -> int:
    """My annotator id, recorded in the project (opening it records nobody)."""
    return win.ctx.recorded_annotator().id


def stored(win: MainWindow) -> documents.DocumentView:
    assert win.ctx.current_doc_id is not None
    return documents.load_view(win.ctx.project, win.ctx.current_doc_id, me(win))


def point_at(view: ArticleViewWidget, cp: int) -> QPoint:
    """Viewport position just right of the left edge of character `cp`."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.offsets().to_utf16(cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.left() + 2, rect.center().y())


def drag_select(qtbot: QtBot, view: ArticleViewWidget, start: int, end: int) -> None:
    """Press at `start`, move to `end`, release: a mouse selection over the article."""
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=point_at(view, start))
    qtbot.mouseMove(vp, point_at(view, (start + end) // 2))
    qtbot.mouseMove(vp, point_at(view, end))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=point_at(view, end))


def click_cp(qtbot: QtBot, view: ArticleViewWidget, cp: int) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, cp))


def key(
    qtbot: QtBot, win: MainWindow, k: Qt.Key | str, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press on the widget with focus (shortcuts resolve from there, as for a user)."""
    target = QApplication.focusWidget() or win.article_view
    qtbot.keyClick(target, k, mod)


def make_span(qtbot: QtBot, win: MainWindow, words: str, label_key: str, occurrence: int = 0) -> int:
    """Drag over `words` (from inside the first word to inside the last: snapping completes them)
    and press the label key. Returns the new span id (now selected)."""
    text = win.article_view.document_text()
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    end = start + len(words)
    win.article_view.setFocus()
    drag_select(qtbot, win.article_view, start + 1, end - 1)
    assert win.article_view.selection_cp() == (start + 1, end - 1)
    key(qtbot, win, label_key)
    assert win.ctx.selected_span_id is not None
    return win.ctx.selected_span_id


def test_select_text_and_press_c_makes_a_claim_with_snapped_offsets_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    text = window.article_view.document_text()
    start = text.index(CLAIM_WORDS)
    end = start + len(CLAIM_WORDS)
    window.article_view.setFocus()
    drag_select(qtbot, window.article_view, start + 2, end - 2)  # mid-word to mid-word
    key(qtbot, window, Qt.Key.Key_C)
    (span,) = stored(window).spans
    assert (span.label, span.start, span.end, span.text) == ("claim", start, end, CLAIM_WORDS)
    assert (span.start, span.end) == snap_selection(text, start + 2, end - 2)
    assert window.ctx.selected_span_id == span.id
    assert window.tag_panel.table.model().rowCount() == 1
    assert "Saved" in window.status.saved_label.text()

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(window).spans == ()
    assert window.article_view.spans() == ()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    (again,) = stored(window).spans
    assert (again.id, again.start, again.end) == (span.id, start, end)
    assert [s.id for s in window.article_view.spans()] == [span.id]


def test_set_attributes_with_the_keyboard_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    span_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    combo = window.tag_panel.span_editor.attributes.editor("claim_type")
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    qtbot.keyClick(combo, "o")  # keyboard search in the combo: "opinion"
    assert stored(window).spans[0].attributes["claim_type"] == "opinion"
    checkworthy = window.tag_panel.span_editor.attributes.editor("checkworthy")
    assert isinstance(checkworthy, QComboBox)
    checkworthy.setFocus()
    qtbot.keyClick(checkworthy, "y")
    assert dict(stored(window).spans[0].attributes) == {"claim_type": "opinion", "checkworthy": "yes"}

    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dict(stored(window).spans[0].attributes) == {"claim_type": "opinion"}
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dict(stored(window).spans[0].attributes) == {}
    assert window.ctx.selected_span_id in (span_id, None)
    window.ctx.select_span(span_id)
    assert combo.currentData() in ("", None)  # the editor shows the store's value again
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert dict(stored(window).spans[0].attributes) == {"claim_type": "opinion"}


def test_typing_a_source_name_does_not_fire_single_key_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    make_span(qtbot, window, "President Zelensky", "s")
    canonical = window.tag_panel.span_editor.attributes.editor("canonical")
    assert canonical is not None and not isinstance(canonical, QComboBox)
    canonical.setFocus()
    qtbot.keyClicks(canonical, "Volodymyr Zelensky 1234 cast")
    qtbot.keyClick(canonical, Qt.Key.Key_Backspace)
    qtbot.keyClick(canonical, Qt.Key.Key_Return)
    (span,) = stored(window).spans  # no extra span from "c"/"s", no stance from the digits
    assert span.attributes["canonical"] == "Volodymyr Zelensky 1234 cas"
    assert stored(window).stances == ()


def test_link_claim_to_source_by_key_and_click_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    source_id = make_span(qtbot, window, "President Zelensky", "s")
    claim_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    key(qtbot, window, Qt.Key.Key_A)
    assert window.ctx.link_pending
    source = next(s for s in stored(window).spans if s.id == source_id)
    click_cp(qtbot, window.article_view, source.start + 3)
    (rel,) = stored(window).relations
    assert (rel.type, rel.from_span, rel.to_span) == ("attributed_to", claim_id, source_id)
    assert not window.ctx.link_pending

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(window).relations == ()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [(r.from_span, r.to_span) for r in stored(window).relations] == [(claim_id, source_id)]


def test_escape_cancels_a_pending_link_then_clears_the_selection(qtbot: QtBot, window: MainWindow) -> None:
    make_span(qtbot, window, CLAIM_WORDS, "c")
    key(qtbot, window, Qt.Key.Key_A)
    assert window.ctx.link_pending
    key(qtbot, window, Qt.Key.Key_Escape)
    assert not window.ctx.link_pending and window.ctx.selected_span_id is not None
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.ctx.selected_span_id is None


def test_document_stance_with_number_keys_and_target_cycling_undo_redo(qtbot: QtBot, window: MainWindow) -> None:
    scheme = window.ctx.project.scheme
    first, second = scheme.target_names[:2]
    key(qtbot, window, Qt.Key.Key_1)
    assert {(s.target, s.value) for s in stored(window).stances} == {(first, scheme.stance_values[0])}
    key(qtbot, window, Qt.Key.Key_T)
    key(qtbot, window, Qt.Key.Key_2)
    assert {(s.target, s.value) for s in stored(window).stances} == {
        (first, scheme.stance_values[0]),
        (second, scheme.stance_values[1]),
    }
    assert all(s.span_id is None for s in stored(window).stances)

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert {(s.target, s.value) for s in stored(window).stances} == {(first, scheme.stance_values[0])}
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(stored(window).stances) == 2


def test_delete_key_removes_the_selected_span_and_undo_restores_it(qtbot: QtBot, window: MainWindow) -> None:
    span_id = make_span(qtbot, window, CLAIM_WORDS, "c")
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Delete)
    assert stored(window).spans == ()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.id for s in stored(window).spans] == [span_id]
    window.ctx.select_span(span_id)
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Backspace)
    assert stored(window).spans == ()


def test_ctrl_enter_marks_done_and_opens_the_next_unfinished(qtbot: QtBot, window: MainWindow) -> None:
    ids = documents.document_ids(window.ctx.project)
    assert window.ctx.current_doc_id == ids[0]
    svc.set_status(window.ctx.project, ids[1], me(window), Status.DONE)  # done already: skipped
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert documents.load_view(window.ctx.project, ids[0], me(window)).status.status == Status.DONE
    assert window.ctx.current_doc_id == ids[2]
    assert window.article_view.document_text().startswith(
        documents.load_view(window.ctx.project, ids[2], me(window)).document.text[:40]
    )
    assert window.status.progress_label.text() == "2 of 5 done"
    assert window.document_list.list_view.currentIndex().row() == 2

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo survives the switch
    assert documents.load_view(window.ctx.project, ids[0], me(window)).status.status != Status.DONE
    assert window.status.progress_label.text() == "1 of 5 done"


def test_ctrl_enter_in_a_filtered_list_stays_in_the_filter_and_says_when_it_is_all_done(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The trial: with the list filtered, Done and next opened a document the filter hides (the list
    then showed nothing selected); a filtered list is the work queue."""
    ids = documents.document_ids(window.ctx.project)
    project, mine = window.ctx.project, me(window)
    for doc in (ids[1], ids[3]):
        svc.add_span(project, doc, mine, "claim", 0, 5)
    window.document_list.set_status_filter(Status.IN_PROGRESS)
    qtbot.waitUntil(lambda: window.document_list.model.rowCount() == 2)
    window.document_list.select_doc(ids[1])
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.ctx.current_doc_id == ids[3]
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert documents.load_view(project, ids[3], mine).status.status == Status.DONE
    assert window.ctx.current_doc_id == ids[3]  # not ids[4], which the filter hides
    assert "filtered list" in window.statusBar().currentMessage()


def progress_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, the annotator id of every read of the progress count ("n of m done")."""
    counted: list[int] = []
    real = documents.progress

    def progress(project: Project, annotator_id: int) -> documents.Progress:
        counted.append(annotator_id)
        return real(project, annotator_id)

    monkeypatch.setattr(documents, "progress", progress)
    return counted


def test_the_progress_count_is_read_again_only_when_a_done_mark_may_have_changed(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding, deleting and restoring a span move the document between not started and in progress,
    never to or from done: the status bar's "n of m done" stands without counting again (two counts
    over every document, on a server too); marking done and its undo count again."""
    window.ctx.recorded_annotator()  # my first edit in the project records me (and counts, once)
    counted = progress_reads(monkeypatch)
    make_span(qtbot, window, CLAIM_WORDS, "c")
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Delete)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(stored(window).spans) == 1 and stored(window).status.status == Status.IN_PROGRESS
    assert counted == [] and window.status.progress_label.text() == "0 of 5 done"
    key(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert counted and window.status.progress_label.text() == "1 of 5 done"
    counted.clear()
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert counted and window.status.progress_label.text() == "0 of 5 done"


def test_alt_left_and_right_move_through_the_list(qtbot: QtBot, window: MainWindow) -> None:
    ids = documents.document_ids(window.ctx.project)
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[2]
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[1]
    assert window.document_list.list_view.currentIndex().row() == 1
    assert window.windowTitle().startswith(
        documents.list_rows(window.ctx.project, [ids[1]], me(window))[ids[1]].info.title
    )


def test_alt_right_at_the_end_of_the_list_and_alt_left_at_its_start_say_so(qtbot: QtBot, window: MainWindow) -> None:
    """Trial 2: Alt+Right in a list of one document did nothing and said nothing."""
    ids = documents.document_ids(window.ctx.project)
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[0]
    assert window.status.currentMessage() == "This is the first document in the list."
    window.open_document(ids[-1])
    window.article_view.setFocus()
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[-1]
    assert window.status.currentMessage() == "This is the last document in the list."


def test_search_filter_from_ctrl_f(qtbot: QtBot, window: MainWindow) -> None:
    key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.document_list.search_edit
    assert search.hasFocus()
    qtbot.keyClicks(search, "Zelenskiy")
    model = window.document_list.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert "Zelenskiy" in model.data(model.index(0, 0))
    assert stored(window).spans == () and stored(window).stances == ()  # letters went to the box
    search.clear()
    qtbot.waitUntil(lambda: model.rowCount() == 5)


def test_export_jsonl_through_the_menu_and_read_it_back(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    make_span(qtbot, window, CLAIM_WORDS, "c")
    key(qtbot, window, Qt.Key.Key_1)
    file_menu = window.menus["File"]
    assert window.action_map["export"] in file_menu.actions()
    window.action_map["export"].trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    out = tmp_path / "out.jsonl"
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(out))
    with qtbot.waitSignal(window.files.export_finished, timeout=20000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in records if r["annotator"] == window.ctx.annotator.name]  # on a server, the login
    assert len(mine) == 1
    (span,) = mine[0]["spans"]
    assert (span["label"], span["text"]) == ("claim", CLAIM_WORDS)
    assert span["text"] == mine[0]["document"]["text"][span["start"] : span["end"]]
    assert {s["target"] for s in mine[0]["stances"]} == {window.ctx.project.scheme.target_names[0]}
    assert "Exported" in window.status.currentMessage()


def test_export_csv_through_the_menu(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    make_span(qtbot, window, CLAIM_WORDS, "c")
    window.action_map["export"].trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    dialog.path_edit.setText(str(tmp_path / "csv"))
    with qtbot.waitSignal(window.files.export_finished, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    import csv

    with (tmp_path / "csv" / "spans.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["label"], r["text"]) for r in rows] == [("claim", CLAIM_WORDS)]


def test_import_through_the_menu_reports_and_lists_the_new_document(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "new.txt"
    article.write_text("A brand new headline\n\nBody text of the new article. 🇺🇦 Emoji survive.\n", encoding="utf-8")
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(article)], "")))
    with qtbot.waitSignal(window.files.import_finished, timeout=20000) as blocker:
        key(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].documents_added == 1
    qtbot.waitUntil(lambda: window.document_list.model.rowCount() == 6)
    assert window.status.progress_label.text() == "0 of 6 done"
    box = window.findChild(QMessageBox, "import_report_box")
    assert box is not None and box.isVisible()


def test_spans_after_non_bmp_characters_keep_their_code_point_offsets(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    text = "Emoji first 🇺🇦😀 then 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, and Kyiv says NATO must decide.\n"
    (tmp_path / "emoji.txt").write_text(text, encoding="utf-8")
    from annotator.io.importer import import_paths

    assert import_paths(window.ctx.project, [tmp_path / "emoji.txt"]).documents_added == 1
    window.ctx.notify(Changes(documents=True))
    new_id = max(documents.document_ids(window.ctx.project))
    window.open_document(new_id)
    make_span(qtbot, window, "Kyiv says NATO must decide", "c")
    (span,) = stored(window).spans
    doc_text = stored(window).document.text
    assert span.text == doc_text[span.start : span.end] == "Kyiv says NATO must decide"


def test_window_layout_and_geometry_are_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    win = build_main_window(tmp_path / "p.db", annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert (win.width(), win.height()) == (1280, 800)
    win.resize(760, 560)  # inside the offscreen platform's 800x600 screen: restoreGeometry clamps to it
    win.tagging_dock.hide()
    win.close()
    again = build_main_window(tmp_path / "p.db", annotator_name="alice")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (760, 560)
    assert not again.tagging_dock.isVisible()
    assert again.ctx.current_doc_id == win.ctx.current_doc_id  # reopens where I was


def test_time_spent_is_recorded_when_switching_documents(qtbot: QtBot, window: MainWindow) -> None:
    ids = documents.document_ids(window.ctx.project)
    clock = {"ms": 0}
    window.timer._now = lambda: clock["ms"]  # a fake clock: no timed assertions
    window.timer.start(ids[0])
    clock["ms"] = 40_000
    key(qtbot, window, Qt.Key.Key_Right)  # any input keeps the document active
    clock["ms"] = 40_000 + 10 * 60_000  # ten idle minutes do not count
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    # Time alone records nobody: it waits for my first annotation in the project, then is stored.
    assert window.ctx.project.annotators() == []
    assert window.timer.pending_seconds() == {ids[0]: pytest.approx(40.0)}
    make_span(qtbot, window, "NATO", "c")
    seconds = documents.load_view(window.ctx.project, ids[0], me(window)).status.seconds
    assert seconds == pytest.approx(40.0)


def test_help_shortcuts_lists_the_scheme_label_keys(qtbot: QtBot, window: MainWindow) -> None:
    key(qtbot, window, Qt.Key.Key_F1)
    from annotator.ui.dialogs.help import ShortcutsDialog

    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    page = dialog.browser.toPlainText()
    for lab in window.ctx.project.scheme.labels:
        assert f"Tag as {lab.name}" in page
    assert "Mark done and open next" in page


def test_opening_a_file_that_is_not_a_project_shows_an_error_and_keeps_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"just some notes, not SQLite\n" * 10)
    before = bogus.read_bytes()
    project_before = window.ctx.project
    assert window.files.open_path(bogus) is False
    box = window.findChild(QMessageBox, "error_box")
    assert box is not None and "not an annotator project" in box.text()
    assert "Traceback" not in box.text() + box.informativeText()
    assert bogus.read_bytes() == before
    assert window.ctx.project is project_before


def test_open_another_project_switches_everything(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    other = Project.open(tmp_path / "other.db")
    other.close()
    assert window.files.open_path(tmp_path / "other.db")
    assert window.ctx.project.path == (tmp_path / "other.db").resolve()
    assert window.document_list.model.rowCount() == 0
    assert window.ctx.current_doc_id is None
    assert window.status.progress_label.text() == "0 of 0 done"
    assert "other.db" in window.windowTitle()


def test_change_my_name_from_the_status_bar(qtbot: QtBot, window: MainWindow, backend: str) -> None:
    if backend == "postgresql":
        pytest.skip("on a server project the annotator is the login: there is no name to change")
    make_span(qtbot, window, CLAIM_WORDS, "c")
    qtbot.mouseClick(window.status.name_button, Qt.MouseButton.LeftButton)
    from annotator.ui import settings
    from annotator.ui.dialogs.first_run import AnnotatorNameDialog

    dialog = window.findChild(AnnotatorNameDialog)
    assert dialog is not None and dialog.name() == "alice"
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "bob")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    # The new name is this project's only: it does not follow me into other projects.
    assert window.ctx.annotator.name == "bob" and settings.project_annotator_name(window.ctx.project.path) == "bob"
    assert settings.annotator_name() is None
    assert window.status.name_button.text() == f"bob in {window.ctx.project.path.name}"
    assert window.ctx.current_doc_id is not None
    assert stored(window).spans == ()  # alice's claim stays hers
    assert window.article_view.spans() == ()


def test_first_run_asks_my_name_and_opens_the_seeded_default_project(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from annotator import app, paths
    from annotator.ui import settings
    from annotator.ui.dialogs import first_run

    asked: list[str] = []
    monkeypatch.setattr(first_run, "ask_annotator_name", lambda suggestion: asked.append(suggestion) or "zoe")
    shown: list[MainWindow] = []

    def fake_exec(*_args: object) -> int:
        win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        shown.append(win)
        win.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    assert app.main([]) == 0
    assert asked and settings.annotator_name() == "zoe"
    (win,) = shown
    assert win.ctx.annotator.name == "zoe"
    assert win.ctx.project.path == paths.default_project().resolve()
    assert win.ctx.current_doc_id is not None
    win.deleteLater()
    seeded = Project.open(paths.default_project(), readonly=True)
    assert len(documents.document_ids(seeded)) == 5
    seeded.close()


def test_time_spent_on_a_document_is_stored_as_soon_as_the_next_one_is_shown(
    qtbot: QtBot, window: MainWindow, project_location: Path | str
) -> None:
    ids = documents.document_ids(window.ctx.project)
    me_id = me(window)  # recorded: time is stored, not kept waiting for a first annotation
    clock = {"ms": 0}
    window.timer._now = lambda: clock["ms"]  # a fake clock: no timed assertions
    window.open_document(ids[0])
    window.timer.start(ids[0])

    def seconds(doc_id: int) -> float:
        return documents.load_view(window.ctx.project, doc_id, me_id).status.seconds

    before = {doc_id: seconds(doc_id) for doc_id in ids[:2]}
    clock["ms"] = 30_000
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[1]
    # The switch shows the next document first; the time of the one left is stored on the next
    # turn of the event loop.
    assert window.timer.unsaved_seconds() == {(ids[0], me_id): pytest.approx(30.0)}
    qtbot.waitUntil(lambda: seconds(ids[0]) == pytest.approx(before[ids[0]] + 30.0))
    assert window.timer.unsaved_seconds() == {}
    # Two switches before the loop turns both count; closing the window stores what is left.
    clock["ms"] = 50_000
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    clock["ms"] = 55_000
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.ctx.current_doc_id == ids[1]
    clock["ms"] = 57_000
    window.close()
    again = Project.open(project_location)
    try:
        assert documents.load_view(again, ids[0], me_id).status.seconds == pytest.approx(before[ids[0]] + 35.0)
        assert documents.load_view(again, ids[1], me_id).status.seconds == pytest.approx(before[ids[1]] + 22.0)
    finally:
        again.close()

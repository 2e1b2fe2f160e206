"""Live updates in the real window: another client's edit appears without anyone reopening anything.

Two windows on one PostgreSQL project (two logins), and a window on a project file beside a separate
process writing to the same file. No speed is asserted: `waitUntil` waits (up to PATIENCE_MS) for
the change to show; how fast it shows is for scripts/bench_team.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from annotator.app import build_main_window, seed_project
from annotator.cli import main
from annotator.model.scheme import parse_scheme
from annotator.services import schemes
from annotator.services.project import Project
from annotator.ui.main_window import MainWindow
from tests.model.test_scheme_diff import RENAMED
from tests.ui.test_main_window import CLAIM_WORDS, key, make_span

PATIENCE_MS = 20000
REPO = Path(__file__).resolve().parents[2]


def _window(qtbot: QtBot, location: Path | str, name: str) -> MainWindow:
    window = build_main_window(location, annotator_name=name)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.ctx.current_doc_id is not None)
    window.layers_panel.show_all()  # colleagues' layers are shown
    return window


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    """Keys go to the active window's focus widget, as for a user who clicked into that window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.article_view.setFocus()


def _shown_ids(window: MainWindow) -> set[int]:
    return {s.id for s in window.article_view.spans()}


def test_two_windows_on_one_server_see_each_others_edits(qtbot: QtBot, pg_database: str) -> None:
    alice, bob = (f"{who}_{uuid.uuid4().hex[:8]}" for who in ("alice", "bob"))
    assert main(["server", "init", pg_database]) == 0
    for login in (alice, bob):
        assert main(["--project", pg_database, "server", "add-user", login, "--role", "annotator"]) == 0
    project = Project.open(pg_database)
    try:
        seed_project(project)
    finally:
        project.close()
    url = make_url(pg_database)
    win_a = _window(qtbot, url.set(username=alice).render_as_string(hide_password=False), alice)
    win_b = _window(qtbot, url.set(username=bob).render_as_string(hide_password=False), bob)
    assert win_a.ctx.current_doc_id == win_b.ctx.current_doc_id
    _activate(qtbot, win_b)

    span_id = make_span(qtbot, win_b, CLAIM_WORDS, "c")
    qtbot.waitUntil(lambda: span_id in _shown_ids(win_a), timeout=PATIENCE_MS)
    (shown,) = [s for s in win_a.article_view.spans() if s.id == span_id]
    assert shown.text == CLAIM_WORDS and shown.annotator_id == win_b.ctx.annotator.id
    assert win_a.ctx.undo_stack.count() == 0  # a colleague's edit is not on my undo stack
    assert not win_a.status.saved_label.text()  # nor reported as my save

    key(qtbot, win_b, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: span_id not in _shown_ids(win_a), timeout=PATIENCE_MS)

    # And the other way round.
    _activate(qtbot, win_a)
    mine = make_span(qtbot, win_a, CLAIM_WORDS, "c")
    qtbot.waitUntil(lambda: mine in _shown_ids(win_b), timeout=PATIENCE_MS)
    assert win_b.ctx.undo_stack.count() == 2  # only bob's own span and its deletion


WRITER = textwrap.dedent(
    """
    import sys
    from annotator.services import annotations as svc
    from annotator.services.project import Project

    project = Project.open(sys.argv[1])
    bob = project.annotator("bob")
    span, _ = svc.add_span(project, int(sys.argv[2]), bob.id, "claim", 0, 3)
    print(span.id)
    project.close()
    """
)


def test_a_window_on_a_file_sees_another_process_writing_to_it(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    project = Project.open(path)
    try:
        seed_project(project)
        project.annotator("bob")  # a colleague already known to the project
    finally:
        project.close()
    window = _window(qtbot, path, "alice")
    doc_id = window.ctx.current_doc_id
    assert doc_id is not None
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(path), str(doc_id)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    span_id = int(done.stdout.strip())
    qtbot.waitUntil(lambda: span_id in _shown_ids(window), timeout=PATIENCE_MS)
    assert window.ctx.undo_stack.count() == 0
    documents_before = window.document_list.model.rowCount()
    articles = tmp_path / "more.jsonl"
    articles.write_text('{"id": "late-1", "title": "Late news", "text": "It came in later."}\n', encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "annotator", "--project", str(path), "import", str(articles)],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    qtbot.waitUntil(lambda: window.document_list.model.rowCount() == documents_before + 1, timeout=PATIENCE_MS)


def _label_names(window: MainWindow) -> set[str]:
    return {label.name for label in window.ctx.project.scheme.labels}


def test_a_scheme_a_colleague_applies_is_used_live_in_my_window(qtbot: QtBot, pg_database: str) -> None:
    project = Project.open(pg_database)
    try:
        seed_project(project)
    finally:
        project.close()
    mine = _window(qtbot, pg_database, "alice")
    theirs = _window(qtbot, pg_database, "bob")
    _activate(qtbot, mine)
    claim = make_span(qtbot, mine, CLAIM_WORDS, "c")
    assert mine.tag_panel.table.model().rowCount() == 1

    # The colleague renames claim to assertion (and more) in their window, as the Scheme editor does.
    schemes.apply(theirs.ctx.project, parse_scheme(RENAMED), "bob")
    theirs.ctx.reload_scheme()
    qtbot.waitUntil(lambda: "assertion" in _label_names(mine), timeout=PATIENCE_MS)
    assert "claim" not in _label_names(mine)
    qtbot.waitUntil(lambda: [(s.id, s.label) for s in mine.article_view.spans()] == [(claim, "assertion")])
    assert "changed the scheme" in mine.status.currentMessage()
    assert mine.ctx.current_doc_id == theirs.ctx.current_doc_id  # still on the document I was on

    # My window now works under their scheme: my own scheme change starts from theirs, so it is not
    # refused as stale (it would be, had my window kept the scheme it opened with), and it reaches them.
    quote = '\n[[labels]]\nname = "quote"\nkey = "Q"\ncolor = "#123456"\n'
    schemes.apply(mine.ctx.project, parse_scheme(RENAMED + quote), "alice")
    mine.ctx.reload_scheme()
    qtbot.waitUntil(lambda: "quote" in _label_names(theirs), timeout=PATIENCE_MS)
    assert "changed the scheme" in theirs.status.currentMessage()


def test_a_window_on_a_file_takes_up_a_scheme_another_process_applied(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    project = Project.open(path)
    try:
        seed_project(project)
    finally:
        project.close()
    window = _window(qtbot, path, "alice")
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(RENAMED, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "annotator", "--project", str(path), "scheme", "apply", str(renamed)],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=120,
    )
    qtbot.waitUntil(lambda: "assertion" in _label_names(window), timeout=PATIENCE_MS)
    assert "changed the scheme" in window.status.currentMessage()

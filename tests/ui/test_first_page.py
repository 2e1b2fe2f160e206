"""Issue 14 (GUI start): the document I left is on screen, read-only, before the project is open,
when the project file is exactly as the last close left it; the real article view then takes over
on the same document. A changed file, or another annotator name, shows no such page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator import app
from annotator.model.errors import AnnotatorError
from annotator.services import annotations as ann
from annotator.services import documents
from annotator.services.project import Project
from annotator.ui import first_page, settings
from annotator.ui.main_window import MainWindow
from tests.helpers import run_app_child

_CLOSE_AT_EXEC = (
    "def close(*a):\n"
    "    QApplication.processEvents()\n"
    "    for w in QApplication.topLevelWidgets():\n"
    "        if isinstance(w, MainWindow) and w.isVisible(): w.close()\n"
    "    return 0\n"
    "QApplication.exec = close\n"
)
"""Child-process code: the event loop is replaced by closing the main window (as Ctrl+Q would), so a
start returns at once and keeps the page of the document it showed."""


def _project_with_my_spans(path: Path) -> tuple[int, list[tuple[str, int, int]]]:
    """A seeded project whose first document carries two of alice's spans: (its id, the spans)."""
    project = Project.open(path)
    try:
        app.seed_project(project)
        doc_id = documents.document_ids(project)[0]
        me = project.annotator("alice")
        label = project.scheme.labels[0].name
        spans = [(label, 0, 9), (label, 20, 31)]
        for name, start, end in spans:
            ann.add_span(project, doc_id, me.id, name, start, end)
    finally:
        project.close()
    return doc_id, spans


def _run(monkeypatch: pytest.MonkeyPatch, location: Path, at_open: list[object]) -> MainWindow:
    """`app.run_gui` on `location`; when Project.open is called, what the window shows then is
    appended to `at_open`; returns the filled window (not closed)."""
    real_open = Project.open

    def watched_open(where: Path | str, *args: object, **kwargs: object) -> Project:
        (frame,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        page = frame.centralWidget()
        at_open.append(
            (
                page.objectName() if page is not None else None,
                page.document_text() if isinstance(page, first_page.FirstPageView) else None,
                page.page_state() if isinstance(page, first_page.FirstPageView) else None,
                QApplication.focusWidget() is page,
                frame.statusBar().currentMessage(),
                frame.windowTitle(),
            )
        )
        return real_open(where, *args, **kwargs)  # type: ignore[arg-type]

    filled: list[MainWindow] = []

    def fake_exec(*_args: object) -> int:
        QApplication.processEvents()
        filled.append(next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()))
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(Project, "open", watched_open)
        patch.setattr(QApplication, "exec", fake_exec)
        patch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
        assert app.run_gui(location) == 0
    return filled[0]


def test_the_page_i_left_is_shown_before_the_project_opens(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    location = tmp_path / "p.db"
    doc_id, spans = _project_with_my_spans(location)
    settings.set_annotator_name("alice")
    first: list[object] = []
    win = _run(monkeypatch, location, first)
    assert first[0][0] != first_page.OBJECT_NAME  # type: ignore[index]  # nothing kept yet
    assert win.ctx.current_doc_id == doc_id and len(win.article_view.spans()) == len(spans)
    left_title = win.windowTitle()
    kept = win.article_view.page_state()
    win.close()
    win.deleteLater()

    second: list[object] = []
    win = _run(monkeypatch, location, second)
    try:
        ((name, text, state, focused, message, title),) = second
        assert name == first_page.OBJECT_NAME and focused
        assert text == documents.load_view(win.ctx.project, doc_id, 0).document.text
        assert state == kept  # the same text, spans (and their colours) and links as drawn at close
        assert [(s[2], s[3], s[4]) for s in state["spans"]] == spans  # type: ignore[index]
        assert title == left_title and "shown as you left it" in message
        # then the project is open: the article view on the same document, the page gone
        assert win.ctx.current_doc_id == doc_id and win.centralWidget() is win.article_view
        assert win.article_view.page_state() == kept
        assert QApplication.focusWidget() is win.article_view
        assert not [p for p in win.findChildren(first_page.FirstPageView) if p.isVisible()]  # deleted later
    finally:
        win.close()
        win.deleteLater()


def test_a_project_changed_since_i_left_it_shows_no_page(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    location = tmp_path / "p.db"
    doc_id, _spans = _project_with_my_spans(location)
    settings.set_annotator_name("alice")
    win = _run(monkeypatch, location, [])
    win.close()
    win.deleteLater()
    assert first_page.load(location, "alice") is not None
    assert first_page.load(location, "bob") is None  # kept for alice only
    project = Project.open(location)  # another program adds a span meanwhile
    try:
        ann.add_span(project, doc_id, project.annotator("alice").id, project.scheme.labels[0].name, 40, 50)
    finally:
        project.close()
    at_open: list[object] = []
    win = _run(monkeypatch, location, at_open)
    try:
        assert at_open[0][0] != first_page.OBJECT_NAME  # type: ignore[index]
        assert len(win.article_view.spans()) == 3  # the project's own content
    finally:
        win.close()
        win.deleteLater()
    assert first_page.load(location, "alice") is not None  # kept again at this close


def test_a_page_shown_for_a_project_that_then_fails_to_open_is_taken_away(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    location = tmp_path / "p.db"
    _project_with_my_spans(location)
    settings.set_annotator_name("alice")
    win = _run(monkeypatch, location, [])
    win.close()
    win.deleteLater()
    asked: list[object] = []

    def refused(*_args: object, **_kwargs: object) -> Project:
        raise AnnotatorError(f"{location}: refused")

    def choose(_failed: Path, message: str, parent: MainWindow) -> None:
        asked.append((message, parent.centralWidget()))

    monkeypatch.setattr(Project, "open", refused)
    monkeypatch.setattr("annotator.ui.dialogs.project_error.choose_other_project", choose)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    assert app.run_gui(location) == 1
    ((message, central),) = asked
    assert "refused" in message and central is None  # the page of a project that did not open is gone


def test_the_first_page_is_on_screen_before_sqlalchemy_is_loaded(tmp_path: Path) -> None:
    """In fresh processes: a start that closes its window keeps the page; the next start shows it
    while no SQLAlchemy module is loaded yet."""
    location = tmp_path / "p.db"
    _project_with_my_spans(location)
    start = (
        "import json, sys\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('alice')\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from annotator.ui.main_window import MainWindow\n"
        f"{_CLOSE_AT_EXEC}"
        "show = MainWindow.show_first_page\n"
        "def shown(self, first, what):\n"
        "    show(self, first, what)\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith('sqlalchemy'))\n"
        "    print(json.dumps([self.centralWidget().document_text()[:40], loaded]))\n"
        "MainWindow.show_first_page = shown\n"
        "from annotator.app import main\n"
        f"assert main(['--project', {str(location)!r}]) == 0\n"
    )
    runs = [run_app_child(start, tmp_path) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert runs[0].stdout.strip() == ""  # nothing kept before the first close
    text, loaded = json.loads(runs[1].stdout.splitlines()[-1])
    project = Project.open(location, readonly=True)
    try:
        first_text = documents.load_view(project, documents.document_ids(project)[0], 0).document.text
    finally:
        project.close()
    assert text == first_text[:40] and loaded == []


def test_no_page_when_the_window_will_open_another_document(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another window of mine on the same file moved on to another document (without writing):
    the page kept is not the document this start opens, so it is not shown."""
    location = tmp_path / "p.db"
    doc_id, _spans = _project_with_my_spans(location)
    settings.set_annotator_name("alice")
    win = _run(monkeypatch, location, [])
    win.close()
    win.deleteLater()
    project = Project.open(location, readonly=True)
    try:
        other = documents.document_ids(project)[1]
    finally:
        project.close()
    settings.set_value(f"session/last_doc/{location.name}", other)
    at_open: list[object] = []
    win = _run(monkeypatch, location, at_open)
    try:
        assert at_open[0][0] != first_page.OBJECT_NAME  # type: ignore[index]
        assert win.ctx.current_doc_id == other != doc_id
    finally:
        win.close()
        win.deleteLater()


def test_a_damaged_kept_page_is_ignored(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    location = tmp_path / "p.db"
    doc_id, _spans = _project_with_my_spans(location)
    settings.set_annotator_name("alice")
    win = _run(monkeypatch, location, [])
    win.close()
    win.deleteLater()
    kept = first_page.snapshot_file(location)
    record = json.loads(kept.read_text(encoding="utf-8"))
    record["page"]["spans"] = [["not", "a", "span"]]
    kept.write_text(json.dumps(record), encoding="utf-8")
    at_open: list[object] = []
    win = _run(monkeypatch, location, at_open)
    try:
        assert at_open[0][0] != first_page.OBJECT_NAME  # type: ignore[index]
        assert win.ctx.current_doc_id == doc_id and win.centralWidget() is win.article_view
    finally:
        win.close()
        win.deleteLater()


def _two_starts_on_x11(tmp_path: Path, location: Path, setup: str) -> list[subprocess.CompletedProcess[str]]:
    """Two starts of the app on `location` on a real X server (xvfb-run, Qt's xcb platform), each in a
    child process that runs `setup` first (it makes the QApplication and patches what it watches)."""
    code = setup + f"assert app.main(['--project', {str(location)!r}]) == 0\n"
    xvfb = ("xvfb-run", "-a", "-s", "-screen 0 1366x768x24")
    runs = [run_app_child(code, tmp_path, platform="xcb", prefix=xvfb, timeout=180) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    return runs


@pytest.mark.skipif(
    shutil.which("xvfb-run") is None and os.environ.get("CI") != "true",
    reason="needs xvfb-run (Debian: xvfb xauth; .ci/run installs them, and under CI=true the test runs)",
)
def test_the_page_i_left_reaches_an_x11_screen_before_the_project_opens(tmp_path: Path) -> None:
    """On a real X server (Xvfb), not the offscreen platform: the page set as the frame's central
    widget was painted only when the event loop ran, after the project had opened, so the user saw a
    grey frame above "shown as you left it". Counts the page's paints when the project opens."""
    location = tmp_path / "p.db"
    _project_with_my_spans(location)
    start = (
        "import sys\n"
        "from PySide6.QtCore import QEvent, QObject\n"
        "from PySide6.QtWidgets import QApplication, QWidget\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('alice')\n"
        "from annotator.ui.main_window import MainWindow\n"
        "from annotator import app\n"
        "paints = []\n"
        "class Paints(QObject):\n"
        "    def eventFilter(self, obj, event):\n"
        "        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):\n"
        "            while obj is not None and obj.objectName() != 'first_page': obj = obj.parentWidget()\n"
        "            if obj is not None: paints.append(1)\n"
        "        return False\n"
        f"{_CLOSE_AT_EXEC}"
        "fill = app.fill_main_window\n"
        "def counted(window, where, **kw):\n"
        "    page = window.centralWidget()\n"
        "    print('page' if page is not None and page.objectName() == 'first_page' else 'none', len(paints))\n"
        "    return fill(window, where, **kw)\n"
        "app.fill_main_window = counted\n"
        "qapp = QApplication(['annotator'])\n"
        "watch = Paints(); qapp.installEventFilter(watch)\n"
    )
    runs = _two_starts_on_x11(tmp_path, location, start)
    assert runs[0].stdout.split() == ["none", "0"]  # nothing kept before the first close
    shown, painted = runs[1].stdout.split()
    assert shown == "page" and int(painted) > 0


@pytest.mark.skipif(
    (shutil.which("xvfb-run") is None or shutil.which("xdotool") is None) and os.environ.get("CI") != "true",
    reason="needs xvfb-run and xdotool (Debian: xvfb xauth xdotool; .ci/run installs them)",
)
def test_keys_typed_on_the_kept_page_do_nothing_once_the_project_is_open(tmp_path: Path) -> None:
    """On a real X server: a number key typed on the kept page (read-only) while the project opens
    waited in the window system's queue and, once the event loop ran, set the document stance on the
    live view that had replaced the page. Such keys are dropped, and the status bar says so."""
    location = tmp_path / "p.db"
    doc_id, _spans = _project_with_my_spans(location)
    start = (
        "import subprocess, time\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('alice')\n"
        "from annotator.ui.main_window import MainWindow\n"
        "from annotator import app\n"
        "from annotator.services import documents\n"
        "def look(*a):\n"
        "    end = time.monotonic() + 1.0\n"
        "    while time.monotonic() < end:\n"
        "        QApplication.processEvents(); time.sleep(0.01)\n"
        "    (w,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]\n"
        f"    view = documents.load_view(w.ctx.project, {doc_id}, w.ctx.annotator.id)\n"
        "    print('stances', len(view.stances))\n"
        "    print('status', w.statusBar().currentMessage())\n"
        "    w.close()\n"
        "    return 0\n"
        "QApplication.exec = look\n"
        "fill = app.fill_main_window\n"
        "def typed(window, where, **kw):\n"
        "    page = window.centralWidget()\n"
        "    if page is not None and page.objectName() == 'first_page':\n"
        "        window.activateWindow()  # as a window manager does\n"
        "        QApplication.processEvents()\n"
        "        g = window.geometry()\n"
        "        subprocess.run(['xdotool', 'mousemove', str(g.center().x()), str(g.center().y())], check=True)\n"
        "        subprocess.run(['xdotool', 'key', '1', 'key', '2'], check=True)\n"
        "        print('typed on the page')\n"
        "    return fill(window, where, **kw)\n"
        "app.fill_main_window = typed\n"
        "qapp = QApplication(['annotator'])\n"
    )
    runs = _two_starts_on_x11(tmp_path, location, start)
    assert "typed on the page" not in runs[0].stdout and "stances 0" in runs[0].stdout  # nothing kept yet
    lines = runs[1].stdout.splitlines()
    assert lines[0] == "typed on the page" and lines[1] == "stances 0", runs[1].stdout
    assert lines[2] == "status 2 keys typed while the project opened were ignored: editing starts now."

"""Issue 14 (GUI start): the main window's frame is on screen, painted, saying which project it
opens, before the project (or SQLAlchemy) is loaded; then the same window fills and opens the first
document with the keys in the article. What the window does not need at start is not loaded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from annotator import app
from annotator.services import documents
from annotator.services.project import Project
from annotator.ui import settings
from annotator.ui.actions import MENUS
from annotator.ui.main_window import MainWindow
from tests.helpers import run_app_child


class _Paints(QObject):
    """Counts paint events of the main window and its children."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(obj, QWidget)
            and obj.window().objectName() == "main_window"
        ):
            self.count += 1
        return False


def _seeded(path: Path) -> Path:
    project = Project.open(path)
    try:
        app.seed_project(project)
    finally:
        project.close()
    return path


def test_the_frame_shows_which_project_opens_before_the_project_is_opened(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    location = _seeded(tmp_path / "p.db")
    settings.set_annotator_name("alice")
    paints = _Paints()
    QApplication.instance().installEventFilter(paints)  # type: ignore[union-attr]
    seen: list[tuple[bool, bool, int, str, str]] = []
    real_open = Project.open

    def watched_open(where: Path | str, *args: object, **kwargs: object) -> Project:
        frames = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        frame = frames[0]
        handle = frame.windowHandle()
        seen.append(
            (
                frame.attached,
                handle is not None and handle.isExposed(),
                paints.count,
                frame.statusBar().currentMessage(),
                frame.windowTitle(),
            )
        )
        return real_open(where, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Project, "open", watched_open)
    filled: list[MainWindow] = []

    def fake_exec(*_args: object) -> int:
        win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        QApplication.processEvents()
        filled.append(win)
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    try:
        assert app.run_gui(location) == 0
    finally:
        QApplication.instance().removeEventFilter(paints)  # type: ignore[union-attr]
    (before,) = seen
    attached, exposed, painted, message, title = before
    assert not attached and exposed and painted > 0
    assert message == "Opening p.db…" and title == "p.db — annotator"
    (win,) = filled
    try:
        assert win.attached and win.ctx.project.path == location.resolve()
        first = documents.document_ids(win.ctx.project)[0]
        assert win.ctx.current_doc_id == first  # the first unfinished document, open and shown
        assert win.article_view.document_text() == documents.load_view(win.ctx.project, first, 0).document.text
        assert QApplication.focusWidget() is win.article_view  # the keys go to the article
        assert win.windowTitle().endswith("p.db — annotator") and "Opening" not in win.status.currentMessage()
        assert settings.recent_projects()[0] == location.resolve()
    finally:
        win.close()
        win.deleteLater()


def test_the_frame_alone_closes_without_a_project(qtbot: QtBot) -> None:
    frame = MainWindow()
    qtbot.addWidget(frame)
    frame.show_opening("p.db")
    frame.show()
    qtbot.waitExposed(frame)
    assert [a.text() for a in frame.menuBar().actions()] == [f"&{name}" for name in MENUS]
    assert frame.statusBar().currentMessage() == "Opening p.db…"
    assert frame.close() and not frame.attached


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    done = run_app_child(code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))", tmp_path)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_main_window_module_loads_no_store(tmp_path: Path) -> None:
    loaded = _modules_after("import annotator.ui.main_window", tmp_path)
    assert "annotator.ui.main_window" in loaded
    assert not {m for m in loaded if m.startswith(("sqlalchemy", "annotator.store", "annotator.services"))}


def test_an_open_window_has_not_loaded_what_it_has_not_used(tmp_path: Path) -> None:
    """A project file, opened and shown: the review panel is there (it needs services.review and
    services.alignment), but nothing of merging, the agreement report, import, export, search or
    the scheme editor, nor the server's SQL dialect."""
    location = _seeded(tmp_path / "p.db")
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "qt = QApplication([])\n"
        "from annotator.app import build_main_window\n"
        f"win = build_main_window({str(location)!r}, annotator_name='alice')\n"
        "win.show()\n"
        "qt.processEvents()\n"
        "assert win.ctx.current_doc_id is not None\n"
    )
    loaded = _modules_after(code, tmp_path)
    assert "annotator.ui.widgets.tag_panel" in loaded and "sqlalchemy.orm" in loaded  # it did open
    unused = {
        "annotator.services.merge",  # File > Merge, `server push`
        "annotator.services.agreement",  # the agreement report
        "annotator.model.agreement_report",
        "annotator.io.importer",  # File > Import
        "annotator.io.export_csv",  # File > Export
        "annotator.io.export_xlsx",
        "annotator.ui.dialogs.agreement_report",
        "annotator.ui.dialogs.search_window",
        "annotator.ui.dialogs.scheme_editor",
        "sqlalchemy.dialects.postgresql",  # a project file never needs the server's dialect
        "psycopg",
    }
    assert not unused & loaded


@pytest.mark.parametrize(
    ("where", "shown"),
    [
        ("{tmp}/news.db", "news.db"),
        (
            "postgresql+psycopg://alice:s3cret@db.example.org:5433/desk",
            "postgresql+psycopg://alice@db.example.org:5433/desk",
        ),
        ("postgresql://bob@/desk?host=/run/postgresql", "postgresql://bob@/desk?host=/run/postgresql"),
    ],
)
def test_the_frame_names_the_project_before_sqlalchemy_is_loaded(tmp_path: Path, where: str, shown: str) -> None:
    """For a file and for a server alike (a password never shown), in a fresh process."""
    code = (
        "import json, sys\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('alice')\n"
        "from annotator.ui.main_window import MainWindow\n"
        "def show_opening(self, what):\n"
        "    print(json.dumps([what, sorted(m for m in sys.modules if m.startswith('sqlalchemy'))]))\n"
        "    raise SystemExit(0)\n"
        "MainWindow.show_opening = show_opening\n"
        "from annotator.app import main\n"
        f"main(['--project', {where.format(tmp=tmp_path)!r}])\n"
    )
    done = run_app_child(code, tmp_path)
    assert done.returncode == 0, done.stderr
    what, sqlalchemy_modules = json.loads(done.stdout.splitlines()[-1])
    assert what == shown and sqlalchemy_modules == []
    assert not (tmp_path / "news.db").exists()  # nothing opened yet


def test_pyside_reads_no_source_of_the_modules_known_not_to_use_it(tmp_path: Path) -> None:
    """A real start (the window filled, first document open): the shortcut is in PySide's check, it
    answered for SQLAlchemy, the store and the standard library, and each of its answers ("does not
    use PySide6") is the one PySide's own check (reading the source) gives."""
    location = _seeded(tmp_path / "p.db")
    code = (
        "import json, sys\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('alice')\n"
        "from PySide6.QtWidgets import QApplication\n"
        "QApplication.exec = lambda *a: 0\n"
        "from annotator.app import main\n"
        f"assert main(['--project', {str(location)!r}]) == 0\n"
        "from annotator.ui.pyside_scan import known_without_pyside\n"
        "check = sys.modules['shibokensupport.feature']._mod_uses_pyside\n"
        "answered = [m for m in list(sys.modules.values()) if m is not None and known_without_pyside(m)]\n"
        "print(json.dumps([getattr(check, '_annotator_skips_known_modules', False),\n"
        "    sorted(m.__name__ for m in answered), sorted(m.__name__ for m in answered if check.original(m))]))\n"
    )
    done = run_app_child(code, tmp_path)
    assert done.returncode == 0, done.stderr
    installed, answered, wrong = json.loads(done.stdout.splitlines()[-1])
    assert installed
    assert {"sqlalchemy.orm.session", "annotator.store.engine", "annotator.services.project", "json"} <= set(answered)
    assert wrong == []  # PySide's own check agrees with every shortcut answer

"""The shell around the window: settings, the action table, background jobs, dialogs and `app.main`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from annotator import app, paths
from annotator.model.errors import Cancelled, ProjectFileError
from annotator.model.scheme import load_scheme_file, parse_scheme
from annotator.ui import settings
from annotator.ui.actions import action_specs, build_actions, shortcut_rows, shortcuts_markdown
from annotator.ui.dialogs.errors import describe
from annotator.ui.dialogs.export_dialog import ExportDialog
from annotator.ui.dialogs.first_run import AnnotatorNameDialog
from annotator.ui.workers import run_in_background

REPO = Path(__file__).resolve().parents[2]

OTHER_SCHEME = """
name = "fnc"
[[labels]]
name = "headline"
key = "T"
[stance]
values = ["agree", "disagree", "discuss", "unrelated"]
  [[stance.targets]]
  name = "body"
"""


# --- settings -------------------------------------------------------------------------------


def test_settings_live_in_the_config_dir_and_round_trip(tmp_path: Path) -> None:
    assert settings.settings_path().parent == paths.config_dir()
    assert settings.annotator_name() is None
    settings.set_annotator_name("  Alice  ")
    assert settings.annotator_name() == "Alice"
    assert settings.settings_path().is_file()
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    a.touch()
    b.touch()
    settings.add_recent_project(a)
    settings.add_recent_project(b)
    settings.add_recent_project(a)
    assert settings.recent_projects() == [a.resolve(), b.resolve()]
    b.unlink()
    assert settings.recent_projects() == [a.resolve()]  # vanished files are not offered


# --- actions --------------------------------------------------------------------------------


def test_label_and_number_keys_come_from_the_scheme() -> None:
    scheme = load_scheme_file(paths.DEFAULT_SCHEME)
    specs = {s.id: s for s in action_specs(scheme)}
    for lab in scheme.labels:
        assert specs[f"label.{lab.name}"].keys == (lab.key,)
    assert [specs[f"stance.{i}"].keys for i in range(1, len(scheme.stance_values) + 1)] == [
        (str(i),) for i in range(1, len(scheme.stance_values) + 1)
    ]
    other = parse_scheme(OTHER_SCHEME, "test")
    other_specs = {s.id: s for s in action_specs(other)}
    assert other_specs["label.headline"].keys == ("T",)
    assert other_specs["cycle_target"].keys == ()  # the label key wins over the fixed one
    assert "pick_source" not in other_specs  # no relations in that scheme
    assert "label.claim" not in other_specs


def test_every_key_is_bound_once(qtbot: QtBot) -> None:
    scheme = load_scheme_file(paths.DEFAULT_SCHEME)
    parent = QWidget()
    qtbot.addWidget(parent)
    actions = build_actions(parent, scheme, QUndoStack(parent))
    seen: dict[str, str] = {}
    for action_id, action in actions.items():
        for seq in action.shortcuts():
            text = seq.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in seen, f"{text} bound to {seen.get(text)} and {action_id}"
            seen[text] = action_id
    for wanted in (
        "C",
        "S",
        "Del",
        "Backspace",
        "Ctrl+Return",
        "Alt+Left",
        "Alt+Right",
        "Ctrl+Z",
        "Ctrl+Shift+Z",
        "Ctrl+=",
        "Ctrl+-",
        "Ctrl+0",
        "1",
        "T",
        "A",
        "Ctrl+F",
        "Esc",
        "F1",
    ):
        assert wanted in seen


def test_shortcuts_table_lists_every_keyed_action() -> None:
    scheme = load_scheme_file(paths.DEFAULT_SCHEME)
    table = shortcuts_markdown(scheme)
    assert table.startswith("| Keys | Action | Menu |")
    assert len(table.splitlines()) == 2 + len(shortcut_rows(scheme))
    assert "| C | Tag as claim | Annotate |" in table


# --- background jobs ------------------------------------------------------------------------


def test_a_job_reports_its_result_on_the_gui_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[object] = []

    def job(progress, cancel):  # type: ignore[no-untyped-def]
        for i in range(5):
            progress(i + 1, 5)
        return threading.current_thread() is not threading.main_thread()

    task = run_in_background(parent, "Test", "Working", job, results.append, pytest.fail)
    with qtbot.waitSignal(task.ended, timeout=10000):
        pass
    assert results == [True] and task.state == "done"


def test_cancel_stops_a_job_through_its_cancel_callback(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    started = threading.Event()
    cancelled: list[bool] = []

    def job(progress, cancel):  # type: ignore[no-untyped-def]
        started.set()
        while not cancel():
            threading.Event().wait(0.005)
        raise Cancelled("cancelled")

    task = run_in_background(parent, "Test", "Working", job, pytest.fail, pytest.fail, lambda: cancelled.append(True))
    assert started.wait(10)
    with qtbot.waitSignal(task.ended, timeout=10000):
        qtbot.mouseClick(task.dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # its Cancel button
    assert task.state == "cancelled" and cancelled == [True]


def test_a_failing_job_gives_a_message_without_a_traceback(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[BaseException] = []

    def job(progress, cancel):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    task = run_in_background(parent, "Test", "Working", job, pytest.fail, errors.append)
    with qtbot.waitSignal(task.ended, timeout=10000):
        pass
    message = describe(errors[0], "import the articles")
    assert message.startswith("Could not import the articles: an unexpected error")
    assert "Traceback" not in message and "boom" not in message
    assert "ZeroDivisionError: boom" in (paths.log_dir() / "annotator.log").read_text(encoding="utf-8")
    assert describe(ProjectFileError("x.db: file is empty"), "open it") == "Could not open it: x.db: file is empty"


# --- dialogs --------------------------------------------------------------------------------


def test_name_dialog_needs_a_name(qtbot: QtBot) -> None:
    dialog = AnnotatorNameDialog("bob")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.name() == "bob" and ok.isEnabled()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Carol ")
    assert ok.isEnabled() and dialog.name() == "Carol"


def test_export_dialog_suggests_a_path_per_format(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / "proj.db", "alice")
    qtbot.addWidget(dialog)
    documents = paths.documents_dir()  # the user's Documents folder (the test's home), named after the project
    assert dialog.choice().fmt == "csv" and dialog.choice().out_path == documents / "proj-export"
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    assert dialog.choice().out_path == documents / "proj.jsonl"
    assert dialog.choice().annotator is None
    dialog.set_layer("alice")
    assert dialog.choice().annotator == "alice"


# --- app.main -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ""),
        (["--project", "x.db"], "x.db"),
        (["--project=x.db"], "x.db"),
        (["stats"], None),
        (["--project", "x.db", "stats"], None),
        (["--help"], None),
        (["--project"], None),
    ],
)
def test_gui_or_cli_is_decided_by_the_arguments(args: list[str], expected: str | None) -> None:
    assert app.gui_project_argument(args) == expected


def test_subcommands_go_to_the_cli_without_loading_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from annotator.app import main; rc = main(['--project', sys.argv[1], 'stats', "
        "'--json']); print('qt' if 'PySide6.QtWidgets' in sys.modules else 'no-qt'); sys.exit(rc)"
    )
    env = {**os.environ, "ANNOTATOR_DATA_DIR": str(tmp_path)}
    Path(tmp_path / "p.db").unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "annotator", "--project", str(tmp_path / "p.db"), "import", str(REPO / "corpus")],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "p.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"documents": 5' in done.stdout
    assert done.stdout.strip().endswith("no-qt")


def test_without_a_display_the_gui_says_so_in_one_line_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "annotator"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip() == app.NO_DISPLAY_MESSAGE
    assert done.stdout == ""
    assert not paths.default_project().exists()  # nothing was created


def test_display_detection(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(app, "X11_SOCKET_DIR", tmp_path)
    (tmp_path / "X0").touch()  # an X server :0 is running
    monkeypatch.setattr(sys, "platform", "linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert not app.display_available()
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert not app.display_available()
    monkeypatch.setenv("DISPLAY", ":0")
    assert app.display_available()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("DISPLAY")
    assert app.display_available()


def test_a_new_default_project_is_seeded_with_the_corpus(qtbot: QtBot) -> None:
    from annotator.services import documents

    window = app.build_main_window(paths.default_project(), annotator_name="alice")
    qtbot.addWidget(window)
    assert len(documents.document_ids(window.ctx.project)) == 5
    window.show()
    assert window.ctx.current_doc_id is not None
    window.close()
    again = app.build_main_window(paths.default_project(), annotator_name="alice")  # not seeded twice
    qtbot.addWidget(again)
    assert len(documents.document_ids(again.ctx.project)) == 5


def test_an_unreadable_project_raises_and_is_left_alone(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(ProjectFileError):
        app.build_main_window(bad, annotator_name="alice")
    assert bad.read_bytes() == b"\x00" * 1000


def test_context_is_a_qobject_owned_by_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    window = app.build_main_window(tmp_path / "p.db", annotator_name="alice", seed=False)
    qtbot.addWidget(window)
    assert isinstance(window.ctx, QObject)
    assert window.ctx.current_doc_id is None  # empty project: nothing to open
    assert window.article_view.empty_hint() is not None


def test_an_uncaught_error_becomes_a_dialog_and_a_log_entry(qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    try:
        raise KeyError("internal detail")
    except KeyError as exc:
        app._show_uncaught(KeyError, exc, exc.__traceback__)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    assert "unexpected error happened (KeyError)" in boxes[0].text() and "Traceback" not in boxes[0].text()
    assert capsys.readouterr().err.count("\n") == 1  # one line on stderr
    assert "internal detail" in (paths.log_dir() / "annotator.log").read_text(encoding="utf-8")
    boxes[0].close()

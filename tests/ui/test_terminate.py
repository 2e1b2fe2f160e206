"""SIGTERM closes the window as Ctrl+Q does: a new-user trial found that `kill` (a logout, a
shutdown) left the project's latest changes in NAME.db-wal, so that copying NAME.db afterwards missed
them. The real app runs in a child process (offscreen) on a project file; once it has opened it, a
SIGTERM makes it close the project and exit 0, its write-ahead log folded back into the file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.services.project import Project
from annotator.ui import settings
from tests.helpers import add_texts, run_app_child

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")


def test_sigterm_closes_the_project_like_quit(tmp_path: Path) -> None:
    settings.set_annotator_name("dana")
    path = tmp_path / "desk.db"
    project = Project.open(path)
    try:
        add_texts(project, "NATO met in Vilnius.", "Kyiv wants guarantees.")
    finally:
        project.close()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--project", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not wal.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # the app has the project open once SQLite made its write-ahead log
        assert wal.exists() and child.poll() is None, child.stderr.read() if child.stderr else ""
        time.sleep(1.0)  # let it reach its event loop (a SIGTERM before that is handled there too)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(path) as raw:  # the file alone is the whole project
        assert raw.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_a_sigterm_while_the_project_opens_closes_it_too(tmp_path: Path) -> None:
    """The SIGTERM arrives before the event loop runs (a loaded machine: the test above sends it a
    second after the project file is open). Its close may run while the app takes in what was typed
    during the opening (ui.first_page.InputDropped): the app must then exit, not wait in an event
    loop with no window."""
    path = tmp_path / "desk.db"
    project = Project.open(path)
    try:
        add_texts(project, "NATO met in Vilnius.")
    finally:
        project.close()
    code = (
        "import os, signal\n"
        "from annotator.ui import settings\n"
        "settings.set_annotator_name('dana')\n"
        "from annotator import app\n"
        "fill = app.fill_main_window\n"
        "def filled(window, where, **kw):\n"
        "    fill(window, where, **kw)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "app.fill_main_window = filled\n"
        f"raise SystemExit(app.main(['--project', {str(path)!r}]))\n"
    )
    try:
        child = run_app_child(code, tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the app did not exit after a SIGTERM that came while the project opened")
    assert child.returncode == 0, child.stderr
    assert not path.with_name(path.name + "-wal").exists()  # the project was closed, its log folded back

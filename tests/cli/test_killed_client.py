"""A client killed (-9) in the middle of a write to a server project leaves nothing half-written:
the server rolls its transaction back when the connection drops, holds no lock of it, and the same
write from another client then goes through whole. (A project file's kill -9 tests are in
tests/reliability/test_fault_injection.py.)"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from annotator.cli import main
from annotator.services.documents import stats
from annotator.services.project import Project
from tests.conftest import REPO

ARTICLES = 3000


def _in_its_transaction(url: str, child: subprocess.Popen[str]) -> bool:
    """Whether another client's transaction is inserting documents, uncommitted, right now."""
    engine = create_engine(url)
    inserting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE 'INSERT INTO documents%'"
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            with engine.connect() as conn:
                if conn.execute(inserting).scalar_one():
                    return True
            time.sleep(0.02)
        return False
    finally:
        engine.dispose()


def _other_backends(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(text("pg_stat_activity"))
            query = query.where(text("datname = current_database() AND pid <> pg_backend_pid()"))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_a_client_killed_mid_import_leaves_nothing_half_written(pg_database: str, tmp_path: Path) -> None:
    assert main(["server", "init", pg_database]) == 0
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"Article {i}. " + "words " * 300}) + "\n" for i in range(ARTICLES)))
    argv = [sys.executable, "-m", "annotator", "--project", pg_database, "import", str(src)]
    child = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _in_its_transaction(pg_database, child), "the import never got to writing"
        child.send_signal(signal.SIGKILL)
    finally:
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL

    deadline = time.monotonic() + 30  # the server ends the dead client's backend when it notices
    while _other_backends(pg_database) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _other_backends(pg_database) == 0
    project = Project.open(pg_database)
    try:
        assert stats(project)["documents"] == 0  # nothing of the killed import
    finally:
        project.close()

    assert main(["--project", pg_database, "import", str(src)]) == 0  # no lock left behind
    project = Project.open(pg_database)
    try:
        assert stats(project)["documents"] == ARTICLES
    finally:
        project.close()

"""Fault injection: kill -9 at random moments of an import, a merge and an export, and a disk that
fills up (a file-size limit, RLIMIT_FSIZE) part-way through an import. After each, the project
opens, passes `PRAGMA integrity_check`, and holds all or nothing of the interrupted work; an
export leaves its final name absent or complete. The moments are random (seeded, so a failure can
be replayed: the seed is in the test id) within the time an uninterrupted run takes, measured first.
Marked slow; `make test` and CI run it (pyproject deselects nothing)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from annotator.services.documents import stats
from annotator.services.project import Project
from tests.reliability.cli_run import REPO, annotator, here
from tests.ui.test_review import colleague_file

pytestmark = pytest.mark.slow

KILLS = 3
DRIVER = r"""
import sys, runpy
print("ready", flush=True)
sys.argv = ["annotator", *sys.argv[1:]]
runpy.run_module("annotator", run_name="__main__")
"""


def _start(*argv: str | Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", DRIVER, *map(str, argv)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _duration(*argv: str | Path) -> float:
    began = time.monotonic()
    child = _start(*argv)
    _, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    return time.monotonic() - began


def _kill_at(delay: float, *argv: str | Path) -> int:
    child = _start(*argv)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    return child.returncode


def _healthy(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()
    project = Project.open(db)
    try:
        return dict(stats(project))
    finally:
        project.close()


def _articles(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"text": f"Article {i}. " + "words " * 300}) + "\n" for i in range(n)))
    return path


@pytest.mark.parametrize("seed", [8])
def test_kill_during_import_keeps_all_or_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    src = _articles(tmp_path / "a.jsonl", 2000)
    full = _duration("--project", tmp_path / "measure.db", "import", src)
    for trial in range(KILLS):
        db = tmp_path / f"p{trial}.db"
        Project.open(db).close()
        _kill_at(rng.uniform(0, full), "--project", db, "import", src)
        assert _healthy(db)["documents"] in (0, 2000)


@pytest.mark.parametrize("seed", [8])
def test_kill_during_merge_keeps_all_or_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    alice = colleague_file(tmp_path / "alice.db", "alice")
    bob = colleague_file(tmp_path / "bob.db", "bob")
    whole = tmp_path / "whole.db"
    full = _duration("--project", whole, "merge", alice, bob)
    expected = _healthy(whole)
    for trial in range(KILLS):
        db = tmp_path / f"p{trial}.db"
        Project.open(db).close()
        empty = _healthy(db)
        _kill_at(rng.uniform(0, full), "--project", db, "merge", alice, bob)
        assert _healthy(db) in (empty, expected)


@pytest.mark.parametrize("seed", [8])
def test_kill_during_export_leaves_the_final_name_absent_or_complete(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    db = tmp_path / "p.db"
    assert here("--project", db, "import", _articles(tmp_path / "a.jsonl", 1500)).code == 0
    full = _duration("--project", db, "export", "--out", tmp_path / "measure")
    for trial in range(KILLS):
        out = tmp_path / f"out{trial}"
        _kill_at(rng.uniform(0, full), "--project", db, "export", "--out", out)
        if out.exists():
            assert len(pd.read_csv(out / "documents.csv")) == 1500
        again = here("--project", db, "export", "--out", out)
        assert again.code == 0, again.err
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    _healthy(db)


@pytest.mark.parametrize("seed", [8])
def test_disk_full_at_random_sizes_keeps_all_or_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    src = _articles(tmp_path / "a.jsonl", 800)
    for trial in range(KILLS):
        db = tmp_path / f"p{trial}.db"
        Project.open(db).close()
        limit = db.stat().st_size + rng.randint(10_000, 1_600_000)
        run = annotator("--project", db, "import", src, limit_bytes=limit)
        assert "Traceback" not in run.err
        assert run.code in (0, 1)
        assert _healthy(db)["documents"] == (800 if run.code == 0 else 0)

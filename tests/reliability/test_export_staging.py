"""Exports appear whole or not at all: a killed CSV export leaves no folder under the final name, a
killed or failed JSONL export no file, and the temporaries a kill leaves are removed by the next
export to the same place (while those of an export still running are left alone)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.io.staged_files import StagedFiles, remove_stale
from annotator.services.project import Project
from tests.io.test_export_csv import seed

KILL_MID_EXPORT = r"""
import os, sys
from pathlib import Path
from annotator.services.project import Project
from annotator.io.export_csv import export_csv
from annotator.io.export_jsonl import export_jsonl

def progress(done, total):
    if done >= 1:
        print("killing", flush=True)
        os.kill(os.getpid(), 9)

project = Project.open(Path(sys.argv[1]), readonly=True)
export = export_csv if sys.argv[3] == "csv" else export_jsonl
export(project, Path(sys.argv[2]), progress=progress)
"""


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_killed_export_leaves_nothing_under_the_final_name_and_next_run_cleans_up(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "p.db"
    project = Project.open(db)
    seed(project)
    project.close()
    exports = tmp_path / "exports"
    exports.mkdir()
    out = exports / ("tables" if fmt == "csv" else "all.jsonl")
    done = subprocess.run(
        [sys.executable, "-c", KILL_MID_EXPORT, str(db), str(out), fmt], capture_output=True, text=True
    )
    assert done.returncode == -9 and "killing" in done.stdout, done.stderr
    assert not out.exists()
    leftovers = list(exports.iterdir())
    assert leftovers and all(p.name.startswith(".") and p.name.endswith(".part") for p in leftovers)
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--project", str(db), "export", "--out", str(out), "--format", fmt],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in exports.iterdir()] == [out.name]


def test_a_running_exports_temporaries_are_left_alone(tmp_path: Path) -> None:
    with StagedFiles(tmp_path / "out") as staged:
        staged.open("a.csv").write("x\r\n")
        remove_stale(tmp_path)
        (temp,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
        assert temp.is_dir()
        staged.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (tmp_path / "out" / "a.csv").read_bytes() == b"x\r\n"


def test_export_into_an_existing_folder_replaces_files_and_keeps_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    (out / "a.csv").write_text("old")
    stale = out / f".a.csv.{_dead_pid()}-0123456789ab.part"
    stale.write_text("from a killed export")
    with StagedFiles(out) as staged:
        staged.open("a.csv").write("new")
        staged.commit()
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "mine.txt"]
    assert (out / "a.csv").read_text() == "new"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    pid = child.pid
    assert not Path(f"/proc/{pid}").exists() or os.name != "posix"
    return pid

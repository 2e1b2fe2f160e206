"""The headless CLI: import / export / stats, exit codes, messages, read-only access."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import cli

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _stats(capsys: pytest.CaptureFixture[str], db: Path) -> dict[str, object]:
    code, out, _ = _run(capsys, "--project", str(db), "stats", "--json")
    assert code == 0
    return dict(json.loads(out))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_corpus_then_stats_then_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    code, out, err = _run(capsys, "--project", str(db), "import", str(REPO / "corpus"))
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "Imported 5 documents from 1 file; 0 duplicates skipped"
    stats = _stats(capsys, db)
    assert {k: stats[k] for k in ("documents", "annotators", "spans", "relations", "stances")} == {
        "documents": 5,
        "annotators": 0,
        "spans": 0,
        "relations": 0,
        "stances": 0,
    }
    assert stats["status"] == {"not_started": 0, "in_progress": 0, "done": 0}
    code, out, _ = _run(capsys, "--project", str(db), "import", str(REPO / "corpus"))
    assert code == 0 and out.splitlines()[0] == "Nothing new: 5 duplicates skipped"
    assert _stats(capsys, db)["documents"] == 5


def test_mixed_folder_exits_1_and_names_every_rejection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = shutil.copytree(FIXTURES / "mixed", tmp_path / "mixed")
    db = tmp_path / "p.db"
    code, out, err = _run(capsys, "--project", str(db), "import", str(folder))
    assert code == 1
    assert sorted(err.splitlines()) == sorted(
        f"{folder}/{line}"
        for line in (
            "articles.jsonl:2: invalid JSON (Invalid control character at column 59)",
            "empty.txt: empty file (no text)",
            "missing_column.csv: no column 'text' for --text-column (columns found: 'id', 'headline', 'body')",
            "picture.txt: binary file (contains NUL characters), not text",
        )
    )
    assert out.splitlines()[0] == "Imported 4 documents from 3 files; 0 duplicates skipped"
    assert f"Skipped {folder}/notes.md: not a .txt, .csv or .jsonl file" in out
    assert _stats(capsys, db)["documents"] == 4


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_does_not_block_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "pipe.jsonl")
    (src / "a.txt").write_text("hello", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--project", str(tmp_path / "p.db"), "import", str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"{src}/pipe.jsonl: not a regular file (a FIFO)"


def test_csv_options_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "news.csv"
    path.write_text("url,headline,body\nu1,Head,Body text\nu2,Head 2,\n", encoding="utf-8")
    db = str(tmp_path / "p.db")
    code, _, err = _run(capsys, "--project", db, "import", str(path))
    assert code == 1 and "no column 'text' for --text-column" in err
    code, out, err = _run(
        capsys,
        "--project",
        db,
        "import",
        str(path),
        "--text-column",
        "body",
        "--id-column",
        "url",
        "--title-column",
        "headline",
    )
    assert code == 1 and err.strip() == f"{path}:3: text is empty in column 'body'"
    assert out.startswith("Imported 1 document from 1 file")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.db")
    assert _run(capsys, "--project", db, "import")[0] == 2
    assert _run(capsys, "--project", db, "import", "x.txt", "--format", "pdf")[0] == 2
    assert _run(capsys, "--project", db, "export")[0] == 2
    assert _run(capsys, "--project", db, "frobnicate")[0] == 2
    assert _run(capsys)[0] == 2
    assert not Path(db).exists()


@pytest.mark.parametrize("command", ["import", "export", "stats"])
def test_help_of_each_command_stands_alone(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0
    assert "exit codes:" in out and "--project" not in out.split("exit codes:")[0].split("options:")[0]
    if command != "stats":
        assert "examples:" in out


def test_unusable_project_file_is_one_line_and_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite at all " * 10, encoding="utf-8")
    before = _sha(bogus)
    for argv in (["stats"], ["import", str(REPO / "corpus")], ["export", "--out", str(tmp_path / "o")]):
        code, out, err = _run(capsys, "--project", str(bogus), *argv)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith(f"annotator: {bogus}: not an annotator project")
    assert _sha(bogus) == before
    code, _, err = _run(capsys, "--project", str(tmp_path / "missing.db"), "stats")
    assert code == 2 and "no such project file" in err
    assert not (tmp_path / "missing.db").exists()


def test_stats_and_export_leave_the_project_bytes_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    assert _run(capsys, "--project", str(db), "import", str(FIXTURES / "annotations.jsonl"))[0] == 0
    before = _sha(db)
    code, out, _ = _run(capsys, "--project", str(db), "stats")
    assert code == 0
    table = dict(line.rsplit(None, 1) for line in out.splitlines())
    assert table["spans"] == "4" and table["status done"] == "1"
    assert _run(capsys, "--project", str(db), "export", "--out", str(tmp_path / "tables"))[0] == 0
    assert _run(capsys, "--project", str(db), "export", "--out", str(tmp_path / "all.jsonl"))[0] == 0
    assert _sha(db) == before
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "claims.csv",
        "comments.csv",
        "documents.csv",
        "guidelines.md",
        "relations.csv",
        "scheme.toml",
        "spans.csv",
        "stances.csv",
        "status.csv",
    ]


def test_jsonl_round_trip_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    assert _run(capsys, "--project", first, "import", str(FIXTURES / "annotations.jsonl"))[0] == 0
    assert _run(capsys, "--project", first, "export", "--format", "jsonl", "--out", str(tmp_path / "a.jsonl"))[0] == 0
    code, out, _ = _run(capsys, "--project", second, "import", str(tmp_path / "a.jsonl"))
    assert code == 0 and "Imported annotations: 4 spans, 1 relation, 3 stances" in out
    assert _run(capsys, "--project", second, "export", "--out", str(tmp_path / "b.jsonl"))[0] == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    code, _, _ = _run(
        capsys, "--project", second, "export", "--out", str(tmp_path / "gold.jsonl"), "--annotator", "nobody"
    )
    assert code == 1


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--project", db, "import", str(REPO / "corpus")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "--project", db, "stats", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0 and json.loads(run.stdout)["documents"] == 5


class _Tty:
    def __init__(self, tty: bool) -> None:
        self.tty, self.written = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal_and_for_long_imports() -> None:
    big = cli.PROGRESS_MIN_BYTES * 2
    pipe, small, tty = cli.ProgressBar(_Tty(False)), cli.ProgressBar(_Tty(True)), cli.ProgressBar(_Tty(True))
    for bar in (pipe, small, tty):
        total = 100 if bar is small else big
        bar(0, total)
        bar(total, total)
        bar.finish()
    assert pipe.stream.written == "" and small.stream.written == ""  # type: ignore[attr-defined]
    assert tty.stream.written.endswith("] 100%\n")  # type: ignore[attr-defined]

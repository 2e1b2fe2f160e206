"""One error path: every failure a user can cause reaches the CLI as one line naming the file (and
line) with the documented exit code, never a traceback; a bug is logged with its traceback and the
line says where. Each case runs the real command in a child process."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator import paths
from annotator.cli import main as cli_main
from annotator.services.documents import stats
from annotator.services.project import Project
from tests.reliability.cli_run import annotator, here, immutable_file, one_line, read_only_folder

DEEP = "[" * 10_000 + "]" * 10_000


def _articles(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _good(text: str) -> str:
    return json.dumps({"text": text})


def _annotated(i: int) -> str:
    text = f"Article {i}: Zelensky said NATO must act. " * 5
    span = {"id": "s1", "label": "claim", "start": 0, "end": 9, "text": text[:9], "attributes": {}}
    return json.dumps({"document": {"id": f"d{i}", "text": text}, "annotator": "alice", "spans": [span]})


def _count(db: Path) -> int:
    project = Project.open(db, readonly=True)
    try:
        return stats(project)["documents"]
    finally:
        project.close()


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ('{"text": "deep", "meta": ' + DEEP + "}", "nested too deeply"),
        ('{"text": "lone \\ud800 surrogate"}', "lone surrogate"),
        ('{"text": "ok", "meta": {"k": "\\udfff"}}', "lone surrogate"),
    ],
)
def test_hostile_json_line_is_rejected_by_line_and_good_lines_stay(tmp_path: Path, bad_line: str, reason: str) -> None:
    db = tmp_path / "p.db"
    src = _articles(tmp_path / "in.jsonl", _good("first good article"), bad_line, _good("second good article"))
    run = here("--project", db, "import", src)
    assert run.code == 1
    assert one_line(run).startswith(f"{src}:2: ") and reason in run.err
    assert "Imported 2 documents" in run.out
    assert _count(db) == 2


def test_hostile_annotation_jsonl_lines_are_rejected_by_line(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    text = "Zelensky said NATO must act."
    good = {"document": {"id": "d1", "text": text}, "annotator": "alice", "spans": [], "relations": [], "stances": []}
    deep = '{"document": {"id": "d2", "text": "x"}, "annotator": "bob", "spans": ' + DEEP + "}"
    src = _articles(tmp_path / "ann.jsonl", json.dumps(good), deep, '{"document": {"id": "d3", "text": "\\ud800"}}')
    run = here("--project", db, "import", src)
    assert run.code == 1 and "Traceback" not in run.err
    assert f"{src}:2: " in run.err and f"{src}:3: " in run.err and len(run.err.splitlines()) == 2


def _bad_utf8_inside(path: Path) -> Path:
    """A project whose text columns hold bytes that are not UTF-8 (written by another tool)."""
    project = Project.open(path)
    project.annotator("alice")
    project.close()
    here("--project", path, "import", _articles(path.with_suffix(".jsonl"), _good("an article")))
    with sqlite3.connect(path) as raw:
        raw.execute("update documents set title = cast(x'41ff42' as text)")
        raw.execute("update annotators set name = cast(x'61ff' as text)")
    raw.close()
    return path


@pytest.mark.parametrize("bad", ["deep", "surrogate", "garbage_db", "sqlite_garbage_db", "damaged_db", "bad_utf8_db"])
def test_bad_merge_input_is_one_line_and_nothing_is_merged(tmp_path: Path, bad: str) -> None:
    db = tmp_path / "p.db"
    Project.open(db).close()
    if bad == "deep":
        src = _articles(tmp_path / "x.jsonl", DEEP)
    elif bad == "surrogate":
        src = _articles(tmp_path / "x.jsonl", '{"document": {"id": "a", "text": "\\ud800"}, "annotator": "a"}')
    elif bad == "garbage_db":
        src = tmp_path / "x.db"
        src.write_bytes(b"\xff\xfe\x00 not a database " * 200)
    elif bad == "sqlite_garbage_db":
        src = tmp_path / "x.db"
        src.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    elif bad == "bad_utf8_db":
        src = _bad_utf8_inside(tmp_path / "x.db")
    else:
        src = tmp_path / "x.db"
        Project.open(src).close()
        data = bytearray(src.read_bytes())
        data[4096 + 8 :] = b"\xde\xad" * ((len(data) - 4096 - 8) // 2)
        src.write_bytes(bytes(data))
    run = here("--project", db, "merge", src)
    assert run.code in (1, 2)
    assert str(src) in one_line(run)


@pytest.mark.parametrize("kind", ["garbage", "sqlite_garbage", "deep_scheme", "bad_utf8"])
def test_unusable_project_is_one_line(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "p.db"
    if kind == "garbage":
        db.write_bytes(b"\xff\xfe\x00 not a database " * 200)
    elif kind == "bad_utf8":
        _bad_utf8_inside(db)
    elif kind == "sqlite_garbage":
        db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84 + b"\xff" * 8000)
    else:
        Project.open(db).close()
        with sqlite3.connect(db) as raw:
            raw.execute(
                "insert into schemes(toml, installed_at) values (?, '2024-01-01T00:00:00Z')",
                ("x = " + "[" * 5000 + "]" * 5000 + "\n",),
            )
        raw.close()
    commands = (["export", "--out", str(tmp_path / "out")], ["export", "--out", str(tmp_path / "o.jsonl")])
    if kind not in ("bad_utf8", "deep_scheme"):  # counting never reads the damaged text or the scheme
        commands += (["stats"], ["import", str(tmp_path)])
    if kind == "deep_scheme":
        commands += (["import", str(tmp_path)],)
    for argv in commands:
        run = here("--project", db, *argv)
        assert run.code in (1, 2)
        assert str(db) in one_line(run)
    if kind in ("bad_utf8", "deep_scheme"):  # stats counts the rows of a file SQLite reads
        run = here("--project", db, "stats", "--json")
        assert run.code == 0 and run.err == "", run.err
        assert json.loads(run.out)["documents"] == (1 if kind == "bad_utf8" else 0)


def test_disk_full_during_import_keeps_earlier_files_and_the_report(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    Project.open(db).close()
    small = _articles(tmp_path / "a_small.jsonl", *[_good(f"small article {i}") for i in range(5)])
    big = _articles(tmp_path / "b_big.jsonl", *[_good(f"big article {i} " * 100) for i in range(3000)])
    after = _articles(tmp_path / "c_after.jsonl", _good("after"))
    run = annotator("--project", db, "import", small, big, after, limit_bytes=db.stat().st_size + 300_000)
    assert run.code == 1 and "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[0].startswith(f"{big}: not imported: ") and "disk" in lines[0]
    assert lines[1].startswith(f"{after}: not imported")
    assert "Imported 5 documents" in run.out
    assert _count(db) == 5
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_disk_full_during_export_is_one_line_and_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "p.db"
    records = [_annotated(i) for i in range(300)]
    run = here("--project", db, "import", _articles(tmp_path / "a.jsonl", *records))
    assert run.code == 0, run.err

    def listing() -> list[str]:  # SQLite's own -wal/-shm beside the project are not ours
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("p.db-"))

    before = listing()
    out = tmp_path / ("out" if fmt == "csv" else "out.jsonl")
    run = annotator("--project", db, "export", "--out", out, "--format", fmt, limit_bytes=60_000)
    assert run.code == 1
    assert str(out) in one_line(run) and "disk is full" in run.err
    assert listing() == before


def test_read_only_folder_reads_and_refuses_writes_in_a_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "p.db"
    src = _articles(tmp_path / "a.jsonl", _good("an article"))
    assert here("--project", db, "import", src).code == 0
    with read_only_folder(folder) as wrap:
        run = annotator("--project", db, "stats", "--json", wrap=wrap)
        assert run.code == 0 and json.loads(run.out)["documents"] == 1, run.err
        run = annotator("--project", db, "export", "--out", tmp_path / "out.jsonl", wrap=wrap)
        assert run.code == 0, run.err
        run = annotator("--project", db, "import", _articles(tmp_path / "b.jsonl", _good("another")), wrap=wrap)
        assert run.code == 2 and "read-only" in one_line(run) and str(db) in run.err


def test_immutable_project_refuses_import_in_a_sentence(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert here("--project", db, "import", _articles(tmp_path / "a.jsonl", _good("an article"))).code == 0
    with immutable_file(db):
        run = annotator("--project", db, "import", _articles(tmp_path / "b.jsonl", _good("another")))
        assert run.code == 2 and str(db) in one_line(run) and "read-only" in run.err
        assert here("--project", db, "stats").code == 0
    assert _count(db) == 1


def test_a_bug_is_logged_with_its_traceback_and_the_line_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.services import counts

    def broken(_location: object) -> dict[str, int]:
        raise ZeroDivisionError("deliberate bug")

    monkeypatch.setattr(counts, "project_stats", broken)
    Project.open(tmp_path / "p.db").close()
    assert cli_main(["--project", str(tmp_path / "p.db"), "stats"]) == 1
    err = capsys.readouterr().err
    log = paths.log_dir() / "annotator.log"
    assert err.count("\n") == 1 and "ZeroDivisionError" in err and str(log) in err and "Traceback" not in err
    assert "deliberate bug" in log.read_text(encoding="utf-8") and "Traceback" in log.read_text(encoding="utf-8")

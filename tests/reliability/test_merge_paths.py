"""Merge paths: the rename the clash message suggests works when pasted, for any name (with "=",
with spaces) and for one name held by two people inside one file; "newer wins" compares instants."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from annotator.services.project import Project
from tests.reliability.cli_run import here as annotator

TEXT = "Zelensky said NATO must act quickly on membership."


def _line(name: str, uid: str, value: str = "favor", updated: str = "2024-05-01T09:30:00Z") -> str:
    stance = {"target": "nato_membership", "value": value, "span": None, "created_at": updated, "updated_at": updated}
    return json.dumps(
        {
            "document": {"id": "d1", "text": TEXT},
            "annotator": name,
            "annotator_uid": uid,
            "spans": [],
            "relations": [],
            "stances": [stance],
        }
    )


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _suggestion(err: str) -> list[str]:
    """The option the message suggests, split as a shell would split the pasted text."""
    tail = err.split(" with ", 1)[1].strip()
    return shlex.split(tail)


def _annotators(db: Path) -> set[str]:
    project = Project.open(db, readonly=True)
    try:
        return {a.name for a in project.annotators()}
    finally:
        project.close()


@pytest.mark.parametrize("name", ["=alice", "alice smith", "o'brien=x"])
def test_the_suggested_rename_works_when_pasted(tmp_path: Path, name: str) -> None:
    db = tmp_path / "p.db"
    assert annotator("--project", db, "merge", _write(tmp_path / "mine.jsonl", _line(name, "uid-1"))).code == 0
    theirs = _write(tmp_path / "theirs.jsonl", _line(name, "uid-2"))
    run = annotator("--project", db, "merge", theirs)
    assert run.code == 1 and "Traceback" not in run.err
    option = _suggestion(run.err)
    run = annotator("--project", db, "merge", theirs, *option)
    assert run.code == 0, run.err
    assert _annotators(db) == {name, name + "2"}


def test_rename_json_takes_any_name(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    src = _write(tmp_path / "a.jsonl", _line("=alice", "uid-1"))
    run = annotator("--project", db, "merge", src, "--rename-json", '{"=alice": "alice2"}')
    assert run.code == 0, run.err
    assert _annotators(db) == {"alice2"}
    assert annotator("--project", db, "merge", src, "--rename-json", "[1]").code == 2


def test_one_name_under_two_person_ids_in_one_file_has_a_way_forward(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    both = _write(tmp_path / "both.jsonl", _line("alice", "uid-1"), _line("alice", "uid-2", value="against"))
    run = annotator("--project", db, "merge", both)
    assert run.code == 1 and "two different people" in run.err
    option = _suggestion(run.err)
    assert option[0] == "--rename-json" and "uid:uid-2" in option[1]
    run = annotator("--project", db, "merge", both, *option)
    assert run.code == 0, run.err
    assert _annotators(db) == {"alice", "alice2"}


def test_newer_wins_compares_instants_not_text(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    first = _write(tmp_path / "first.jsonl", _line("alice", "uid-1", "favor", "2024-05-01T09:30:00Z"))
    assert annotator("--project", db, "merge", first).code == 0
    # 10:00+02:00 is 08:00Z: older than what the project holds, although it sorts later as text.
    older = _write(tmp_path / "older.jsonl", _line("alice", "uid-1", "against", "2024-05-01T10:00:00+02:00"))
    assert annotator("--project", db, "merge", older).code == 0
    export = tmp_path / "out.jsonl"
    assert annotator("--project", db, "export", "--out", export).code == 0
    (record,) = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [s["value"] for s in record["stances"]] == ["favor"]
    # 08:00-05:00 is 13:00Z: newer, although it sorts earlier as text.
    newer = _write(tmp_path / "newer.jsonl", _line("alice", "uid-1", "against", "2024-05-01T08:00:00-05:00"))
    assert annotator("--project", db, "merge", newer).code == 0
    assert annotator("--project", db, "export", "--out", export).code == 0
    (record,) = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [(s["value"], s["updated_at"]) for s in record["stances"]] == [("against", "2024-05-01T13:00:00.000000Z")]

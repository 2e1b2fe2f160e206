"""`annotator stats` reads counts through SQLAlchemy Core only (services.counts, store.counts): the
same output as counting on an opened `Project` (both back ends), the same one-line refusals as
opening the project, and the CLI imports only the command being run (no ORM for `stats`)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import cli
from annotator.io.importer import import_paths
from annotator.model.errors import ProjectFileError
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.counts import project_stats
from annotator.services.project import Project
from annotator.store import files

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def _fill(project: Project) -> None:
    """Documents, two annotators' spans, relations, stances and three different statuses."""
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    import_paths(project, [FIXTURES / "annotations.jsonl"])
    bob = project.annotator("bob")
    ids = documents.document_ids(project)
    svc.set_status(project, ids[0], bob.id, Status.DONE)
    text = documents.load_view(project, ids[1], bob.id).document.text
    svc.add_span(project, ids[1], bob.id, project.scheme.labels[0].name, 0, min(10, len(text)))


def _orm_figures(project: Project) -> dict[str, object]:
    """What `stats --json` printed before it had a Core-only path: the ORM queries on an open Project."""
    statuses = {status.value: n for status, n in documents.status_counts(project).items()}
    return {**documents.stats(project), "status": statuses}


def test_stats_json_equals_the_orm_counts_on_both_back_ends(
    project: Project, project_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(project)
    expected = _orm_figures(project)
    assert all(expected[k] for k in ("documents", "annotators", "spans", "relations", "stances"))
    assert sum(expected["status"].values()) >= 2  # type: ignore[attr-defined]
    code = cli.main(["--project", str(project_location), "stats", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    assert out.count("\n") == 1
    assert json.loads(out) == expected
    assert list(json.loads(out)) == list(expected)  # same keys in the same order
    assert list(json.loads(out)["status"]) == [s.value for s in Status]
    # every (document, annotator) pair, as the list shows each annotator's: untouched ones not started
    pairs = expected["documents"] * expected["annotators"]  # type: ignore[operator]
    assert sum(json.loads(out)["status"].values()) == pairs
    assert json.loads(out)["status"]["done"] >= 1 and json.loads(out)["status"]["in_progress"] >= 1


def test_stats_text_lists_every_count(
    project: Project, project_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(project)
    expected = _orm_figures(project)
    assert cli.main(["--project", str(project_location), "stats"]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    shown = {" ".join(words[:-1]): int(words[-1].replace(",", "")) for words in lines}
    statuses = expected.pop("status")
    assert shown == {**expected, **{f"status {k}": v for k, v in statuses.items()}}  # type: ignore[attr-defined]


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("update meta set value = ? where key = 'schema_version'", (str(files.SCHEMA_VERSION + 1),))
    raw.close()


def _older(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("update meta set value = ? where key = 'schema_version'", (str(files.SCHEMA_VERSION - 1),))
    raw.close()


def _no_scheme(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("delete from schemes")
    raw.close()


def _not_annotator(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("update meta set value = 'other' where key = 'application'")
    raw.close()


def _garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's content, after the 100-byte header
    path.write_bytes(bytes(data))


def _text_file(path: Path) -> None:
    path.write_text("id,text\n1,hello\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("spoil", [_newer, _older, _no_scheme, _not_annotator, _garbage, _text_file, _empty])
def test_a_file_stats_refuses_gets_the_line_opening_it_gets(tmp_path: Path, spoil: object) -> None:
    db = tmp_path / "p.db"
    Project.open(db).close()
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    spoil(db)  # type: ignore[operator]
    before = db.read_bytes()
    with pytest.raises(ProjectFileError) as opened:
        Project.open(db, readonly=True).close()
    with pytest.raises(ProjectFileError) as counted:
        project_stats(db)
    assert str(counted.value) == str(opened.value)
    assert "\n" not in str(counted.value) and str(db) in str(counted.value)
    assert db.read_bytes() == before


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="no such project file"):
        project_stats(tmp_path / "missing.db")
    assert list(tmp_path.iterdir()) == []


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    return set(run.stdout.splitlines()[-1].split())


OTHER_COMMANDS = {f"annotator.cli.{m}" for m in ("scheme", "search", "review", "rescue", "server")}


def test_importing_the_cli_imports_no_command_module_and_no_database_library() -> None:
    loaded = _modules_after("import annotator.cli")
    assert "annotator.cli" in loaded
    assert not loaded & (OTHER_COMMANDS | {"annotator.cli.data"})
    assert "sqlalchemy" not in loaded and "PySide6" not in loaded


def test_stats_command_imports_neither_the_orm_nor_other_commands(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    project = Project.open(db)
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    project.close()
    loaded = _modules_after(
        f"from annotator import cli\nassert cli.main(['--project', {str(db)!r}, 'stats', '--json']) == 0\n"
    )
    assert "annotator.cli.data" in loaded and "sqlalchemy" in loaded  # it did run and count
    assert not loaded & OTHER_COMMANDS
    assert not {m for m in loaded if m.startswith(("sqlalchemy.orm", "annotator.services.project"))}
    assert "annotator.model.scheme" not in loaded  # the stored scheme is not parsed


def test_help_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert f"\n    {name} " in out
    assert cli.main(["--project", "x.db", "no-such-command"]) == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err

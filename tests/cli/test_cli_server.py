"""Team mode on a real PostgreSQL server: `server init`, `server add-user`, and the rights the server
enforces on a client that bypasses the app (raw SQL as annotator A)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from annotator.cli import main
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import review
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "Zelensky said NATO must offer guarantees now."


def test_server_init_and_add_user_then_the_server_refuses_what_rls_forbids(pg_database: str) -> None:
    tag = uuid.uuid4().hex[:8]
    alice, bob = f"alice_{tag}", f"bob_{tag}"
    assert main(["server", "init", pg_database]) == 0
    assert main(["server", "init", pg_database]) == 0  # again: nothing breaks
    for who in (alice, bob):
        assert main(["--project", pg_database, "server", "add-user", who, "--role", "annotator"]) == 0
    project = Project.open(pg_database)
    try:
        (doc_id,) = add_texts(project, TEXT)
        ids = {a.name: a.id for a in project.annotators()}
        bobs_span, _ = svc.add_span(project, doc_id, ids[bob], "claim", 14, 45)
    finally:
        project.close()
    engine = create_engine(make_url(pg_database).set(username=alice))
    span_row = {
        "d": doc_id,
        "b": ids[bob],
        "a": ids[alice],
        "t": TEXT[0:8],
        "now": "2024-01-01T00:00:00Z",
    }
    insert = text(
        'INSERT INTO spans (doc_id, annotator_id, label, start, "end", text, attributes, origin, created_at, '
        "updated_at) VALUES (:d, :who, 'source', 0, 8, :t, '{}', 'manual', :now, :now)"
    )
    try:
        with engine.begin() as conn:
            changed = conn.execute(text("UPDATE spans SET label = 'source' WHERE annotator_id = :b"), span_row)
            assert changed.rowcount == 0  # B's rows are not A's to change
            deleted = conn.execute(text("DELETE FROM spans WHERE annotator_id = :b"), span_row)
            assert deleted.rowcount == 0
            conn.execute(insert, {**span_row, "who": ids[alice]})  # A's own layer: allowed
        with pytest.raises(DBAPIError, match="row-level security"), engine.begin() as conn:
            conn.execute(insert, {**span_row, "who": ids[bob]})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM spans WHERE annotator_id = :b"), span_row).scalar() == 1
    finally:
        engine.dispose()

    project = Project.open(pg_database)
    try:
        review.set_blind(project, True)
    finally:
        project.close()
    engine = create_engine(make_url(pg_database).set(username=alice))
    try:
        with engine.connect() as conn:
            seen = conn.execute(text("SELECT label FROM spans WHERE annotator_id = :b"), span_row).all()
            assert seen == []  # blind: B's layer is hidden from A until A is done
            assert conn.execute(text("SELECT count(*) FROM spans WHERE annotator_id = :a"), span_row).scalar() == 1
        project = Project.open(pg_database)
        try:
            svc.set_status(project, doc_id, ids[alice], Status.DONE)
        finally:
            project.close()
        with engine.connect() as conn:
            seen = conn.execute(text("SELECT id FROM spans WHERE annotator_id = :b"), span_row).all()
            assert [row[0] for row in seen] == [bobs_span.id]
    finally:
        engine.dispose()


def test_server_commands_refuse_a_project_file(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = f"{tmp_path}/p.db"
    assert main(["init", path]) == 0
    assert main(["--project", path, "server", "add-user", "carol", "--role", "annotator"]) == 1
    assert "needs a project on a PostgreSQL server" in capsys.readouterr().err

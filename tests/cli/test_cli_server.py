"""Team mode on a real PostgreSQL server: `server init`, `server add-user`, and the rights the server
enforces on a client that bypasses the app (raw SQL as annotator A)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from annotator.cli import main
from annotator.io.export_jsonl import export_jsonl
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents, review, team
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


def test_push_uploads_a_file_whose_export_the_server_then_reproduces_and_twice_changes_nothing(
    pg_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = Project.open(tmp_path / "offline.db")
    try:
        doc_a, doc_b = add_texts(local, TEXT, "A second article, with no annotations at all.")
        me = local.annotator("alice")
        claim, _ = svc.add_span(local, doc_a, me.id, "claim", 14, 45, {"claim_type": "factual"})
        source, _ = svc.add_span(local, doc_a, me.id, "source", 0, 8)
        svc.link(local, "attributed_to", claim.id, source.id)
        svc.set_stance(local, doc_a, me.id, "nato_membership", "favor")
        svc.set_status(local, doc_a, me.id, Status.DONE)
        export_jsonl(local, tmp_path / "local.jsonl")
    finally:
        local.close()

    assert main(["push", str(tmp_path / "offline.db"), "--to", pg_database]) == 0
    assert "1 relations" in capsys.readouterr().out
    server = Project.open(pg_database, readonly=True)
    try:
        export_jsonl(server, tmp_path / "server.jsonl")
    finally:
        server.close()
    assert (tmp_path / "server.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()

    assert main(["push", str(tmp_path / "offline.db"), "--to", pg_database]) == 0
    assert "nothing new" in capsys.readouterr().out
    server = Project.open(pg_database, readonly=True)
    try:
        export_jsonl(server, tmp_path / "again.jsonl")
    finally:
        server.close()
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()

    # ... and back: an offline copy exports the same again, documents without work included.
    assert main(["pull", pg_database, "--to", str(tmp_path / "copy.db")]) == 0
    assert "Pulled 2 documents" in capsys.readouterr().out
    copy = Project.open(tmp_path / "copy.db", readonly=True)
    try:
        export_jsonl(copy, tmp_path / "copy.jsonl")
        assert len(documents.document_ids(copy)) == 2
    finally:
        copy.close()
    assert (tmp_path / "copy.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert main(["pull", pg_database, "--to", str(tmp_path / "copy.db")]) == 2  # never overwrites


def test_one_curator_per_document_and_the_holder_is_named(pg_database: str) -> None:
    tag = uuid.uuid4().hex[:8]
    carol, dave = f"carol_{tag}", f"dave_{tag}"
    assert main(["server", "init", pg_database]) == 0
    for who in (carol, dave):
        assert main(["--project", pg_database, "server", "add-user", who, "--role", "curator"]) == 0
    admin = Project.open(pg_database)
    try:
        doc_a, doc_b = add_texts(admin, TEXT, "Another text.")
    finally:
        admin.close()
    as_carol = Project.open(make_url(pg_database).set(username=carol).render_as_string(hide_password=False))
    as_dave = Project.open(make_url(pg_database).set(username=dave).render_as_string(hide_password=False))
    try:
        lock = team.curate(as_carol, doc_a)
        assert not isinstance(lock, str)
        assert team.curate(as_dave, doc_a) == carol  # refused, and says who holds it
        other = team.curate(as_dave, doc_b)  # another document is free
        assert not isinstance(other, str)
        other.release()
        lock.release()
        again = team.curate(as_dave, doc_a)
        assert not isinstance(again, str)
        again.release()
    finally:
        as_carol.close()
        as_dave.close()


def test_the_curator_lock_of_a_project_file_is_always_granted(tmp_path: Path) -> None:
    project = Project.open(tmp_path / "p.db")
    try:
        (doc_id,) = add_texts(project, TEXT)
        first, second = team.curate(project, doc_id), team.curate(project, doc_id)
        assert not isinstance(first, str) and not isinstance(second, str)
    finally:
        project.close()


def test_add_user_changes_a_role_and_leaves_the_login_in_exactly_one_group(pg_database: str) -> None:
    name = f"erin_{uuid.uuid4().hex[:8]}"
    assert main(["server", "init", pg_database]) == 0
    members = text(
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :n ORDER BY g.rolname"
    )
    engine = create_engine(pg_database)
    try:
        for role in ("curator", "annotator", "manager", "annotator", "annotator"):
            assert main(["--project", pg_database, "server", "add-user", name, "--role", role]) == 0
            with engine.connect() as conn:
                assert [r[0] for r in conn.execute(members, {"n": name})] == [role]
    finally:
        engine.dispose()
    # The demoted curator, now an annotator, is refused a colleague's rows by the server.
    project = Project.open(pg_database)
    try:
        (doc_id,) = add_texts(project, TEXT)
        other = project.annotator(f"frank_{uuid.uuid4().hex[:8]}").id
        svc.add_span(project, doc_id, other, "claim", 14, 45)
    finally:
        project.close()
    as_erin = create_engine(make_url(pg_database).set(username=name))
    try:
        with as_erin.begin() as conn:
            changed = conn.execute(text("UPDATE spans SET label = 'source' WHERE annotator_id = :o"), {"o": other})
            assert changed.rowcount == 0
    finally:
        as_erin.dispose()

"""Shared rows carry a version (version_id_col); a schema-3 project (without them) is upgraded in place,
on a file and on the server, its rows starting at version 1."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import DDL, inspect, select, update

from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.store.engine import SCHEMA_VERSION, open_store
from annotator.store.migrations import VERSIONED
from annotator.store.tables import DocStatusRow, MetaRow, SpanRow
from tests.helpers import add_texts


def test_every_orm_update_of_a_shared_row_bumps_its_version(project: Project) -> None:
    doc = add_texts(project, "The minister said the talks failed.")[0]
    me = project.annotator("gold").id
    span, _ = A.add_span(project, doc, me, "claim", 0, 12)
    assert span.version == 1
    A.set_attribute(project, span.id, "claim_type", "factual")
    A.update_span(project, span.id, label="source", attributes={})
    assert D.load_view(project, doc, me).spans[0].version == 3


def test_a_schema_3_project_gets_row_versions(project_location: Path | str) -> None:
    project = Project.open(project_location)
    doc = add_texts(project, "The minister said the talks failed.")[0]
    span, _ = A.add_span(project, doc, project.annotator("gold").id, "claim", 0, 12)
    project.close()
    # Make it what schema 3 wrote: no version columns.
    store = open_store(project_location)
    with store.engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.format_table
        for row_class in VERSIONED:
            conn.execute(DDL(f"ALTER TABLE {quote(row_class.__table__)} DROP COLUMN version"))  # type: ignore[arg-type]
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="3"))
    store.close()

    upgraded = Project.open(project_location)
    try:
        with upgraded.session() as s:
            version = s.scalars(select(MetaRow.value).where(MetaRow.key == "schema_version")).one()
            assert version == str(SCHEMA_VERSION)
            for row_class in VERSIONED:
                columns = {c["name"] for c in inspect(s.connection()).get_columns(row_class.__tablename__)}
                assert "version" in columns, row_class.__tablename__
            assert s.scalars(select(SpanRow.version)).all() == [1]
        _before, after, _ = A.set_attribute(upgraded, span.id, "claim_type", "opinion", expected_version=1)
        assert after.version == 2
    finally:
        upgraded.close()


def test_a_span_put_back_by_undo_keeps_its_version(project: Project) -> None:
    doc = add_texts(project, "The minister said the talks failed.")[0]
    me = project.annotator("gold").id
    span, _ = A.add_span(project, doc, me, "claim", 0, 12)
    A.set_attribute(project, span.id, "claim_type", "factual")
    A.set_stance(project, doc, me, "nato_membership", "favor", span.id)
    A.set_stance(project, doc, me, "nato_membership", "against", span.id)
    removed, _ = A.delete_span(project, span.id)
    assert removed.span.version == 2 and removed.stances[0].version == 2
    A.restore_span(project, removed)
    view = D.load_view(project, doc, me)
    assert (view.spans[0].id, view.spans[0].version) == (span.id, 2)
    assert [(s.value, s.version) for s in view.stances] == [("against", 2)]


def test_a_schema_6_project_gets_the_stance_clock(project_location: Path | str) -> None:
    """Schema 6 -> 7: doc_status.stance_clock is added (0 on the rows there); a stance cleared after
    the upgrade and set again starts above the version it had."""
    project = Project.open(project_location)
    doc = add_texts(project, "The minister said the talks failed.")[0]
    gold = project.annotator("gold").id
    A.set_stance(project, doc, gold, "nato_membership", "favor")
    A.set_stance(project, doc, gold, "nato_membership", "against")
    project.close()
    store = open_store(project_location)
    with store.engine.begin() as conn:  # what schema 6 wrote: no stance clock
        conn.execute(DDL("ALTER TABLE doc_status DROP COLUMN stance_clock"))
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="6"))
    store.close()

    upgraded = Project.open(project_location)
    try:
        with upgraded.session() as s:
            version = s.scalars(select(MetaRow.value).where(MetaRow.key == "schema_version")).one()
            assert version == str(SCHEMA_VERSION)
            assert s.scalars(select(DocStatusRow.stance_clock)).all() == [0]
        (stance,) = D.load_view(upgraded, doc, gold).stances
        assert stance.version == 2
        A.set_stance(upgraded, doc, gold, "nato_membership", None, expected_version=2)
        A.set_stance(upgraded, doc, gold, "nato_membership", "neutral", expected_version=0)
        assert [(st.value, st.version) for st in D.load_view(upgraded, doc, gold).stances] == [("neutral", 3)]
    finally:
        upgraded.close()

"""Schema 5 -> 6 (issue 13): a project made before discontinuous spans and relation roles opens on
both back ends, keeps its rows and can then store fragments, role arguments and relation attributes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, update

from annotator.model.types import Relation
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.store import annotations as store_ann
from annotator.store import documents as store_docs
from annotator.store.engine import SCHEMA_VERSION, utc_now
from annotator.store.tables import MetaRow

TEXT = "“Quote one,” he said, “quote two.”"
DROPS = (("spans", "fragments"), ("relations", "args"), ("relations", "attributes"))


@pytest.fixture
def location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """A fresh database of its own (the migration alters tables, so not the shared server project)."""
    yield tmp_path / "old.db" if backend == "sqlite" else request.getfixturevalue("pg_database")


def _url(location: Path | str) -> str:
    return f"sqlite:///{location}" if isinstance(location, Path) else location


def _make_schema_5(location: Path | str) -> tuple[int, int, int]:
    project = Project.open(location)
    try:
        with project.session() as s:
            sha = hashlib.sha256(TEXT.encode()).hexdigest()
            row = dict(ext_id="d", sha256=sha, title="d", text=TEXT, n_chars=len(TEXT), meta={})
            store_docs.insert_documents(s, [{**row, "encoding": "utf-8", "source": None, "imported_at": utc_now()}])
        doc = D.document_ids(project)[-1]
        alice = project.annotator("alice").id
        claim, _ = A.add_span(project, doc, alice, "claim", 1, 10, {})
        source, _ = A.add_span(project, doc, alice, "source", TEXT.index("he"), TEXT.index("he") + 2, {})
        A.link(project, "attributed_to", claim.id, source.id)
    finally:
        project.close()
    engine = create_engine(_url(location))
    try:
        with engine.begin() as conn:  # what schema 5 wrote: none of the three columns
            for table, column in DROPS:
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
            conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="5"))
    finally:
        engine.dispose()
    return doc, claim.id, source.id


def test_a_schema_5_project_gains_fragments_and_relation_roles(location: Path | str) -> None:
    doc, claim, source = _make_schema_5(location)
    project = Project.open(location)
    try:
        with project.session() as s:
            spans = store_ann.spans_for(s, doc)
            (relation,) = store_ann.relations_for(s, doc)
            version = s.scalars(select(MetaRow.value).where(MetaRow.key == "schema_version")).one()
        assert version == str(SCHEMA_VERSION)
        assert [(sp.id, sp.fragments) for sp in spans] == [(claim, ()), (source, ())]
        assert (relation.from_span, relation.to_span, relation.args, relation.attributes) == (claim, source, {}, {})
        second = (TEXT.index("quote two"), TEXT.index("quote two") + 9)
        with project.session() as s:
            moved = store_ann.update_span(s, claim, fragments=((1, 10), second), start=1, end=second[1])
        assert moved.fragments == ((1, 10), second)
        with project.session() as s:
            cue = Relation(0, doc, relation.annotator_id, "attributed_to", claim, source, args={"cue": source})
            store_ann.insert_relation(s, replace(cue, attributes={"quote_type": "direct"}))
        with project.session() as s:
            assert store_ann.spans_for(s, doc)[0].fragments == ((1, 10), second)
            stored = [(r.args, r.attributes) for r in store_ann.relations_for(s, doc)]
        assert stored == [({}, {}), ({"cue": source}, {"quote_type": "direct"})]
    finally:
        project.close()
    if isinstance(location, Path):
        assert (location.parent / "old.db.v5.bak").is_file()

"""The full-text index: created with a project, kept by triggers, built for files of the schema before it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.services.search import SearchQuery, search
from annotator.store.engine import FULLTEXT_SINCE, SCHEMA_VERSION
from annotator.store.rescue import rescue
from tests.services.test_search import _add_docs


def _index_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("select name from sqlite_master where name like '%fts%'").fetchall()
    return {r[0] for r in rows}


def test_a_file_of_the_previous_schema_gets_the_index_of_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    project = Project.open(path)
    (doc,) = _add_docs(project, ["Talks in Vilnius stalled over NATO membership."])
    A.add_span(project, doc, project.annotator("alice").id, "claim", 0, 25)
    project.close()
    # What the schema before the index wrote: no index tables, no triggers.
    raw = sqlite3.connect(path)
    for name in ("documents_fts_insert", "documents_fts_delete", "documents_fts_update"):
        raw.execute(f"drop trigger {name}")
    for name in ("spans_fts_insert", "spans_fts_delete", "spans_fts_update"):
        raw.execute(f"drop trigger {name}")
    raw.execute("drop table documents_fts")
    raw.execute("drop table spans_fts")
    raw.execute("update meta set value=? where key='schema_version'", (str(FULLTEXT_SINCE - 1),))
    raw.commit()
    raw.close()
    assert not any(name.startswith(("documents_fts", "spans_fts")) for name in _index_tables(path))

    upgraded = Project.open(path)
    try:
        assert [h.match for h in search(upgraded, SearchQuery("vilnius", in_spans=True)).hits] == ["Vilnius"]
        assert D.document_ids(upgraded, search="nato memb") == [doc]
        with upgraded.session() as s:
            version = s.connection().exec_driver_sql("select value from meta where key='schema_version'").scalar()
        assert version == str(SCHEMA_VERSION)
    finally:
        upgraded.close()
    assert (tmp_path / f"old.db.v{FULLTEXT_SINCE - 1}.bak").exists()


def test_a_rescued_copy_has_a_whole_index(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    project = Project.open(path)
    _add_docs(project, ["Grain deal talks resume.", "Ceasefire holds in the east."])
    project.close()
    copy = rescue(path).target
    rescued = Project.open(copy)
    try:
        assert [h.match for h in search(rescued, SearchQuery("ceasefire")).hits] == ["Ceasefire"]
        with rescued.session() as s:
            check = s.connection().exec_driver_sql(
                "insert into documents_fts(documents_fts) values ('integrity-check')"
            )
            check.close()
    finally:
        rescued.close()

"""The store's bulk paths: ids come from the database, upserts, unbounded user text, streaming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, Text, cast, event, insert, select

from annotator.io.importer import import_paths
from annotator.model.types import NewDocument, text_sha256
from annotator.services import annotations as svc
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import bulk, fast_insert, streams
from annotator.store import documents as docs
from annotator.store.tables import Base
from tests.helpers import add_texts

TEXT = "Zelensky said NATO must offer guarantees now. Critics disagree."


def _line(name: str, **extra: object) -> str:
    return json.dumps(
        {
            "document": {"id": "d1", "text": TEXT},
            "annotator": name,
            "spans": [
                {"id": "s", "label": "source", "start": 0, "end": 8},
                {"id": "c", "label": "claim", "start": 14, "end": 45},
            ],
            "relations": [{"type": "attributed_to", "from": "c", "to": "s"}],
            "stances": [{"target": "security_guarantees", "value": "favor", "span": "c"}],
            **extra,
        }
    )


def test_imported_span_ids_come_from_the_database_not_max_plus_one(project: Project, tmp_path: Path) -> None:
    (doc_id,) = add_texts(project, TEXT)
    me = project.annotator("me")
    span, _ = svc.add_span(project, doc_id, me.id, "claim", 14, 45)
    svc.delete_span(project, span.id)  # the highest id is gone: max + 1 would hand it out again
    path = tmp_path / "a.jsonl"
    path.write_text(_line("alice") + "\n", encoding="utf-8")

    report = import_paths(project, [path])

    assert report.ok, report.rejected
    alice = project.annotator("alice", create=False)
    with project.session() as s:
        spans = q.spans_for(s, doc_id, [alice.id])
        (relation,) = q.relations_for(s, doc_id, [alice.id])
        (stance,) = q.stances_for(s, doc_id, [alice.id])
    assert all(s.id > span.id for s in spans)
    by_label = {s.label: s.id for s in spans}
    assert (relation.from_span, relation.to_span) == (by_label["claim"], by_label["source"])
    assert stance.span_id == by_label["claim"]


def test_insert_spans_returns_the_ids_in_row_order(project: Project) -> None:
    (doc_id,) = add_texts(project, TEXT)
    me = project.annotator("me")
    rows = [
        {
            "doc_id": doc_id,
            "annotator_id": me.id,
            "label": "claim",
            "start": start,
            "end": start + 5,
            "text": TEXT[start : start + 5],
            "attributes": {},
            "origin": "imported",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
        for start in (30, 0, 20, 10)
    ]
    with project.session() as s:
        ids = bulk.insert_spans(s, rows)
        starts = {span.id: span.start for span in q.spans_for(s, doc_id)}
    assert [starts[i] for i in ids] == [30, 0, 20, 10]
    assert len(set(ids)) == 4


def test_upsert_statuses_inserts_then_overwrites(project: Project) -> None:
    (doc_id,) = add_texts(project, TEXT)
    me = project.annotator("me")
    row = {
        "doc_id": doc_id,
        "annotator_id": me.id,
        "status": "in_progress",
        "seconds": 1.0,
        "note": "a",
        "origin": "imported",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    with project.session() as s:
        bulk.upsert_statuses(s, [row])
    with project.session() as s:
        bulk.upsert_statuses(s, [{**row, "status": "done", "note": "b"}])
        status = q.get_status(s, doc_id, me.id)
        assert len(q.statuses_of_doc(s, doc_id)) == 1
    assert (status.status.value, status.note) == ("done", "b")


def test_text_a_user_or_file_supplies_has_no_length_limit_a_server_would_enforce() -> None:
    bounded = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }
    # Only values the application writes itself keep a length.
    assert bounded == {
        "meta.key",
        "schemes.installed_at",
        "documents.sha256",
        "documents.imported_at",
        "spans.origin",
        "relations.origin",
        "stances.origin",
        "doc_status.status",
        "doc_status.origin",
    }


def test_long_names_and_labels_import_whole(project: Project, tmp_path: Path) -> None:
    name = "annotator " + "x" * 400
    path = tmp_path / "a.jsonl"
    path.write_text(_line(name, annotator_uid="u" * 100) + "\n", encoding="utf-8")
    assert import_paths(project, [path]).ok
    assert project.annotator(name, create=False).uid == "u" * 100


def test_streams_yield_every_row_across_batches(project: Project) -> None:
    (doc_id,) = add_texts(project, TEXT)
    me = project.annotator("me")
    for start in range(0, 50, 5):
        svc.add_span(project, doc_id, me.id, "claim", start, start + 3, {"claim_type": "factual"})
    with project.session() as s:
        rows = list(streams.stream_spans(s, batch=3))
    assert [row[4] for row in rows] == list(range(0, 50, 5))
    assert all(json.loads(row[7]) == {"claim_type": "factual"} for row in rows)


def test_a_session_that_streamed_rows_can_still_write(project: Project) -> None:
    """Streaming is an option of the one statement: on a server the writes after it in the same
    transaction are plain statements again (not server-side cursors, which cannot INSERT)."""
    (doc_id,) = add_texts(project, TEXT)
    me = project.annotator("me").id
    row = {
        "doc_id": doc_id,
        "annotator_id": me,
        "label": "claim",
        "start": 0,
        "end": 8,
        "text": TEXT[:8],
        "attributes": {},
        "origin": "imported",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    with project.session() as s:
        assert [r[0] for r in docs.stream_document_texts(s)] == [doc_id]
        (first,) = bulk.insert_spans(s, [row])
        assert len(list(streams.stream_spans(s, batch=1))) == 1
        q.update_span(s, first, label="source")
        bulk.insert_spans(s, [{**row, "start": 14, "end": 17, "text": TEXT[14:17]}])
    with project.session() as s:
        assert [(r[3], r[4]) for r in streams.stream_spans(s)] == [("source", 0), ("claim", 14)]


def test_bulk_writers_store_exactly_what_sqlalchemy_stores(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the bulk writers hand rows to the driver themselves (`fast_insert`): every column,
    JSON ones included, reads back as from SQLAlchemy's own executemany, and ids come in row order
    (2 rows per INSERT here, so the rows after the first go in as a full statement and a shorter one)."""
    monkeypatch.setattr(fast_insert, "ROWS_PER_STATEMENT", 2)
    (doc_id,) = add_texts(project, TEXT)
    fast, plain = project.annotator("fast").id, project.annotator("plain").id
    attributes = [{"claim_type": "factual"}, {}, {"canonical": "Володимир «Зеленський» 😀"}]

    def spans(who: int) -> list[dict[str, object]]:
        return [
            {
                "doc_id": doc_id,
                "annotator_id": who,
                "label": "claim",
                "start": n,
                "end": n + 4,
                "text": TEXT[n : n + 4],
                "attributes": attributes[n % 3],
                "origin": "imported",
                "created_at": f"2024-01-01T00:00:0{n}Z",
                "updated_at": "2024-01-02T00:00:00Z",
            }
            for n in (5, 0, 3, 1)
        ]

    def stances(who: int, span_ids: list[int]) -> list[dict[str, object]]:
        return [
            {
                "doc_id": doc_id,
                "annotator_id": who,
                "target": "security_guarantees",
                "value": "favor",
                "span_id": span_id,
                "origin": "imported",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
            }
            for span_id in (None, span_ids[2])
        ]

    with project.session() as s:
        fast_ids = bulk.insert_spans(s, spans(fast))
        bulk.insert_stances(s, stances(fast, fast_ids))
        plain_ids = [int(i) for i in s.execute(insert(bulk._SPANS).returning(bulk._SPANS.c.id), spans(plain)).scalars()]
        s.execute(insert(bulk._STANCES), stances(plain, sorted(plain_ids)))
    with project.session() as s:
        starts = {span.id: span.start for span in q.spans_for(s, doc_id)}
        stored = {
            table.name: {
                who: sorted(
                    tuple(str(v) for k, v in row._mapping.items() if k not in ("id", "annotator_id", "span_id"))
                    for row in s.execute(select(table).where(table.c.annotator_id == who))
                )
                for who in (fast, plain)
            }
            for table in (bulk._SPANS, bulk._STANCES)
        }
        raw_attributes = s.scalars(
            select(cast(bulk._SPANS.c.attributes, Text)).where(bulk._SPANS.c.annotator_id == fast)
        )
        assert all(json.loads(text) in attributes for text in raw_attributes)
    assert [starts[i] for i in fast_ids] == [5, 0, 3, 1]
    assert stored["spans"][fast] == stored["spans"][plain] and len(stored["spans"][fast]) == 4
    assert stored["stances"][fast] == stored["stances"][plain] and len(stored["stances"][fast]) == 2


def test_add_documents_returns_the_ids_in_row_order(project: Project) -> None:
    texts = [f"Text number {n}." for n in (3, 1, 2)]
    news = [
        NewDocument(f"d{n}", text_sha256(t), f"T{n}", t, {"n": n, "ü": [1, "ä"]})
        for n, t in zip((3, 1, 2), texts, strict=True)
    ]
    with project.session() as s:
        ids = bulk.add_documents(s, news)
        found = [docs.get_document(s, i) for i in ids]
    assert [(d.info.ext_id, d.text, dict(d.info.meta)) for d in found] == [
        (n.ext_id, n.text, dict(n.meta)) for n in news
    ]


def test_an_import_on_sqlite_hands_its_rows_to_the_driver_in_multi_row_statements(
    project: Project, tmp_path: Path
) -> None:
    """Spans, relations and stances have a `version` column the rows do not give (its default is 1):
    `fast_insert` fills it and still hands the rows to the driver itself (a statement SQLAlchemy
    compiled would mean its per-row parameter work), several rows per INSERT (FTS5 flushes its index
    at the end of every statement: one row per statement cost 7x the index work). On the server
    SQLAlchemy's own executemany is kept."""
    path = tmp_path / "a.jsonl"
    path.write_text(_line("alice", status="done") + "\n" + _line("bob", status="done") + "\n", encoding="utf-8")
    engine = project.store.engine
    inserts: list[tuple[str, bool]] = []

    def seen(conn: object, cursor: object, statement: str, params: object, context: Any, executemany: bool) -> None:
        if statement.startswith("INSERT INTO"):
            inserts.append((statement.split("(")[0].split()[-1], context.compiled is None))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        report = import_paths(project, [path])
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert report.ok, report.rejected
    direct = {name: sum(d for n, d in inserts if n == name) for name in ("spans", "relations", "stances", "doc_status")}
    statements = {name: sum(n == name for n, _ in inserts) for name in direct}
    if engine.dialect.name == "sqlite":
        # 4 spans: the first alone with RETURNING (it tells the first id), the other 3 in one INSERT.
        assert direct == {"spans": 1, "relations": 1, "stances": 1, "doc_status": 1}, inserts
        assert statements == {"spans": 2, "relations": 1, "stances": 1, "doc_status": 1}, inserts
    else:
        assert direct == {"spans": 0, "relations": 0, "stances": 0, "doc_status": 0}, inserts
    with project.session() as s:
        versions = {table.name: set(s.scalars(select(table.c.version))) for table in (bulk._SPANS, bulk._RELATIONS)}
    assert versions == {"spans": {1}, "relations": {1}}

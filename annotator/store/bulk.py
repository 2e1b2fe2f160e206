"""Bulk writes for the importers, merge and the benchmark: Core statements built from the tables and
compiled by the session's own dialect, so they run unchanged on SQLite and PostgreSQL.

Ids are the database's: spans and documents are inserted with RETURNING (in parameter order; on
SQLite the ids are read back, see `fast_insert`) and the ids that come back are what relations and
stances point at, so nothing computes `max(id) + 1` (which would not advance a server's sequence and
races with other writers). On SQLite the rows go to the driver's executemany without SQLAlchemy's
per-row work (`fast_insert`). Upserts use the dialect's own
`insert().on_conflict_do_update`, chosen from the engine the session is bound to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from annotator.model.types import DocStatus, NewDocument, Relation, Span, Stance
from annotator.store import disagreement
from annotator.store.fast_insert import insert_many, insert_returning_ids, upsert_insert
from annotator.store.stances import clocks as stance_clocks
from annotator.store.tables import DocStatusRow, DocumentRow, RelationRow, SpanRow, StanceRow

_SPANS = cast(Table, SpanRow.__table__)
_RELATIONS = cast(Table, RelationRow.__table__)
_STANCES = cast(Table, StanceRow.__table__)
_STATUSES = cast(Table, DocStatusRow.__table__)
_DOCUMENTS = cast(Table, DocumentRow.__table__)

# Built once: the fast path caches what it compiles by statement.
_INSERT_RELATIONS = insert(_RELATIONS)
_INSERT_STANCES = insert(_STANCES)
_UPSERT_STATUSES: dict[str, Any] = {}


def dialect_insert(session: Session, table: Table) -> Any:
    """The dialect's own INSERT (with `on_conflict_do_*`) for the engine `session` is bound to."""
    name = session.get_bind().dialect.name
    try:
        return upsert_insert(name, table)
    except KeyError:
        raise NotImplementedError(f"no upsert for the {name} dialect") from None


def insert_spans(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert span rows (keys: doc_id, annotator_id, label, start, end, text, attributes, optional
    fragments, origin, created_at, updated_at; no id) and return the ids the database gave them, in row order."""
    if not rows:
        return []
    disagreement.touch(session, {row["doc_id"] for row in rows})
    return insert_returning_ids(session, _SPANS, rows)


def insert_relations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert relation rows (doc_id, annotator_id, type, from_span_id, to_span_id, optional args and
    attributes, origin, times)."""
    insert_many(session, _INSERT_RELATIONS, _RELATIONS, rows)


def insert_stances(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert stance rows (doc_id, annotator_id, target, value, span_id or None, origin, times).

    Core insert on the Table, not the ORM class: the ORM bulk path starts a new batch whenever the
    set of non-None keys changes (document stances have no span_id). A row of a layer where a
    stance was cleared before starts above that layer's stance clock (`store.stances`)."""
    if rows:
        disagreement.touch(session, {row["doc_id"] for row in rows if row.get("span_id") is None})
        clock = stance_clocks(session, {(row["doc_id"], row["annotator_id"]) for row in rows})
        if clock:
            rows = [{**row, "version": clock.get((row["doc_id"], row["annotator_id"]), 0) + 1} for row in rows]
    insert_many(session, _INSERT_STANCES, _STANCES, rows)


def upsert_statuses(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite doc_status rows (keys: doc_id, annotator_id, status, seconds, note, origin,
    updated_at) in one executemany; the (doc_id, annotator_id) pair is the conflict key."""
    if not rows:
        return
    disagreement.touch(session, {row["doc_id"] for row in rows})
    dialect = session.get_bind().dialect.name
    statement = _UPSERT_STATUSES.get(dialect)
    if statement is None:
        plain = dialect_insert(session, _STATUSES)
        statement = _UPSERT_STATUSES[dialect] = plain.on_conflict_do_update(
            index_elements=[_STATUSES.c.doc_id, _STATUSES.c.annotator_id],
            set_={name: plain.excluded[name] for name in ("status", "seconds", "note", "origin", "updated_at")},
        )
    insert_many(session, statement, _STATUSES, rows)


# -- typed entry points: what the importers and merge hand the store ------------------------------


def add_spans(session: Session, spans: Sequence[Span]) -> list[int]:
    """Insert spans (their `id` is ignored) and return the ids the database gave them, in order."""
    return insert_spans(
        session,
        [
            {
                "doc_id": s.doc_id,
                "annotator_id": s.annotator_id,
                "label": s.label,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "attributes": dict(s.attributes),
                "fragments": [list(piece) for piece in s.fragments] or None,
                "origin": s.origin,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
            }
            for s in spans
        ],
    )


def add_relations(session: Session, relations: Sequence[Relation]) -> None:
    """Insert relations (their `id` is ignored)."""
    insert_relations(
        session,
        [
            {
                "doc_id": r.doc_id,
                "annotator_id": r.annotator_id,
                "type": r.type,
                "from_span_id": r.from_span,
                "to_span_id": r.to_span,
                "args": dict(r.args) or None,
                "attributes": dict(r.attributes) or None,
                "origin": r.origin,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in relations
        ],
    )


def add_stances(session: Session, stances: Sequence[Stance]) -> None:
    """Insert stances (their `id` is ignored)."""
    insert_stances(
        session,
        [
            {
                "doc_id": s.doc_id,
                "annotator_id": s.annotator_id,
                "target": s.target,
                "value": s.value,
                "span_id": s.span_id,
                "origin": s.origin,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
            }
            for s in stances
        ],
    )


def put_statuses(session: Session, statuses: Sequence[DocStatus], origin: str) -> None:
    """Insert or overwrite each (document, annotator) status."""
    upsert_statuses(
        session,
        [
            {
                "doc_id": s.doc_id,
                "annotator_id": s.annotator_id,
                "status": s.status.value,
                "seconds": s.seconds,
                "note": s.note,
                "origin": origin,
                "updated_at": s.updated_at,
            }
            for s in statuses
        ],
    )


def add_documents(session: Session, documents: Sequence[NewDocument]) -> list[int]:
    """Insert documents in one executemany and return the ids the database gave them, in order."""
    if not documents:
        return []
    rows = [
        {
            "ext_id": d.ext_id,
            "sha256": d.sha256,
            "title": d.title,
            "text": d.text,
            "n_chars": len(d.text),
            "meta": dict(d.meta),
            "encoding": d.encoding,
            "source": d.source,
            "imported_at": d.imported_at,
        }
        for d in documents
    ]
    return insert_returning_ids(session, _DOCUMENTS, rows)

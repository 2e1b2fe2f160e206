"""Queries over annotators, spans, relations, stances and per-document status.

Functions take a session and never commit: the caller's `ProjectStore.session()` is the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.types import Annotator, DocStatus, Relation, Span, Stance, Status
from annotator.store import convert
from annotator.store.engine import utc_now
from annotator.store.tables import (
    AnnotatorRow,
    CommentRow,
    DocStatusRow,
    RelationRow,
    SpanRow,
    StanceRow,
)

# -- annotators ---------------------------------------------------------------------------------


def annotator_by_name(session: Session, name: str) -> Annotator | None:
    row = session.scalars(select(AnnotatorRow).where(AnnotatorRow.name == name)).first()
    return convert.annotator(row) if row else None


def annotator_by_uid(session: Session, uid: str) -> Annotator | None:
    row = session.scalars(select(AnnotatorRow).where(AnnotatorRow.uid == uid)).first()
    return convert.annotator(row) if row else None


def add_annotator(session: Session, name: str, uid: str | None = None) -> Annotator:
    row = AnnotatorRow(name=name, uid=uid or uuid.uuid4().hex, created_at=utc_now())
    session.add(row)
    session.flush()
    return convert.annotator(row)


def rename_annotator(session: Session, annotator_id: int, name: str) -> None:
    row = session.get(AnnotatorRow, annotator_id)
    if row is None:
        raise NotFoundError(f"annotator {annotator_id} does not exist")
    row.name = name


def list_annotators(session: Session) -> list[Annotator]:
    return [convert.annotator(r) for r in session.scalars(select(AnnotatorRow).order_by(AnnotatorRow.id))]


# -- spans --------------------------------------------------------------------------------------


def get_span(session: Session, span_id: int) -> Span:
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    return convert.span(row)


def insert_span(session: Session, span: Span) -> Span:
    """Insert a span; a positive `span.id` restores that exact id (undo of a delete)."""
    now = utc_now()
    row = SpanRow(
        doc_id=span.doc_id,
        annotator_id=span.annotator_id,
        label=span.label,
        start=span.start,
        end=span.end,
        text=span.text,
        attributes=dict(span.attributes),
        origin=span.origin,
        created_at=span.created_at or now,
        updated_at=span.updated_at or now,
    )
    if span.id > 0:
        row.id = span.id
    session.add(row)
    session.flush()
    return convert.span(row)


def update_span(session: Session, span_id: int, **values: Any) -> Span:
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    for key, value in values.items():
        setattr(row, key, dict(value) if key == "attributes" else value)
    row.updated_at = utc_now()
    session.flush()
    return convert.span(row)


def delete_span(session: Session, span_id: int) -> None:
    session.execute(delete(SpanRow).where(SpanRow.id == span_id))


_SPAN_COLUMNS = (
    SpanRow.id,
    SpanRow.doc_id,
    SpanRow.annotator_id,
    SpanRow.label,
    SpanRow.start,
    SpanRow.end,
    SpanRow.text,
    SpanRow.attributes,
    SpanRow.origin,
    SpanRow.created_at,
    SpanRow.updated_at,
)


def spans_for(session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None) -> list[Span]:
    # A column select, not ORM rows: opening a document with hundreds of spans is on the hot path.
    query = select(*_SPAN_COLUMNS).where(SpanRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(SpanRow.annotator_id.in_(annotator_ids))
    rows = session.execute(query.order_by(SpanRow.start, SpanRow.end, SpanRow.id))
    return [Span(r[0], r[1], r[2], r[3], r[4], r[5], r[6], dict(r[7] or {}), r[8], r[9], r[10]) for r in rows]


def bulk_insert(session: Session, table: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany insert for importers (spans, relations, stances, status)."""
    if rows:
        # Core insert on the Table, not the ORM class: the ORM bulk path starts a new executemany
        # batch whenever the set of non-None keys changes (e.g. stances with and without span_id).
        session.execute(insert(table.__table__), list(rows))


def next_id(session: Session, table: type[Any]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.id), 0))) or 0) + 1


# -- relations ----------------------------------------------------------------------------------


def insert_relation(session: Session, relation: Relation) -> Relation:
    now = utc_now()
    row = RelationRow(
        doc_id=relation.doc_id,
        annotator_id=relation.annotator_id,
        type=relation.type,
        from_span_id=relation.from_span,
        to_span_id=relation.to_span,
        origin=relation.origin,
        created_at=relation.created_at or now,
        updated_at=relation.updated_at or now,
    )
    if relation.id > 0:
        row.id = relation.id
    session.add(row)
    session.flush()
    return convert.relation(row)


def delete_relation(session: Session, relation_id: int) -> None:
    session.execute(delete(RelationRow).where(RelationRow.id == relation_id))


def relations_for(session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None) -> list[Relation]:
    query = select(RelationRow).where(RelationRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(RelationRow.annotator_id.in_(annotator_ids))
    return [convert.relation(r) for r in session.scalars(query.order_by(RelationRow.id))]


def relations_for_ids(session: Session, relation_ids: Iterable[int]) -> list[Relation]:
    rows = session.scalars(select(RelationRow).where(RelationRow.id.in_(list(relation_ids))))
    return [convert.relation(r) for r in rows]


def relations_touching(session: Session, span_ids: Iterable[int]) -> list[Relation]:
    ids = list(span_ids)
    rows = session.scalars(
        select(RelationRow)
        .where(or_(RelationRow.from_span_id.in_(ids), RelationRow.to_span_id.in_(ids)))
        .order_by(RelationRow.id)
    )
    return [convert.relation(r) for r in rows]


# -- stances ------------------------------------------------------------------------------------


def find_stance(session: Session, doc_id: int, annotator_id: int, target: str, span_id: int | None) -> Stance | None:
    span_match = StanceRow.span_id.is_(None) if span_id is None else StanceRow.span_id == span_id
    row = session.scalars(
        select(StanceRow).where(
            StanceRow.doc_id == doc_id, StanceRow.annotator_id == annotator_id, StanceRow.target == target, span_match
        )
    ).first()
    return convert.stance(row) if row else None


def insert_stance(session: Session, stance: Stance) -> Stance:
    now = utc_now()
    row = StanceRow(
        doc_id=stance.doc_id,
        annotator_id=stance.annotator_id,
        target=stance.target,
        value=stance.value,
        span_id=stance.span_id,
        origin=stance.origin,
        created_at=stance.created_at or now,
        updated_at=stance.updated_at or now,
    )
    if stance.id > 0:
        row.id = stance.id
    session.add(row)
    session.flush()
    return convert.stance(row)


def update_stance_value(session: Session, stance_id: int, value: str) -> Stance:
    row = session.get(StanceRow, stance_id)
    if row is None:
        raise NotFoundError(f"stance {stance_id} does not exist")
    row.value = value
    row.updated_at = utc_now()
    session.flush()
    return convert.stance(row)


def delete_stance(session: Session, stance_id: int) -> None:
    session.execute(delete(StanceRow).where(StanceRow.id == stance_id))


def stances_for(session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None) -> list[Stance]:
    query = select(StanceRow).where(StanceRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(StanceRow.annotator_id.in_(annotator_ids))
    return [convert.stance(r) for r in session.scalars(query.order_by(StanceRow.id))]


def stances_on_spans(session: Session, span_ids: Iterable[int]) -> list[Stance]:
    rows = session.scalars(select(StanceRow).where(StanceRow.span_id.in_(list(span_ids))))
    return [convert.stance(r) for r in rows]


# -- status -------------------------------------------------------------------------------------


def get_status(session: Session, doc_id: int, annotator_id: int) -> DocStatus:
    row = _status_row(session, doc_id, annotator_id)
    return convert.doc_status(row) if row else DocStatus(doc_id, annotator_id)


def put_status(session: Session, doc_id: int, annotator_id: int, **values: Any) -> DocStatus:
    row = _status_row(session, doc_id, annotator_id)
    if row is None:
        row = DocStatusRow(
            doc_id=doc_id,
            annotator_id=annotator_id,
            status=Status.NOT_STARTED.value,
            seconds=0.0,
            note="",
            origin="manual",
            updated_at=utc_now(),
        )
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value.value if isinstance(value, Status) else value)
    row.updated_at = values.get("updated_at") or utc_now()
    session.flush()
    return convert.doc_status(row)


def statuses_for(session: Session, annotator_id: int, doc_ids: Sequence[int] | None = None) -> dict[int, DocStatus]:
    query = select(DocStatusRow).where(DocStatusRow.annotator_id == annotator_id)
    if doc_ids is not None:
        query = query.where(DocStatusRow.doc_id.in_(doc_ids))
    return {r.doc_id: convert.doc_status(r) for r in session.scalars(query)}


def count_done(session: Session, annotator_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(DocStatusRow)
            .where(DocStatusRow.annotator_id == annotator_id, DocStatusRow.status == Status.DONE.value)
        )
        or 0
    )


def span_counts(session: Session, annotator_id: int, doc_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(SpanRow.doc_id, func.count())
        .where(SpanRow.annotator_id == annotator_id, SpanRow.doc_id.in_(doc_ids))
        .group_by(SpanRow.doc_id)
    )
    return dict(rows.all())


def _status_row(session: Session, doc_id: int, annotator_id: int) -> DocStatusRow | None:
    return session.scalars(
        select(DocStatusRow).where(DocStatusRow.doc_id == doc_id, DocStatusRow.annotator_id == annotator_id)
    ).first()


def table_counts(session: Session) -> dict[str, int]:
    """Row counts for `stats`."""
    counts = {}
    for name, table in (
        ("annotators", AnnotatorRow),
        ("spans", SpanRow),
        ("relations", RelationRow),
        ("stances", StanceRow),
    ):
        counts[name] = int(session.scalar(select(func.count()).select_from(table)) or 0)
    return counts


# -- comments (review) --------------------------------------------------------------------------


def add_comment(session: Session, doc_id: int, annotator_id: int, item_key: str, text: str) -> int:
    now = utc_now()
    row = CommentRow(
        doc_id=doc_id, annotator_id=annotator_id, item_key=item_key, text=text, created_at=now, updated_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def comments_for(session: Session, doc_id: int) -> list[tuple[int, int, str, str, str]]:
    """(comment id, author id, item key, text, created_at) for one document, oldest first."""
    rows = session.execute(
        select(CommentRow.id, CommentRow.annotator_id, CommentRow.item_key, CommentRow.text, CommentRow.created_at)
        .where(CommentRow.doc_id == doc_id)
        .order_by(CommentRow.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def delete_comment(session: Session, comment_id: int) -> None:
    session.execute(delete(CommentRow).where(CommentRow.id == comment_id))


# -- importer support (io.annotation_jsonl, cli stats) -------------------------------------------


def annotated_layers(session: Session) -> set[tuple[int, int]]:
    """The (doc_id, annotator_id) pairs that hold any span or stance (relations need spans)."""
    pairs: set[tuple[int, int]] = set()
    for table in (SpanRow, StanceRow):
        pairs.update((d, a) for d, a in session.execute(select(table.doc_id, table.annotator_id).distinct()))
    return pairs


def upsert_statuses(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite doc_status rows (keys: doc_id, annotator_id, status, seconds, note, origin,
    updated_at) in one executemany; the (doc_id, annotator_id) pair is the conflict key."""
    if not rows:
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    stmt = sqlite_insert(DocStatusRow)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DocStatusRow.doc_id, DocStatusRow.annotator_id],
        set_={name: stmt.excluded[name] for name in ("status", "seconds", "note", "origin", "updated_at")},
    )
    session.execute(stmt, list(rows))


def status_counts(session: Session) -> dict[str, int]:
    """How many (document, annotator) pairs are in each status, over every annotator."""
    rows = session.execute(select(DocStatusRow.status, func.count()).group_by(DocStatusRow.status))
    return {status: int(n) for status, n in rows}


# -- review, merge and agreement (appended for services.merge/review/agreement) ------------------
# Plain column tuples ordered by document, so the services can group a whole project's work per
# document in one pass without building ORM objects for every row.


def _only(query: Any, column: Any, annotator_ids: Sequence[int] | None) -> Any:
    return query if annotator_ids is None else query.where(column.in_(list(annotator_ids)))


def review_spans(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, label, start, end, attributes dict) ordered by
    (doc_id, annotator_id, start, end, id)."""
    query = _only(
        select(
            SpanRow.id,
            SpanRow.doc_id,
            SpanRow.annotator_id,
            SpanRow.label,
            SpanRow.start,
            SpanRow.end,
            SpanRow.attributes,
        ),
        SpanRow.annotator_id,
        annotator_ids,
    )
    query = query.order_by(SpanRow.doc_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.id)
    return session.execute(query.execution_options(yield_per=batch))


def review_relations(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, type, from_span_id, to_span_id) ordered by (doc_id, id)."""
    query = _only(
        select(
            RelationRow.id,
            RelationRow.doc_id,
            RelationRow.annotator_id,
            RelationRow.type,
            RelationRow.from_span_id,
            RelationRow.to_span_id,
        ),
        RelationRow.annotator_id,
        annotator_ids,
    )
    return session.execute(query.order_by(RelationRow.doc_id, RelationRow.id).execution_options(yield_per=batch))


def review_stances(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, target, value, span_id) ordered by (doc_id, id)."""
    query = _only(
        select(
            StanceRow.id, StanceRow.doc_id, StanceRow.annotator_id, StanceRow.target, StanceRow.value, StanceRow.span_id
        ),
        StanceRow.annotator_id,
        annotator_ids,
    )
    return session.execute(query.order_by(StanceRow.doc_id, StanceRow.id).execution_options(yield_per=batch))


def work_pairs(session: Session, annotator_ids: Sequence[int] | None = None) -> set[tuple[int, int]]:
    """(doc_id, annotator_id) pairs with any span, any stance, or a status other than not_started."""
    pairs: set[tuple[int, int]] = set()
    for table in (SpanRow, StanceRow):
        query = _only(select(table.doc_id, table.annotator_id).distinct(), table.annotator_id, annotator_ids)
        pairs.update((d, a) for d, a in session.execute(query))
    query = _only(
        select(DocStatusRow.doc_id, DocStatusRow.annotator_id).where(DocStatusRow.status != Status.NOT_STARTED.value),
        DocStatusRow.annotator_id,
        annotator_ids,
    )
    pairs.update((d, a) for d, a in session.execute(query))
    return pairs


def annotator_ids_with_work(session: Session) -> set[int]:
    """Annotators that have any span, stance or status row."""
    ids: set[int] = set()
    for table in (SpanRow, StanceRow, DocStatusRow):
        ids.update(session.scalars(select(table.annotator_id).distinct()))
    return ids


def statuses_of_doc(session: Session, doc_id: int) -> list[DocStatus]:
    """Every annotator's status row for one document."""
    rows = session.scalars(select(DocStatusRow).where(DocStatusRow.doc_id == doc_id).order_by(DocStatusRow.id))
    return [convert.doc_status(r) for r in rows]


def overwrite_span(session: Session, span_id: int, *, attributes: dict[str, str], origin: str, updated_at: str) -> None:
    """Set a span's attributes keeping a given update time (a merge keeps the author's times)."""
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    row.attributes, row.origin, row.updated_at = dict(attributes), origin, updated_at
    session.flush()


def overwrite_stance(session: Session, stance_id: int, *, value: str, origin: str, updated_at: str) -> None:
    """Set a stance's value keeping a given update time (a merge keeps the author's times)."""
    row = session.get(StanceRow, stance_id)
    if row is None:
        raise NotFoundError(f"stance {stance_id} does not exist")
    row.value, row.origin, row.updated_at = value, origin, updated_at
    session.flush()


def delete_layer(session: Session, doc_id: int, annotator_id: int) -> None:
    """Remove one annotator's spans, relations and stances in one document (status stays)."""
    for table in (RelationRow, StanceRow, SpanRow):
        session.execute(delete(table).where(table.doc_id == doc_id, table.annotator_id == annotator_id))

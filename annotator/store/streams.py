"""Streaming queries for the exporters: every table read in export order, a batch at a time, as
plain rows (no ORM objects), plus the small id -> name maps the exporters join with in Python."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from typing import cast as typed

from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.orm import Session, aliased

from annotator.store.tables import AnnotatorRow, CommentRow, DocStatusRow, RelationRow, SpanRow, StanceRow

# Exporters read millions of rows, so these select plain columns (no ORM loading: see stream_rows) and
# hand JSON columns back as the stored text: the exporter decodes each distinct
# attributes string once, which is far cheaper than SQLAlchemy's per-row JSON processor.


_EXPORT_BATCH = 20000


def _layer_filter(query: Any, table: Any, annotator_id: int | None) -> Any:
    return query if annotator_id is None else query.where(table.annotator_id == annotator_id)


def stream_rows(session: Session, query: Any, batch: int) -> Iterator[tuple[Any, ...]]:
    """Run `query` on the session's connection with a streaming cursor (`stream_results`: a
    server-side cursor where the driver has one) and yield its rows, fetched `batch` at a time.

    Plain Core rows on the connection, not the ORM: no per-row entity loading. JSON columns are
    selected as text (`json_text`), so no result processing runs on them either.
    """
    # The options go with this one statement: `Connection.execution_options` would set them on the
    # session's connection for good, and on a server every later statement of the transaction (an
    # INSERT, say) would then be sent as a server-side cursor, which PostgreSQL refuses.
    result = session.connection().execute(query, execution_options={"stream_results": True, "yield_per": batch})
    for partition in result.partitions():
        # A Row unpacks, indexes and slices like the tuple it stands for.
        yield from typed("list[tuple[Any, ...]]", partition)


def json_text(column: Any) -> Any:
    """A JSON column read as its stored text, on every back end (a server types it json)."""
    return cast(column, Text)


def stream_spans(
    session: Session, annotator_id: int | None = None, batch: int = _EXPORT_BATCH
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, label, start, end, text, attributes JSON text, fragments JSON
    text or None, origin, created_at, updated_at) ordered by (doc_id, annotator_id, start, end, id)."""
    query = select(
        SpanRow.id,
        SpanRow.doc_id,
        SpanRow.annotator_id,
        SpanRow.label,
        SpanRow.start,
        SpanRow.end,
        SpanRow.text,
        json_text(SpanRow.attributes),
        json_text(SpanRow.fragments),
        SpanRow.origin,
        SpanRow.created_at,
        SpanRow.updated_at,
    )
    query = _layer_filter(query, SpanRow, annotator_id).order_by(
        SpanRow.doc_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.id
    )
    return stream_rows(session, query, batch)


def stream_relations(
    session: Session, annotator_id: int | None = None, batch: int = _EXPORT_BATCH
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, type, from_span_id, to_span_id, args JSON text or None,
    attributes JSON text or None, origin, created_at, updated_at) ordered by (doc_id, annotator_id, id)."""
    query = select(
        RelationRow.id,
        RelationRow.doc_id,
        RelationRow.annotator_id,
        RelationRow.type,
        RelationRow.from_span_id,
        RelationRow.to_span_id,
        json_text(RelationRow.args),
        json_text(RelationRow.attributes),
        RelationRow.origin,
        RelationRow.created_at,
        RelationRow.updated_at,
    )
    query = _layer_filter(query, RelationRow, annotator_id).order_by(
        RelationRow.doc_id, RelationRow.annotator_id, RelationRow.id
    )
    return stream_rows(session, query, batch)


def stream_stances(
    session: Session, annotator_id: int | None = None, batch: int = _EXPORT_BATCH
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, target, value, span_id, origin, created_at, updated_at)
    ordered by (doc_id, annotator_id, id)."""
    query = select(
        StanceRow.id,
        StanceRow.doc_id,
        StanceRow.annotator_id,
        StanceRow.target,
        StanceRow.value,
        StanceRow.span_id,
        StanceRow.origin,
        StanceRow.created_at,
        StanceRow.updated_at,
    )
    query = _layer_filter(query, StanceRow, annotator_id).order_by(
        StanceRow.doc_id, StanceRow.annotator_id, StanceRow.id
    )
    return stream_rows(session, query, batch)


def stream_statuses(
    session: Session, annotator_id: int | None = None, batch: int = _EXPORT_BATCH
) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, status, seconds, note, updated_at) ordered by
    (doc_id, annotator_id)."""
    query = select(
        DocStatusRow.id,
        DocStatusRow.doc_id,
        DocStatusRow.annotator_id,
        DocStatusRow.status,
        DocStatusRow.seconds,
        DocStatusRow.note,
        DocStatusRow.updated_at,
    )
    query = _layer_filter(query, DocStatusRow, annotator_id).order_by(DocStatusRow.doc_id, DocStatusRow.annotator_id)
    return stream_rows(session, query, batch)


def stream_claims(
    session: Session,
    claim_labels: Sequence[str],
    relation_types: Sequence[str],
    targets: Sequence[str],
    annotator_id: int | None = None,
    batch: int = _EXPORT_BATCH,
) -> Iterable[tuple[Any, ...]]:
    """Spans labelled one of `claim_labels`, each joined to the spans it links to through
    `relation_types` and to its own stance value per target: rows (claim id, doc_id, annotator_id,
    text, attributes JSON text, linked label, linked text, linked attributes JSON text, value per
    target...). A claim with n links gives n consecutive rows (one, with NULL linked columns, when
    it has none), ordered by (doc_id, annotator_id, start, end, id) then relation id."""
    claim = aliased(SpanRow, name="claim")
    linked = aliased(SpanRow, name="linked")
    stances = [
        select(StanceRow.value)
        .where(StanceRow.span_id == claim.id, StanceRow.target == target)
        .order_by(StanceRow.id)
        .limit(1)
        .scalar_subquery()
        for target in targets
    ]
    query = (
        select(
            claim.id,
            claim.doc_id,
            claim.annotator_id,
            claim.text,
            json_text(claim.attributes),
            linked.label,
            linked.text,
            json_text(linked.attributes),
            *stances,
        )
        .select_from(claim)
        .outerjoin(RelationRow, and_(RelationRow.from_span_id == claim.id, RelationRow.type.in_(list(relation_types))))
        .outerjoin(linked, linked.id == RelationRow.to_span_id)
        .where(claim.label.in_(list(claim_labels)))
    )
    query = _layer_filter(query, claim, annotator_id).order_by(
        claim.doc_id, claim.annotator_id, claim.start, claim.end, claim.id, RelationRow.id
    )
    return stream_rows(session, query, batch)


def layer_counts(session: Session, annotator_id: int | None = None) -> dict[str, int]:
    """Row counts of spans, relations and stances, optionally of one annotator (progress totals)."""
    counts = {}
    for name, table in (("spans", SpanRow), ("relations", RelationRow), ("stances", StanceRow)):
        query = _layer_filter(select(func.count()).select_from(table), table, annotator_id)
        counts[name] = int(session.scalar(query) or 0)
    return counts


def annotator_names(session: Session) -> dict[int, str]:
    return {i: name for i, name in session.execute(select(AnnotatorRow.id, AnnotatorRow.name))}


def annotator_uids(session: Session) -> dict[int, str]:
    return {i: uid for i, uid in session.execute(select(AnnotatorRow.id, AnnotatorRow.uid))}


def stream_comments(session: Session, batch: int = _EXPORT_BATCH) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, item_key, text, created_at) ordered by (doc_id, id)."""
    query = select(
        CommentRow.id,
        CommentRow.doc_id,
        CommentRow.annotator_id,
        CommentRow.item_key,
        CommentRow.text,
        CommentRow.created_at,
    ).order_by(CommentRow.doc_id, CommentRow.id)
    return stream_rows(session, query, batch)

"""Project-wide reads over every layer, for review, merge, agreement, import and `stats`.

Plain column tuples ordered by document, so the services can group a whole project's work per
document in one pass without building ORM objects for every row."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from annotator.model.types import Status
from annotator.store import disagreement, stances
from annotator.store.streams import json_text, stream_rows
from annotator.store.tables import AnnotatorRow, DocStatusRow, RelationRow, SpanRow, StanceRow


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


def span_counts(session: Session, annotator_id: int, doc_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(SpanRow.doc_id, func.count())
        .where(SpanRow.annotator_id == annotator_id, SpanRow.doc_id.in_(doc_ids))
        .group_by(SpanRow.doc_id)
    )
    return dict(rows.all())


def annotated_layers(
    session: Session, annotator_ids: Sequence[int] | None = None, doc_ids: Sequence[int] | None = None
) -> set[tuple[int, int]]:
    """The (doc_id, annotator_id) pairs that hold annotations: any span or stance (relations need
    spans). The one definition of "has annotated this document"; `work_pairs` adds started statuses."""
    pairs: set[tuple[int, int]] = set()
    for table in (SpanRow, StanceRow):
        query = _only(select(table.doc_id, table.annotator_id).distinct(), table.annotator_id, annotator_ids)
        query = _only(query, table.doc_id, doc_ids)
        pairs.update(_core_rows(session, query))
    return pairs


def _core_rows(session: Session, query: Any) -> list[tuple[int, int]]:
    """``query``'s (doc_id, annotator_id) rows run on the session's connection: plain Core rows, without
    the ORM's per-row loading that ``session.execute`` adds (twice the time of the query itself for the
    agreement report's thousands of pairs); pending changes are flushed first, as ``session.execute``
    would."""
    if session.autoflush:
        session.flush()
    return [(doc_id, annotator_id) for doc_id, annotator_id in session.connection().execute(query).all()]


def _only(query: Any, column: Any, annotator_ids: Sequence[int] | None) -> Any:
    return query if annotator_ids is None else query.where(column.in_(list(annotator_ids)))


def review_spans(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterator[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, label, start, end, attributes dict, fragments list or None)
    ordered by (doc_id, annotator_id, start, end, id).

    Streamed Core rows (`streams.stream_rows`), with the attributes read as JSON text and decoded once
    per distinct text: spans mostly repeat a few attribute sets, so the agreement report's read of a
    whole project decodes hundreds of texts rather than one per span. Spans with equal attributes
    share one dict: read it, do not change it. `fragments` (a discontinuous span's pieces) is None
    for a continuous span."""
    query = _only(
        select(
            SpanRow.id,
            SpanRow.doc_id,
            SpanRow.annotator_id,
            SpanRow.label,
            SpanRow.start,
            SpanRow.end,
            json_text(SpanRow.attributes),
            json_text(SpanRow.fragments),
        ),
        SpanRow.annotator_id,
        annotator_ids,
    )
    query = query.order_by(SpanRow.doc_id, SpanRow.annotator_id, SpanRow.start, SpanRow.end, SpanRow.id)
    decoded: dict[str | None, Any] = {None: None}
    for sid, doc_id, annotator_id, label, start, end, raw, pieces in stream_rows(session, query, batch):
        attributes = decoded.get(raw)
        if attributes is None and raw is not None:
            attributes = decoded[raw] = json.loads(raw)
        fragments = json.loads(pieces) if pieces and pieces != "null" else None
        yield sid, doc_id, annotator_id, label, start, end, attributes, fragments


def review_relations(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterator[tuple[Any, ...]]:
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
    return stream_rows(session, query.order_by(RelationRow.doc_id, RelationRow.id), batch)


def review_stances(
    session: Session, annotator_ids: Sequence[int] | None = None, batch: int = 20000
) -> Iterator[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, target, value, span_id) ordered by (doc_id, id)."""
    query = _only(
        select(
            StanceRow.id, StanceRow.doc_id, StanceRow.annotator_id, StanceRow.target, StanceRow.value, StanceRow.span_id
        ),
        StanceRow.annotator_id,
        annotator_ids,
    )
    return stream_rows(session, query.order_by(StanceRow.doc_id, StanceRow.id), batch)


def work_pairs(session: Session, annotator_ids: Sequence[int] | None = None) -> set[tuple[int, int]]:
    """(doc_id, annotator_id) pairs with work: annotations (`annotated_layers`) or a status other than
    not_started. The one definition of "has worked on this document"."""
    pairs = annotated_layers(session, annotator_ids)
    query = _only(
        select(DocStatusRow.doc_id, DocStatusRow.annotator_id).where(DocStatusRow.status != Status.NOT_STARTED.value),
        DocStatusRow.annotator_id,
        annotator_ids,
    )
    pairs.update(_core_rows(session, query))
    return pairs


def annotator_ids_with_work(session: Session) -> set[int]:
    """Annotators with work (`work_pairs`) on any document."""
    return {annotator_id for _, annotator_id in work_pairs(session)}


def delete_layer(session: Session, doc_id: int, annotator_id: int) -> None:
    """Remove one annotator's spans, relations and stances in one document (status stays; the
    stance clock is raised past the stances removed, `store.stances`)."""
    removed = stances.removed_with(session, StanceRow.doc_id == doc_id, StanceRow.annotator_id == annotator_id)
    for table in (RelationRow, StanceRow, SpanRow):
        session.execute(delete(table).where(table.doc_id == doc_id, table.annotator_id == annotator_id))
    stances.remember_removed(session, removed)
    disagreement.touch(session, [doc_id])


def has_annotations(session: Session, doc_id: int, annotator_id: int) -> bool:
    """Whether the annotator has any span or stance on the document (relations need spans)."""
    for table in (SpanRow, StanceRow):
        query = select(table.id).where(table.doc_id == doc_id, table.annotator_id == annotator_id).limit(1)
        if session.scalar(query) is not None:
            return True
    return False

"""Spans: one annotator's marked passages of a document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.types import Span
from annotator.store import convert, disagreement
from annotator.store.engine import utc_now
from annotator.store.tables import SpanRow


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
        fragments=[list(piece) for piece in span.fragments] or None,
        origin=span.origin,
        created_at=span.created_at or now,
        updated_at=span.updated_at or now,
    )
    if span.id > 0:
        row.id = span.id
    session.add(row)
    session.flush()
    disagreement.touch(session, [row.doc_id])
    if span.id > 0 and span.version > 1:
        _keep_version(session, row.id, span.version)
    return convert.span(row)


def _keep_version(session: Session, row_id: int, version: int) -> None:
    """A row put back by undo keeps the version it had (an ORM insert always writes 1), so the
    window's record of the versions it wrote still matches and its next undo is not a conflict."""
    session.execute(update(SpanRow).where(SpanRow.id == row_id).values(version=version))


def update_span(session: Session, span_id: int, **values: Any) -> Span:
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    for key, value in values.items():
        if key == "fragments":
            value = [list(piece) for piece in value] or None
        setattr(row, key, dict(value) if key == "attributes" else value)
    row.updated_at = utc_now()
    session.flush()
    if values.keys() & {"label", "start", "end", "fragments"}:
        disagreement.touch(session, [row.doc_id])
    return convert.span(row)


def delete_span(session: Session, span_id: int) -> None:
    disagreement.touch(session, session.scalars(select(SpanRow.doc_id).where(SpanRow.id == span_id)))
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
    SpanRow.fragments,
    SpanRow.version,
)


def spans_for(session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None) -> list[Span]:
    # A column select, not ORM rows: opening a document with hundreds of spans is on the hot path.
    query = select(*_SPAN_COLUMNS).where(SpanRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(SpanRow.annotator_id.in_(annotator_ids))
    rows = session.execute(query.order_by(SpanRow.start, SpanRow.end, SpanRow.id))
    return [
        Span(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            dict(r[7] or {}),
            r[8],
            r[9],
            r[10],
            convert.fragments_of(r[11]),
            r[12],
        )
        for r in rows
    ]


def overwrite_span(session: Session, span_id: int, *, attributes: dict[str, str], origin: str, updated_at: str) -> None:
    """Set a span's attributes keeping a given update time (a merge keeps the author's times)."""
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    row.attributes, row.origin, row.updated_at = dict(attributes), origin, updated_at
    session.flush()

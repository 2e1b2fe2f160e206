"""Spans: one annotator's marked passages of a document."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import Select, Text, delete, select, type_coerce, update
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.types import Span
from annotator.store import convert, disagreement, stances
from annotator.store.engine import utc_now
from annotator.store.tables import SpanRow, StanceRow


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
    """Remove a span; its relations and claim stances go with it (the stance clock remembers them)."""
    disagreement.touch(session, session.scalars(select(SpanRow.doc_id).where(SpanRow.id == span_id)))
    claim_stances = stances.removed_with(session, StanceRow.span_id == span_id)
    session.execute(delete(SpanRow).where(SpanRow.id == span_id))
    stances.remember_removed(session, claim_stances)


_SPAN_COLUMNS = (
    SpanRow.id,
    SpanRow.doc_id,
    SpanRow.annotator_id,
    SpanRow.label,
    SpanRow.start,
    SpanRow.end,
    SpanRow.text,
    type_coerce(SpanRow.attributes, Text),  # decoded below: SQLAlchemy's JSON type costs ~20 us a row
    SpanRow.origin,
    SpanRow.created_at,
    SpanRow.updated_at,
    type_coerce(SpanRow.fragments, Text),
    SpanRow.version,
)
_NO_JSON = (None, "{}", "null")


def spans_for(
    session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None, span_ids: Iterable[int] | None = None
) -> list[Span]:
    """The spans of a document (of `annotator_ids`; only those of `span_ids` still there), ordered by
    start, end and id."""
    # A column select, not ORM rows: opening a document with hundreds of spans is on the hot path.
    # The JSON columns come as text (SQLite) or decoded by the driver (PostgreSQL): most spans have no
    # attributes and no pieces, so decoding is skipped for those.
    query = select(*_SPAN_COLUMNS).where(SpanRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(SpanRow.annotator_id.in_(annotator_ids))
    if span_ids is not None:
        query = query.where(SpanRow.id.in_(list(span_ids)))
    return _read(session, query.order_by(SpanRow.start, SpanRow.end, SpanRow.id))


def spans_at(session: Session, doc_id: int, annotator_id: int, label: str, start: int, end: int) -> list[Span]:
    """One layer's spans labelled `label` from `start` to `end` (pieces and attributes as stored)."""
    query = select(*_SPAN_COLUMNS).where(
        SpanRow.doc_id == doc_id,
        SpanRow.annotator_id == annotator_id,
        SpanRow.label == label,
        SpanRow.start == start,
        SpanRow.end == end,
    )
    return _read(session, query.order_by(SpanRow.id))


def _read(session: Session, query: Select[*tuple[Any, ...]]) -> list[Span]:
    # Core execution on the session's connection (same transaction): the ORM's row handling is skipped.
    rows = session.connection().execute(query).all()
    return [
        _span(
            (
                id_,
                doc,
                who,
                label,
                start,
                end,
                text,
                {} if attrs in _NO_JSON else dict(_decoded(attrs) or {}),
                origin,
                created,
                updated,
                () if pieces in _NO_JSON else convert.fragments_of(_decoded(pieces)),
                version,
            )
        )
        for id_, doc, who, label, start, end, text, attrs, origin, created, updated, pieces, version in rows
    ]


_SPAN_FIELDS = tuple(f.name for f in fields(Span))


def _span(values: tuple[Any, ...]) -> Span:
    """A `Span` from a stored row's values in field order, without the frozen dataclass's __init__
    (which sets each field through object.__setattr__: ~4 us a span, most of reading 500 of them).
    Only for values read from the store, which were checked when written."""
    span: Span = object.__new__(Span)
    span.__dict__.update(zip(_SPAN_FIELDS, values, strict=True))
    return span


def _decoded(raw: Any) -> Any:
    """A JSON column read as text: SQLite gives the text, the PostgreSQL driver the decoded value."""
    return json.loads(raw) if isinstance(raw, str) else raw


def overwrite_span(session: Session, span_id: int, *, attributes: dict[str, str], origin: str, updated_at: str) -> None:
    """Set a span's attributes keeping a given update time (a merge keeps the author's times)."""
    row = session.get(SpanRow, span_id)
    if row is None:
        raise NotFoundError(f"span {span_id} does not exist")
    row.attributes, row.origin, row.updated_at = dict(attributes), origin, updated_at
    session.flush()

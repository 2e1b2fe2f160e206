"""Corpus search queries: the documents a search looks into, and the spans it looks inside.

The filters are SQL conditions on either back end; the words go through the full-text index
(store.fulltext). `services.search` reads a batch of documents at a time, in id order, and finds the
exact occurrences in their text itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, select, true
from sqlalchemy.orm import Session

from annotator.store import fulltext
from annotator.store.tables import DocStatusRow, DocumentRow, SpanRow, StanceRow


@dataclass(frozen=True)
class Filters:
    """What a search keeps, as the store sees it (annotators as ids)."""

    words: tuple[str, ...] = ()
    in_spans: bool = False
    labels: tuple[str, ...] = ()
    attribute: tuple[str, str] | None = None
    stance_target: str | None = None
    stance_value: str | None = None
    annotator_ids: tuple[int, ...] | None = None
    status: str | None = None

    @property
    def span_scope(self) -> bool:
        """Whether matches must lie inside spans (any of the span filters implies it)."""
        return self.in_spans or bool(self.labels) or self.attribute is not None


def _span_conditions(filters: Filters, dialect: str, with_words: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.labels:
        conditions.append(SpanRow.label.in_(filters.labels))
    if filters.attribute is not None:
        name, value = filters.attribute
        conditions.append(SpanRow.attributes[name].as_string() == value)
    if filters.annotator_ids is not None:
        conditions.append(SpanRow.annotator_id.in_(filters.annotator_ids))
    if with_words and filters.words:
        conditions.append(SpanRow.id.in_(fulltext.spans_with_words(dialect, list(filters.words))))
    return conditions


def _document_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions on a document other than its words (those come from `candidate_ids`)."""
    conditions: list[ColumnElement[bool]] = []
    mine = (lambda column: column.in_(filters.annotator_ids)) if filters.annotator_ids is not None else None
    if filters.span_scope and not filters.words:
        spans = _span_conditions(filters, "", with_words=False)
        conditions.append(exists().where(SpanRow.doc_id == DocumentRow.id, *spans))
    if filters.stance_target is not None or filters.stance_value is not None:
        stance = [StanceRow.doc_id == DocumentRow.id]
        if filters.stance_target is not None:
            stance.append(StanceRow.target == filters.stance_target)
        if filters.stance_value is not None:
            stance.append(StanceRow.value == filters.stance_value)
        if mine is not None:
            stance.append(mine(StanceRow.annotator_id))
        conditions.append(exists().where(*stance))
    if filters.status is not None:
        status = [DocStatusRow.doc_id == DocumentRow.id]
        if mine is not None:
            status.append(mine(DocStatusRow.annotator_id))
        if filters.status == "not_started":
            conditions.append(~exists().where(*status, DocStatusRow.status != "not_started"))
        else:
            conditions.append(exists().where(*status, DocStatusRow.status == filters.status))
    only_annotators = not filters.span_scope and filters.stance_target is None and filters.stance_value is None
    if mine is not None and only_annotators and filters.status is None:
        conditions.append(
            exists().where(SpanRow.doc_id == DocumentRow.id, mine(SpanRow.annotator_id))
            | exists().where(StanceRow.doc_id == DocumentRow.id, mine(StanceRow.annotator_id))
        )
    return conditions


def candidate_ids(session: Session, filters: Filters, after: int, size: int) -> list[int]:
    """For a query with words: the next `size` documents after id `after`, in id order, that may hold
    the phrase (in a span that passes the span filters, when matches must lie in spans), as the
    full-text index says. Read a page at a time: a common word is in most documents."""
    dialect = session.get_bind().dialect.name
    query: Select[Any]
    if filters.span_scope:
        column: Any = SpanRow.doc_id
        query = select(column).where(column > after, *_span_conditions(filters, dialect, with_words=True)).distinct()
    else:
        query = fulltext.documents_with_words(dialect, list(filters.words))
        column = query.selected_columns[0]
        query = query.where(column > after)
    return [row[0] for row in session.connection().execute(query.order_by(column).limit(size))]


_TEXT_COLUMNS = (DocumentRow.id, DocumentRow.ext_id, DocumentRow.title, DocumentRow.text)


def documents_among(session: Session, filters: Filters, doc_ids: Sequence[int]) -> list[tuple[int, str, str, str]]:
    """Those of `doc_ids` that pass the filters other than words: (id, ext_id, title, text), by id."""
    query = select(*_TEXT_COLUMNS).where(DocumentRow.id.in_(list(doc_ids)), *_document_conditions(filters))
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query.order_by(DocumentRow.id))]


def document_batch(session: Session, filters: Filters, after: int, size: int) -> list[tuple[int, str, str, str]]:
    """For a search without words: the next `size` documents after id `after` that pass the filters."""
    query = (
        select(*_TEXT_COLUMNS)
        .where(DocumentRow.id > after, *_document_conditions(filters))
        .order_by(DocumentRow.id)
        .limit(size)
    )
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def spans_in(session: Session, filters: Filters, doc_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The spans of these documents that pass the span filters: (doc_id, start, end, label,
    annotator_id, span id), in document and text order."""
    if not doc_ids:
        return []
    dialect = session.get_bind().dialect.name
    conditions = _span_conditions(filters, dialect, with_words=False) or [true()]
    query = (
        select(SpanRow.doc_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.annotator_id, SpanRow.id)
        .where(SpanRow.doc_id.in_(list(doc_ids)), and_(*conditions))
        .order_by(SpanRow.doc_id, SpanRow.start, SpanRow.end, SpanRow.id)
    )
    return [tuple(r) for r in session.execute(query)]

"""Map ORM rows to the `model` values the rest of the application sees."""

from __future__ import annotations

from annotator.model.types import (
    Annotator,
    DocStatus,
    Document,
    DocumentInfo,
    Relation,
    Span,
    Stance,
    Status,
)
from annotator.store.tables import (
    AnnotatorRow,
    DocStatusRow,
    DocumentRow,
    RelationRow,
    SpanRow,
    StanceRow,
)


def document_info(row: DocumentRow) -> DocumentInfo:
    return DocumentInfo(
        row.id, row.ext_id, row.title, row.sha256, row.n_chars, row.imported_at, dict(row.meta or {}), row.encoding
    )


def document(row: DocumentRow) -> Document:
    return Document(document_info(row), row.text)


def annotator(row: AnnotatorRow) -> Annotator:
    return Annotator(row.id, row.name, row.uid)


def span(row: SpanRow) -> Span:
    return Span(
        row.id,
        row.doc_id,
        row.annotator_id,
        row.label,
        row.start,
        row.end,
        row.text,
        dict(row.attributes or {}),
        row.origin,
        row.created_at,
        row.updated_at,
        fragments_of(row.fragments),
        version=row.version,
    )


def fragments_of(raw: list[list[int]] | None) -> tuple[tuple[int, int], ...]:
    return tuple((int(s), int(e)) for s, e in raw) if raw else ()


def relation(row: RelationRow) -> Relation:
    return Relation(
        row.id,
        row.doc_id,
        row.annotator_id,
        row.type,
        row.from_span_id,
        row.to_span_id,
        row.origin,
        row.created_at,
        row.updated_at,
        dict(row.args or {}),
        dict(row.attributes or {}),
        version=row.version,
    )


def stance(row: StanceRow) -> Stance:
    return Stance(
        row.id,
        row.doc_id,
        row.annotator_id,
        row.target,
        row.value,
        row.span_id,
        row.origin,
        row.created_at,
        row.updated_at,
        row.version,
    )


def doc_status(row: DocStatusRow) -> DocStatus:
    return DocStatus(row.doc_id, row.annotator_id, Status(row.status), row.seconds, row.note, row.updated_at)

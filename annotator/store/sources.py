"""Queries behind the source registry: canonical names in use on live spans, and the alias table.

A canonical name lives in a span attribute (the scheme marks which, with `completion =
"source_registry"`); the `source_aliases` table maps spellings to canonical names. Counting runs on
the live spans, grouped in the database (JSON extraction through SQLAlchemy's JSON type, so it
compiles for SQLite and PostgreSQL alike), so a deleted span's spelling stops counting at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from annotator.store.engine import utc_now
from annotator.store.tables import SourceAliasRow, SpanRow

RegistryField = tuple[Sequence[str], str]
"""The span labels (a label and its old names) and the attribute holding a canonical name."""


def name_counts(session: Session, fields: Sequence[RegistryField]) -> list[tuple[str, str, int]]:
    """(canonical name, span text, number of live spans) over every annotator's spans."""
    out: list[tuple[str, str, int]] = []
    for labels, attr in fields:
        value = SpanRow.attributes[attr].as_string()
        query = (
            select(value, SpanRow.text, func.count())
            .where(SpanRow.label.in_(list(labels)), value.is_not(None), value != "")
            .group_by(value, SpanRow.text)
        )
        out.extend((str(name), str(text), int(n)) for name, text, n in session.execute(query))
    return out


def spans_named(
    session: Session, fields: Sequence[RegistryField], name: str, text: str | None = None
) -> list[tuple[int, int, dict[str, str]]]:
    """(span id, doc id, attributes) of live spans whose canonical name is `name` (and, when `text`
    is given, whose stripped text is `text`)."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for labels, attr in fields:
        value = SpanRow.attributes[attr].as_string()
        query = select(SpanRow.id, SpanRow.doc_id, SpanRow.text, SpanRow.attributes).where(
            SpanRow.label.in_(list(labels)), value == name
        )
        for span_id, doc_id, span_text, attrs in session.execute(query.order_by(SpanRow.id)):
            if text is None or str(span_text).strip() == text:
                out.append((int(span_id), int(doc_id), dict(attrs or {})))
    return out


def set_span_attributes(session: Session, span_id: int, attributes: dict[str, str]) -> None:
    row = session.get(SpanRow, span_id)
    if row is not None:
        row.attributes = dict(attributes)
        row.updated_at = utc_now()


def live_texts(session: Session, fields: Sequence[RegistryField], text: str) -> int:
    """How many live registry-label spans read `text` (stripped, compared as stored)."""
    labels = [label for labs, _ in fields for label in labs]
    query = select(func.count()).select_from(SpanRow).where(SpanRow.label.in_(labels), SpanRow.text == text)
    return int(session.scalar(query) or 0)


def aliases(session: Session) -> dict[str, str]:
    """Alias -> canonical name, the whole table."""
    return {str(a): str(c) for a, c in session.execute(select(SourceAliasRow.alias, SourceAliasRow.canonical))}


def put_alias(session: Session, alias: str, canonical: str | None) -> None:
    """Point `alias` at `canonical`; None removes the alias."""
    row = session.scalars(select(SourceAliasRow).where(SourceAliasRow.alias == alias)).first()
    if canonical is None:
        if row is not None:
            session.execute(delete(SourceAliasRow).where(SourceAliasRow.alias == alias))
    elif row is None:
        session.add(SourceAliasRow(alias=alias, canonical=canonical))
    else:
        row.canonical = canonical
    session.flush()

"""Whole annotation layers (spans, relations, stances of one annotator on one document) of many
documents at once: three queries per 500 documents, for the importers' duplicate checks (is the
layer a line brings identical to the one stored?) instead of three per line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model.types import Relation, Span, Stance
from annotator.store import convert
from annotator.store.tables import RelationRow, SpanRow, StanceRow

Pair = tuple[int, int]
"""(doc_id, annotator_id)."""
_CHUNK = 500
_KINDS: tuple[tuple[int, type[Any], Callable[[Any], Any]], ...] = (
    (0, SpanRow, convert.span),
    (1, RelationRow, convert.relation),
    (2, StanceRow, convert.stance),
)
"""Where each kind of row goes in a layer's triple, and how it becomes the model's value."""


def layers_of(session: Session, pairs: Iterable[Pair]) -> dict[Pair, tuple[list[Span], list[Relation], list[Stance]]]:
    """The stored spans, relations and stances of each (doc_id, annotator_id) pair (empty lists for a
    pair with none), each list in id order."""
    found: dict[Pair, tuple[list[Span], list[Relation], list[Stance]]] = {pair: ([], [], []) for pair in pairs}
    doc_ids = sorted({doc_id for doc_id, _ in found})
    annotator_ids = sorted({annotator_id for _, annotator_id in found})
    for first in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[first : first + _CHUNK]
        for slot, table, to_model in _KINDS:
            for row in session.scalars(
                select(table).where(table.doc_id.in_(chunk), table.annotator_id.in_(annotator_ids)).order_by(table.id)
            ):
                if (layer := found.get((row.doc_id, row.annotator_id))) is not None:
                    layer[slot].append(to_model(row))
    return found

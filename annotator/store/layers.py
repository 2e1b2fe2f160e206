"""Whole annotation layers (spans, relations, stances of one annotator on one document) of many
documents at once: three queries per 500 documents, for the importers' duplicate checks (is the
layer a line brings identical to the one stored?) instead of three per line."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model.types import Relation, Span, Stance
from annotator.store import convert
from annotator.store.tables import RelationRow, SpanRow, StanceRow

Pair = tuple[int, int]
"""(doc_id, annotator_id)."""
_CHUNK = 500


def layers_of(session: Session, pairs: Iterable[Pair]) -> dict[Pair, tuple[list[Span], list[Relation], list[Stance]]]:
    """The stored spans, relations and stances of each (doc_id, annotator_id) pair (empty lists for a
    pair with none), each list in id order."""
    found: dict[Pair, tuple[list[Span], list[Relation], list[Stance]]] = {pair: ([], [], []) for pair in pairs}
    doc_ids = sorted({doc_id for doc_id, _ in found})
    annotator_ids = sorted({annotator_id for _, annotator_id in found})
    for first in range(0, len(doc_ids), _CHUNK):
        chunk = doc_ids[first : first + _CHUNK]
        for span_row in session.scalars(
            select(SpanRow)
            .where(SpanRow.doc_id.in_(chunk), SpanRow.annotator_id.in_(annotator_ids))
            .order_by(SpanRow.id)
        ):
            if (layer := found.get((span_row.doc_id, span_row.annotator_id))) is not None:
                layer[0].append(convert.span(span_row))
        for relation_row in session.scalars(
            select(RelationRow)
            .where(RelationRow.doc_id.in_(chunk), RelationRow.annotator_id.in_(annotator_ids))
            .order_by(RelationRow.id)
        ):
            if (layer := found.get((relation_row.doc_id, relation_row.annotator_id))) is not None:
                layer[1].append(convert.relation(relation_row))
        for stance_row in session.scalars(
            select(StanceRow)
            .where(StanceRow.doc_id.in_(chunk), StanceRow.annotator_id.in_(annotator_ids))
            .order_by(StanceRow.id)
        ):
            if (layer := found.get((stance_row.doc_id, stance_row.annotator_id))) is not None:
                layer[2].append(convert.stance(stance_row))
    return found

"""Relations: typed links between two spans of one layer (e.g. claim -> source)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from annotator.model.types import Relation
from annotator.store import convert
from annotator.store.engine import utc_now
from annotator.store.tables import RelationRow


def insert_relation(session: Session, relation: Relation) -> Relation:
    now = utc_now()
    row = RelationRow(
        doc_id=relation.doc_id,
        annotator_id=relation.annotator_id,
        type=relation.type,
        from_span_id=relation.from_span,
        to_span_id=relation.to_span,
        args=dict(relation.args) or None,
        attributes=dict(relation.attributes) or None,
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

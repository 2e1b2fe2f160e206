"""Annotators: look-up by name or uid, creation, renaming, listing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.types import Annotator, is_gold_name
from annotator.store import convert, disagreement
from annotator.store.engine import utc_now
from annotator.store.tables import AnnotatorRow


def annotator_by_name(session: Session, name: str) -> Annotator | None:
    row = session.scalars(select(AnnotatorRow).where(AnnotatorRow.name == name)).first()
    return convert.annotator(row) if row else None


def annotator_by_uid(session: Session, uid: str) -> Annotator | None:
    row = session.scalars(select(AnnotatorRow).where(AnnotatorRow.uid == uid)).first()
    return convert.annotator(row) if row else None


def add_annotator(session: Session, name: str, uid: str | None = None) -> Annotator:
    row = AnnotatorRow(name=name, uid=uid or uuid.uuid4().hex, created_at=utc_now())
    session.add(row)
    session.flush()
    return convert.annotator(row)


def rename_annotator(session: Session, annotator_id: int, name: str) -> None:
    row = session.get(AnnotatorRow, annotator_id)
    if row is None:
        raise NotFoundError(f"annotator {annotator_id} does not exist")
    if is_gold_name(row.name) != is_gold_name(name):  # gold's work is left out of the review's score
        disagreement.touch(session, disagreement.annotator_doc_ids(session, annotator_id))
    row.name = name


def list_annotators(session: Session) -> list[Annotator]:
    return [convert.annotator(r) for r in session.scalars(select(AnnotatorRow).order_by(AnnotatorRow.id))]

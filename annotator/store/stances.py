"""Stances: a value per target, on the document or on one span."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.types import Stance
from annotator.store import convert, disagreement
from annotator.store.engine import utc_now
from annotator.store.status import put_status
from annotator.store.tables import DocStatusRow, StanceRow


def find_stance(session: Session, doc_id: int, annotator_id: int, target: str, span_id: int | None) -> Stance | None:
    span_match = StanceRow.span_id.is_(None) if span_id is None else StanceRow.span_id == span_id
    row = session.scalars(
        select(StanceRow).where(
            StanceRow.doc_id == doc_id, StanceRow.annotator_id == annotator_id, StanceRow.target == target, span_match
        )
    ).first()
    return convert.stance(row) if row else None


def insert_stance(session: Session, stance: Stance, *, version: int | None = None) -> Stance:
    """Insert `stance`; with `version` (see `next_version`) the new row starts at that version."""
    now = utc_now()
    row = StanceRow(
        doc_id=stance.doc_id,
        annotator_id=stance.annotator_id,
        target=stance.target,
        value=stance.value,
        span_id=stance.span_id,
        origin=stance.origin,
        created_at=stance.created_at or now,
        updated_at=stance.updated_at or now,
    )
    if stance.id > 0:
        row.id = stance.id
    session.add(row)
    session.flush()
    disagreement.touch(session, [row.doc_id])
    if version is not None and version > 1:
        _keep_version(session, row.id, version)
    elif stance.id > 0 and stance.version > 1:
        _keep_version(session, row.id, stance.version)
    return convert.stance(row)


def next_version(session: Session, doc_id: int, annotator_id: int) -> int:
    """The version a stance set anew starts at: above every version a removed stance of this
    annotator on this document had, so clear-and-set-again never gives a version seen before."""
    clock = session.scalar(
        select(DocStatusRow.stance_clock).where(
            DocStatusRow.doc_id == doc_id, DocStatusRow.annotator_id == annotator_id
        )
    )
    return int(clock or 0) + 1


def _remember_removed(session: Session, doc_id: int, annotator_id: int, version: int) -> None:
    """Raise the (document, annotator) stance clock to a removed stance's version."""
    mine = (DocStatusRow.doc_id == doc_id, DocStatusRow.annotator_id == annotator_id)
    clock = session.scalar(select(DocStatusRow.stance_clock).where(*mine))
    if clock is None:
        put_status(session, doc_id, annotator_id, stance_clock=version)
    elif clock < version:
        session.execute(update(DocStatusRow).where(*mine).values(stance_clock=version))


def _keep_version(session: Session, row_id: int, version: int) -> None:
    """A row put back by undo keeps the version it had (an ORM insert always writes 1), so the
    window's record of the versions it wrote still matches and its next undo is not a conflict."""
    session.execute(update(StanceRow).where(StanceRow.id == row_id).values(version=version))


def update_stance_value(session: Session, stance_id: int, value: str) -> Stance:
    row = session.get(StanceRow, stance_id)
    if row is None:
        raise NotFoundError(f"stance {stance_id} does not exist")
    row.value = value
    row.updated_at = utc_now()
    session.flush()
    disagreement.touch(session, [row.doc_id])
    return convert.stance(row)


def delete_stance(session: Session, stance_id: int) -> None:
    """Remove a stance; its version is remembered (`next_version`), so one set again later starts above it."""
    gone = session.execute(
        select(StanceRow.doc_id, StanceRow.annotator_id, StanceRow.version).where(StanceRow.id == stance_id)
    ).first()
    if gone is None:
        return
    disagreement.touch(session, [gone.doc_id])
    session.execute(delete(StanceRow).where(StanceRow.id == stance_id))
    _remember_removed(session, gone.doc_id, gone.annotator_id, gone.version)


def stances_for(session: Session, doc_id: int, annotator_ids: Sequence[int] | None = None) -> list[Stance]:
    query = select(StanceRow).where(StanceRow.doc_id == doc_id)
    if annotator_ids is not None:
        query = query.where(StanceRow.annotator_id.in_(annotator_ids))
    return [convert.stance(r) for r in session.scalars(query.order_by(StanceRow.id))]


def stances_on_spans(session: Session, span_ids: Iterable[int]) -> list[Stance]:
    rows = session.scalars(select(StanceRow).where(StanceRow.span_id.in_(list(span_ids))))
    return [convert.stance(r) for r in rows]


def overwrite_stance(session: Session, stance_id: int, *, value: str, origin: str, updated_at: str) -> None:
    """Set a stance's value keeping a given update time (a merge keeps the author's times)."""
    row = session.get(StanceRow, stance_id)
    if row is None:
        raise NotFoundError(f"stance {stance_id} does not exist")
    row.value, row.origin, row.updated_at = value, origin, updated_at
    session.flush()
    disagreement.touch(session, [row.doc_id])

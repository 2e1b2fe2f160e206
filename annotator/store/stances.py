"""Stances: a value per target, on the document or on one span.

A stance's version never starts over: every removal of stance rows (a clear, a removed span's claim
stances, a whole layer put back by undo) raises the (document, annotator) stance clock in doc_status
to the highest version removed, and every new stance row (a set, a review decision, a merge, an
import) starts above it. So a version once seen names one state of the stance, and a write naming
it after a clear and a set again is refused as stale. A row put back by undo (its old id) keeps the
version it had: it is the same stance, with the value it had then.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import ColumnElement, delete, func, select, update
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
    """Insert `stance`. A new one (id 0) starts above the stance clock (`next_version`), or at
    `version` when that is higher; one put back with its old id keeps its version."""
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
    if stance.id <= 0:
        version = max(version or 1, next_version(session, stance.doc_id, stance.annotator_id))
    elif version is None:
        version = stance.version
    if version > 1:
        _keep_version(session, row.id, version)  # an ORM update: the row object follows
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


def clocks(session: Session, pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The stance clocks above 0 of some (doc_id, annotator_id) pairs (a bulk insert starts above them)."""
    found: dict[tuple[int, int], int] = {}
    doc_ids = sorted({doc for doc, _ in pairs})
    for first in range(0, len(doc_ids), _CHUNK):
        rows = session.execute(
            select(DocStatusRow.doc_id, DocStatusRow.annotator_id, DocStatusRow.stance_clock).where(
                DocStatusRow.doc_id.in_(doc_ids[first : first + _CHUNK]), DocStatusRow.stance_clock > 0
            )
        )
        found.update({(doc, who): clock for doc, who, clock in rows if (doc, who) in pairs})
    return found


_CHUNK = 500  # documents per IN list (SQLite's bound-variable limit)


def remember_removed(session: Session, removed: Iterable[tuple[int, int, int]]) -> None:
    """Raise the stance clocks of (doc_id, annotator_id, version) stances removed (or about to be)."""
    top: dict[tuple[int, int], int] = {}
    for doc_id, annotator_id, version in removed:
        top[(doc_id, annotator_id)] = max(version, top.get((doc_id, annotator_id), 0))
    for (doc_id, annotator_id), version in top.items():
        _remember_removed(session, doc_id, annotator_id, version)


def removed_with(session: Session, *where: ColumnElement[bool]) -> list[tuple[int, int, int]]:
    """(doc_id, annotator_id, highest version) of the stances matching `where`, for `remember_removed`."""
    query = (
        select(StanceRow.doc_id, StanceRow.annotator_id, func.max(StanceRow.version))
        .where(*where)
        .group_by(StanceRow.doc_id, StanceRow.annotator_id)
    )
    return [(doc, who, int(version)) for doc, who, version in session.execute(query)]


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

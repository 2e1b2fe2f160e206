"""Per document and annotator: status, time spent and the annotator's note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.model.types import DocStatus, Status
from annotator.store import convert, disagreement
from annotator.store.engine import utc_now
from annotator.store.tables import DocStatusRow


def get_status(session: Session, doc_id: int, annotator_id: int) -> DocStatus:
    row = _status_row(session, doc_id, annotator_id)
    return convert.doc_status(row) if row else DocStatus(doc_id, annotator_id)


def put_status(session: Session, doc_id: int, annotator_id: int, **values: Any) -> DocStatus:
    row = _status_row(session, doc_id, annotator_id)
    if row is None:
        row = DocStatusRow(
            doc_id=doc_id,
            annotator_id=annotator_id,
            status=Status.NOT_STARTED.value,
            seconds=0.0,
            note="",
            origin="manual",
            updated_at=utc_now(),
        )
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value.value if isinstance(value, Status) else value)
    row.updated_at = values.get("updated_at") or utc_now()
    session.flush()
    if "status" in values:
        disagreement.touch(session, [doc_id])
    return convert.doc_status(row)


def statuses_for(session: Session, annotator_id: int, doc_ids: Sequence[int] | None = None) -> dict[int, DocStatus]:
    query = select(DocStatusRow).where(DocStatusRow.annotator_id == annotator_id)
    if doc_ids is not None:
        query = query.where(DocStatusRow.doc_id.in_(doc_ids))
    return {r.doc_id: convert.doc_status(r) for r in session.scalars(query)}


def count_done(session: Session, annotator_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(DocStatusRow)
            .where(DocStatusRow.annotator_id == annotator_id, DocStatusRow.status == Status.DONE.value)
        )
        or 0
    )


def status_counts(session: Session) -> dict[str, int]:
    """How many (document, annotator) pairs are in each status, over every annotator."""
    rows = session.execute(select(DocStatusRow.status, func.count()).group_by(DocStatusRow.status))
    return {status: int(n) for status, n in rows}


def statuses_of_doc(session: Session, doc_id: int) -> list[DocStatus]:
    """Every annotator's status row for one document."""
    rows = session.scalars(select(DocStatusRow).where(DocStatusRow.doc_id == doc_id).order_by(DocStatusRow.id))
    return [convert.doc_status(r) for r in rows]


def _status_row(session: Session, doc_id: int, annotator_id: int) -> DocStatusRow | None:
    return session.scalars(
        select(DocStatusRow).where(DocStatusRow.doc_id == doc_id, DocStatusRow.annotator_id == annotator_id)
    ).first()

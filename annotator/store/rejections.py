"""Rejections: items of a document the reviewer rejected, so gold holds no version of them.

Functions take a session and never commit. Schema 1 kept rejections as comments whose item key
began with "rejected:"; `store.migrations` moves them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from annotator.store.engine import utc_now
from annotator.store.tables import REJECTION_KEY_PREFIX, RejectionRow

__all__ = ["REJECTION_KEY_PREFIX", "add_rejection", "rejected_keys", "remove_rejections", "stream_rejections"]


def rejected_keys(session: Session, doc_id: int) -> set[str]:
    return set(session.scalars(select(RejectionRow.item_key).where(RejectionRow.doc_id == doc_id)))


def rejections_by_author(session: Session, doc_id: int) -> list[tuple[str, int]]:
    """(item key, id of who rejected it) for one document, sorted by key."""
    rows = session.execute(
        select(RejectionRow.item_key, RejectionRow.annotator_id)
        .where(RejectionRow.doc_id == doc_id)
        .order_by(RejectionRow.item_key)
    )
    return [(key, author) for key, author in rows]


def add_rejection(session: Session, doc_id: int, annotator_id: int, item_key: str) -> None:
    """Record that `item_key` is rejected on the document (nothing changes when it already is)."""
    if item_key not in rejected_keys(session, doc_id):
        session.execute(
            insert(RejectionRow).values(
                doc_id=doc_id, annotator_id=annotator_id, item_key=item_key, created_at=utc_now()
            )
        )


def remove_rejections(session: Session, doc_id: int, item_keys: Iterable[str] | None = None) -> None:
    """Forget the rejection of these items (all of the document's when None)."""
    query = delete(RejectionRow).where(RejectionRow.doc_id == doc_id)
    if item_keys is not None:
        query = query.where(RejectionRow.item_key.in_(list(item_keys)))
    session.execute(query)


def stream_rejections(session: Session) -> Iterable[tuple[Any, ...]]:
    """Rows (id, doc_id, annotator_id, item_key, created_at) ordered by (doc_id, id), for exports."""
    query = select(
        RejectionRow.id, RejectionRow.doc_id, RejectionRow.annotator_id, RejectionRow.item_key, RejectionRow.created_at
    ).order_by(RejectionRow.doc_id, RejectionRow.id)
    return session.execute(query.execution_options(yield_per=5000))

"""Reviewers' comments on the items of a document."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from annotator.store.engine import utc_now
from annotator.store.tables import CommentRow


def add_comment(session: Session, doc_id: int, annotator_id: int, item_key: str, text: str) -> int:
    now = utc_now()
    row = CommentRow(
        doc_id=doc_id, annotator_id=annotator_id, item_key=item_key, text=text, created_at=now, updated_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def comments_for(session: Session, doc_id: int) -> list[tuple[int, int, str, str, str]]:
    """(comment id, author id, item key, text, created_at) for one document, oldest first."""
    rows = session.execute(
        select(CommentRow.id, CommentRow.annotator_id, CommentRow.item_key, CommentRow.text, CommentRow.created_at)
        .where(CommentRow.doc_id == doc_id)
        .order_by(CommentRow.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def delete_comment(session: Session, comment_id: int) -> None:
    session.execute(delete(CommentRow).where(CommentRow.id == comment_id))

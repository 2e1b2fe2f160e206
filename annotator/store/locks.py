"""Per-document curator locks on a server project: PostgreSQL session advisory locks.

One curator per document at a time: `try_lock_document` takes `pg_try_advisory_lock(CURATOR, doc)`
on a connection of its own, held until `DocumentLock.release()` (or until that client dies: the
server drops a dead session's locks, so a killed curator never leaves a document locked).
`lock_holder` names the login that holds a document. A project file has one user at a time, so
there the lock is always granted and holds nothing.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, column, func, select, table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from annotator.model.errors import StorageError
from annotator.model.types import GOLD
from annotator.store.tables import AnnotatorRow, RelationRow, SpanRow, StanceRow

CURATOR = 0x616E6E  # the first key of every curator lock ("ann"); the second is the document id
DECISIONS = 0x616E64  # the first key of a transaction's hold on a document's gold ("and")

_locks = table("pg_locks", column("locktype"), column("classid"), column("objid"), column("objsubid"), column("pid"))
_activity = table("pg_stat_activity", column("pid"), column("usename"), column("datname"))


@dataclass
class DocumentLock:
    doc_id: int
    _conn: Connection | None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(select(func.pg_advisory_unlock(CURATOR, self.doc_id)))
            except SQLAlchemyError:
                pass  # the connection is gone, and the server dropped its locks with it
            finally:
                with contextlib.suppress(SQLAlchemyError):
                    self._conn.close()
                self._conn = None


def try_lock_document(engine: Engine, doc_id: int) -> DocumentLock | None:
    """The curator lock of `doc_id`, or None when another session holds it."""
    if engine.dialect.name != "postgresql":
        return DocumentLock(doc_id, None)
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot reach the server for the curator lock ({_detail(exc)})") from exc
    try:
        got = bool(conn.execute(select(func.pg_try_advisory_lock(CURATOR, doc_id))).scalar_one())
        conn.commit()  # the lock is the session's, not the transaction's: end the transaction
    except SQLAlchemyError as exc:
        conn.close()
        raise StorageError(f"cannot take the curator lock ({_detail(exc)})") from exc
    except BaseException:
        conn.close()
        raise
    if not got:
        conn.close()
        return None
    return DocumentLock(doc_id, conn)


def hold_decisions(session: Session, doc_id: int) -> None:
    """Make this transaction the only one deciding on `doc_id`'s gold until it ends: on a server a
    transaction advisory lock (DECISIONS, doc) that another decision or gold undo waits for. Not the
    curator lock's key: a curator's own window holds that one on a connection of its own. A project
    file's decision runs in a write transaction (BEGIN IMMEDIATE), which holds the whole file."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(DECISIONS, doc_id)))


def hold_gold_writes(session: Session, doc_id: int, annotator_id: int) -> None:
    """`hold_decisions` when `annotator_id` is gold's layer: a curator's hand edit that adds a gold
    row (a span, a link, a stance where they saw none) then waits for a review decision or another
    curator's hand edit on the document, and its check (no stance there yet, the claim's link)
    reads what that one left. Gold's id, once it exists, is remembered per engine (it never
    changes), so an annotator's own edit sends nothing more. A project file's write takes its write
    lock from its first read instead (`locked_session`)."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        return
    gold_id = _gold_ids.get(engine)
    if gold_id is None:
        gold_id = session.execute(select(AnnotatorRow.id).where(func.trim(AnnotatorRow.name) == GOLD)).scalar()
        if gold_id is None:
            return  # no gold layer yet: this is not one
        _gold_ids[engine] = gold_id
    if annotator_id == gold_id:
        hold_decisions(session, doc_id)


_gold_ids: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def hold_layer_rows(session: Session, doc_id: int, annotator_id: int) -> None:
    """Lock one layer's rows of a document (SELECT ... FOR UPDATE) until the transaction ends, so an
    edit of one of them (its UPDATE ... WHERE version = seen) waits and then finds the version this
    transaction left; and what this transaction reads next is what is committed now. SQLite renders
    no FOR UPDATE: there the write transaction already holds the file."""
    for table_ in (SpanRow, RelationRow, StanceRow):
        session.execute(
            select(table_.id).where(table_.doc_id == doc_id, table_.annotator_id == annotator_id).with_for_update()
        ).all()


def _detail(exc: SQLAlchemyError) -> str:
    return " ".join(str(getattr(exc, "orig", exc)).split()) or type(exc).__name__


def lock_holder(engine: Engine, doc_id: int) -> str | None:
    """The login holding the curator lock of `doc_id` in this database, if any."""
    if engine.dialect.name != "postgresql":
        return None
    query = (
        select(_activity.c.usename)
        .select_from(_locks.join(_activity, _locks.c.pid == _activity.c.pid))
        .where(
            and_(
                _locks.c.locktype == "advisory",
                _locks.c.classid == CURATOR,
                _locks.c.objid == doc_id,
                _locks.c.objsubid == 2,
                _activity.c.datname == func.current_database(),
            )
        )
    )
    try:
        with engine.connect() as conn:
            found = conn.execute(query).first()
    except SQLAlchemyError:
        return None  # the caller says "another session"
    return None if found is None else str(found[0])

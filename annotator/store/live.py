"""Live changes: what other clients of the same project committed, as it happens.

On PostgreSQL, statement triggers send `NOTIFY annotator_changes` with a small JSON payload: the
table, the document and the layer (annotator) each statement touched, and the kind of change; a
layer table's statement sends one notification per (document, layer) pair it touched, whatever the
number of rows (the server also folds identical notifications of one transaction into one), so a
bulk import costs a few notifications, not one per row. `ServerWatcher` LISTENs on a connection of
its own and skips what this process's own connections sent (their backend pids).

A project file has no notifications: `FileWatcher` polls `PRAGMA data_version` on a connection of
its own, which changes when another connection commits. This process's own commits are bracketed
(read just before each commit and again once the connection is handed back) so that only other
programs' commits count; what they changed is unknown, so a file reports one `UNKNOWN` change.

Both watchers are used from one thread (`wait`, which blocks up to its timeout on a server and
polls once on a file); `close` may be called
from another thread once that thread has stopped calling `wait`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import DDL, Connection, Engine, cast, column, event, func, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from annotator.store.files import data_version
from annotator.store.tables import Base

CHANNEL = "annotator_changes"
UNKNOWN = "unknown"  # a kind of change: something changed, the watcher cannot say what
# Tables whose rows carry a document and a layer: one notification per (document, layer) touched.
LAYER_TABLES = tuple(t.name for t in Base.metadata.sorted_tables if "doc_id" in t.c and "annotator_id" in t.c)
# Derived tables change only with a layer table's change, which notifies by itself.
DERIVED_TABLES = ("doc_disagreement",)
OTHER_TABLES = tuple(
    t.name for t in Base.metadata.sorted_tables if t.name not in LAYER_TABLES and t.name not in DERIVED_TABLES
)

_PENDING_POLLS = 8
_pg_trigger = table("pg_trigger", column("tgname"))
_FINGERPRINTED = "annotator_notify_table()"
"""The function whose comment holds the fingerprint of the installed trigger definitions."""
_TRIGGER_NAMES = ("live_insert", "live_update", "live_delete", "live_any")
_own_pids: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TableChange:
    """One statement's change as another client committed it."""

    table: str
    kind: str  # insert, update, delete, truncate, or UNKNOWN
    doc_id: int | None = None
    layer: int | None = None  # the annotator id of the layer


class Watcher(Protocol):
    blocks: bool  # whether `wait` waits for its timeout (else it answers at once)

    def wait(self, timeout: float) -> list[TableChange]:
        """Changes other clients committed, waiting up to `timeout` s for the first; [] if none."""
        ...

    def close(self) -> None: ...


def watcher(engine: Engine) -> Watcher:
    return ServerWatcher(engine) if engine.dialect.name == "postgresql" else FileWatcher(engine)


# -- PostgreSQL ----------------------------------------------------------------------------------


def _ddl(conn: Connection, statement: str) -> None:
    conn.execute(DDL(statement))  # type: ignore[no-untyped-call]  # DDL() is untyped in SQLAlchemy 2.x


def _trigger_ddl() -> list[str]:
    """Every statement that installs the NOTIFY triggers, in order (fixed identifiers only)."""
    payload = "json_build_object('table', TG_TABLE_NAME, 'kind', lower(TG_OP){extra})::text"
    pair = ", 'doc', doc_id, 'layer', annotator_id"
    statements = [
        "CREATE OR REPLACE FUNCTION annotator_notify_layer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN "
        f"PERFORM pg_notify('{CHANNEL}', {payload.format(extra=pair)}) "
        "FROM (SELECT DISTINCT doc_id, annotator_id FROM old_rows) AS touched; "
        "ELSE "
        f"PERFORM pg_notify('{CHANNEL}', {payload.format(extra=pair)}) "
        "FROM (SELECT DISTINCT doc_id, annotator_id FROM new_rows) AS touched; "
        "END IF; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION annotator_notify_table() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_notify('{CHANNEL}', {payload.format(extra='')}); RETURN NULL; END $$",
    ]
    for name in LAYER_TABLES:
        for trigger, event_name, rows in (
            ("live_insert", "INSERT", "NEW TABLE AS new_rows"),
            ("live_update", "UPDATE", "NEW TABLE AS new_rows"),
            ("live_delete", "DELETE", "OLD TABLE AS old_rows"),
        ):
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {name}")
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event_name} ON {name} REFERENCING {rows} "
                "FOR EACH STATEMENT EXECUTE FUNCTION annotator_notify_layer()"
            )
    for name in OTHER_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS live_any ON {name}")
        statements.append(
            f"CREATE TRIGGER live_any AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION annotator_notify_table()"
        )
    return statements


def fingerprint() -> str:
    """A digest of the trigger definitions this version installs (their functions, tables and
    events): a project whose triggers carry another one gets them replaced."""
    return "annotator live triggers " + hashlib.sha256("\n".join(_trigger_ddl()).encode()).hexdigest()[:16]


def install_triggers(conn: Connection) -> None:
    """The NOTIFY triggers of every table (PostgreSQL; safe to run again), replacing any older
    definition, and their fingerprint (a comment on the function) for `triggers_current`.
    SQLAlchemy has no construct for functions or triggers: DDL statements, with fixed identifiers only."""
    for statement in _trigger_ddl():
        _ddl(conn, statement)
    _ddl(conn, f"COMMENT ON FUNCTION {_FINGERPRINTED} IS '{fingerprint()}'")


def triggers_current(conn: Connection) -> bool:
    """Whether the project's triggers are this version's: the fingerprint matches and every table
    has its triggers (a project made before live updates, or by an older version, has not)."""
    from sqlalchemy.dialects.postgresql import OID  # a server project's: not loaded for a file

    count = select(func.count()).select_from(_pg_trigger).where(_pg_trigger.c.tgname.in_(_TRIGGER_NAMES))
    stored, triggers = conn.execute(  # one round trip: this runs on every open
        select(
            func.obj_description(cast(func.to_regprocedure(_FINGERPRINTED), OID), "pg_proc"),
            count.scalar_subquery(),
        )
    ).one()
    return bool(stored == fingerprint() and int(triggers) == 3 * len(LAYER_TABLES) + len(OTHER_TABLES))


def track_backends(engine: Engine) -> None:
    """Remember the backend pid of each connection this engine opens, so that its own notifications
    can be told from other clients' (a closed connection's pid is forgotten: the server may reuse it)."""
    pids: set[int] = set()
    _own_pids[engine.pool] = pids

    def connected(dbapi_conn: Any, record: Any) -> None:
        pid = int(dbapi_conn.info.backend_pid)
        record.info["backend_pid"] = pid
        pids.add(pid)

    def closed(_dbapi_conn: Any, record: Any) -> None:
        pids.discard(record.info.pop("backend_pid", -1))

    event.listen(engine.pool, "connect", connected)
    event.listen(engine.pool, "close", closed)
    event.listen(engine.pool, "invalidate", lambda c, r, _e: closed(c, r))


class ServerWatcher:
    """LISTENs from the start, so nothing committed after it is made is missed. A lost connection
    is made again at the next wait; the first wait after that reports an UNKNOWN change (changes
    may have been sent while nobody listened)."""

    blocks = True  # `wait` blocks until a notification or the timeout

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._errors = (SQLAlchemyError, engine.dialect.loaded_dbapi.Error)
        self._own = _own_pids.get(engine.pool, set())
        self._conn: Connection | None = None
        self._lost = False
        try:
            self._listening()
        except self._errors:
            self._lost = True

    def _listening(self) -> Any:
        if self._conn is None:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                conn.execute(text(f"LISTEN {CHANNEL}"))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn.connection.driver_connection

    def wait(self, timeout: float) -> list[TableChange]:
        try:
            raw = self._listening()
        except self._errors:
            time.sleep(timeout)
            return []
        if self._lost:
            self._lost = False
            return [TableChange("", UNKNOWN)]
        try:
            got = list(raw.notifies(timeout=timeout, stop_after=1))
            if got:
                got += list(raw.notifies(timeout=0.05, stop_after=500))  # the rest of a burst
        except self._errors:
            self._drop()
            self._lost = True
            return []
        changes: list[TableChange] = []
        for note in got:
            if note.pid in self._own:
                continue
            try:
                data = json.loads(note.payload)
                changes.append(TableChange(str(data["table"]), str(data["kind"]), data.get("doc"), data.get("layer")))
            except (ValueError, KeyError, TypeError):
                changes.append(TableChange("", UNKNOWN))
        return changes

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except self._errors:
                pass
            self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


# -- SQLite --------------------------------------------------------------------------------------


class FileWatcher:
    blocks = False  # `wait` polls and returns at once: the caller paces the polls

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._raw = engine.raw_connection()
        self._last = self._version()
        self._missed = False  # another program committed just before one of ours
        self._mine_pending = 0  # polls since one of our commits began (0: none pending)
        event.listen(engine, "commit", self._before_own_commit)
        event.listen(engine.pool, "checkin", self._after_own_commit)

    def _version(self) -> int:
        return data_version(self._raw)

    def _before_own_commit(self, _conn: Any) -> None:
        with self._lock:
            if self._raw is None:
                return
            version = self._version()
            if version != self._last:
                self._missed, self._last = True, version
            self._mine_pending = 1

    def _after_own_commit(self, _dbapi_conn: Any, _record: Any) -> None:
        with self._lock:
            if self._mine_pending and self._raw is not None:
                self._last, self._mine_pending = self._version(), 0

    def wait(self, timeout: float) -> list[TableChange]:  # noqa: ARG002 - polls at once: see `blocks`
        with self._lock:
            if self._raw is None:
                return []
            if self._mine_pending:
                # one of our commits is under way; one whose connection never came back (held
                # open) stops counting as under way after a few polls
                self._mine_pending = 0 if self._mine_pending > _PENDING_POLLS else self._mine_pending + 1
                return []
            version = self._version()
            if version != self._last or self._missed:
                self._last, self._missed = version, False
                return [TableChange("", UNKNOWN)]
        return []

    def close(self) -> None:
        with self._lock:
            if self._raw is None:
                return
            event.remove(self._engine, "commit", self._before_own_commit)
            event.remove(self._engine.pool, "checkin", self._after_own_commit)
            self._raw.close()
            self._raw = None  # type: ignore[assignment]

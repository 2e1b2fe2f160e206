"""Projects on a PostgreSQL server: `postgresql+psycopg://USER@HOST/DB` instead of a file path.

The URL names the database that is the project. Credentials come the libpq way only (~/.pgpass,
PG* variables, a service file, or a password in a URL the user typed); this module never writes
them anywhere, and the URL it shows (`display_url`) has no password. Schema creation and upgrades
take the same path as a project file (`engine.create_schema`, then the `MIGRATIONS` ladder).
"""

from __future__ import annotations

import select as select_
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, SQLAlchemyError

from annotator.model.errors import ProjectFileError
from annotator.store.files import META, NOT_A_SERVER_PROJECT, detail, recorded_version

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from annotator.store.engine import ProjectStore

# The ORM (sessions, the table classes, live updates) is imported by the functions that use it, so
# that `store.counts` can open a server project for `annotator stats` with SQLAlchemy Core only.

CONNECT_TIMEOUT = 10
SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_server_url(location: str) -> bool:
    """Whether `location` names a server project (a URL) rather than a project file."""
    return location.startswith(SCHEMES)


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and titles."""
    try:
        return make_url(_normalise(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def url_without_password(url: str) -> str:
    """The URL as typed, minus any password: the only form the app ever writes down."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        return url.split("@")[-1]
    return (
        url.strip() if parsed.password is None else parsed._replace(password=None).render_as_string(hide_password=False)
    )


def _normalise(url: str) -> str:
    """SQLAlchemy's psycopg 3 driver for the plain `postgresql://` and `postgres://` forms."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def server_engine(url: str, *, readonly: bool = False, watch: bool = True) -> Engine:
    """An engine on the server project `url`; `watch` remembers its connections' backend ids so
    that live updates can tell this client's own changes from others' (not needed for one read)."""
    try:
        # An unreachable host is refused after CONNECT_TIMEOUT s instead of the system's TCP timeout
        # (minutes); a connect_timeout in the URL wins.
        parsed = make_url(_normalise(url))
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
        engine = create_engine(parsed, connect_args=timeout)
    except (ArgumentError, ImportError) as exc:
        raise ProjectFileError(f"{display_url(url)}: cannot use this server URL ({exc})") from exc
    _ping_when_stale(engine)
    if watch:
        from annotator.store import live

        live.track_backends(engine)
    return engine.execution_options(postgresql_readonly=True) if readonly else engine


IDLE_BEFORE_PING_S = 5.0
"""A pooled connection unused for longer than this is tried (a ping) before an action uses it."""


def _ping_when_stale(engine: Engine) -> None:
    """Try a pooled connection before handing it out only when it may have died: when it sat unused
    for more than IDLE_BEFORE_PING_S, or when the server sent it something while it sat (a server
    that shuts down or restarts tells its clients, or at least closes their sockets, which makes
    them readable). A dead one is replaced by a new connection (DisconnectionError: the pool
    connects again), so the first action after a server restart goes through. SQLAlchemy's
    pool_pre_ping would ping on every checkout: about 17 round trips to open a window."""

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None:  # connected just now
            return
        if time.monotonic() - since <= IDLE_BEFORE_PING_S and not _has_news(dbapi):
            return
        try:
            alive = engine.dialect.do_ping(dbapi)
        except Exception:  # noqa: BLE001 - any failure of the ping: the connection is not usable
            alive = False
        if not alive:
            raise DisconnectionError("the server connection was lost; connecting again")


def _has_news(dbapi: Any) -> bool:
    """Whether an idle connection's socket has something to read (a message from the server, or its
    end): an idle client connection is sent nothing otherwise."""
    try:
        readable, _, _ = select_.select([dbapi.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True  # closed, or not a socket we can ask: let the ping say
    return bool(readable)


def open_server(
    url: str, *, readonly: bool = False, create: bool = True, first_scheme: Callable[[Session], None] | None = None
) -> ProjectStore:
    """Open (or, on an empty database, create: `create_project`) the project in the database `url`
    names; `first_scheme` writes a new project's scheme."""
    from sqlalchemy.orm import sessionmaker

    from annotator.store import engine as files

    shown = display_url(url)
    engine = server_engine(url, readonly=readonly)
    try:
        with engine.connect() as conn:
            if inspect(conn).has_table(META.name):
                facts = dict(conn.execute(select(META.c.key, META.c.value)).all())
            elif readonly or not create:
                raise ProjectFileError(f"{shown}: the database holds no annotator project")
            else:
                facts = {}
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ProjectFileError(f"{shown}: cannot use the server ({files.detail(exc)})") from exc
    except BaseException:
        engine.dispose()
        raise
    store = files.ProjectStore(
        files.server_path(url), engine, readonly, sessionmaker(engine, expire_on_commit=False), url=url
    )
    try:
        if not facts:
            facts = create_project(engine, first_scheme)
            if not facts:
                store.created = True
                return store
        version = recorded_version(facts, shown, NOT_A_SERVER_PROJECT)
        if version < files.SCHEMA_VERSION:
            if readonly:
                raise ProjectFileError(f"{shown}: project uses schema {version}; open it once to upgrade it")
            _upgrade(engine, version)
        if not readonly:
            _ensure_live_triggers(engine)
    except SQLAlchemyError as exc:
        store.close()
        raise ProjectFileError(f"{shown}: cannot use the server ({files.detail(exc)})") from exc
    except BaseException:
        store.close()
        raise
    return store


CREATION = 0x616E63
"""The advisory lock key ("anc", one per database) of making a project and of installing what every
client shares in it (rights, live triggers): two clients doing it at once take turns."""


def create_project(engine: Engine, first_scheme: Callable[[Session], None] | None) -> dict[str, str]:
    """Make the project in the empty database: tables, indexes, facts, live triggers and (through
    `first_scheme`) its scheme, in one transaction holding the creation lock; {} once made. Another
    client that found the database empty at the same moment waits for that lock, then finds the
    project made and gets its facts (it opens it instead); a failure leaves the database empty."""
    from annotator.store import engine as files
    from annotator.store import live

    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(CREATION)))
        if inspect(conn).has_table(META.name):  # made while this client waited
            return dict(conn.execute(select(META.c.key, META.c.value)).all())
        files.create_schema_in(conn)
        live.install_triggers(conn)
        if first_scheme is not None:
            from sqlalchemy.orm import Session

            with Session(bind=conn) as session:  # joins this transaction: commits with the tables
                first_scheme(session)
                session.flush()
    return {}


UPGRADE = 0x616E75  # the advisory lock key of schema upgrades ("anu"), one per database


def _upgrade(engine: Engine, version: int) -> None:
    """Run the migrations from `version` up, each in a transaction holding the database's upgrade
    lock and reading the recorded version again under it: a client that opened the project while
    another was upgrading it waits for that step and then skips it, instead of running it twice."""
    from annotator.store import engine as files

    for target in range(version + 1, files.SCHEMA_VERSION + 1):
        with engine.begin() as conn:
            conn.execute(select(func.pg_advisory_xact_lock(UPGRADE)))
            recorded = conn.execute(select(META.c.value).where(META.c.key == "schema_version")).scalar_one()
            if int(recorded) >= target:
                continue
            files.MIGRATIONS[target](conn)
            conn.execute(update(META).where(META.c.key == "schema_version").values(value=str(target)))


def _ensure_live_triggers(engine: Engine) -> None:
    """Projects made before live updates, or whose triggers an older version installed (another
    fingerprint, a table without them), get this version's NOTIFY triggers from the first client
    allowed to replace them (the tables' owner: a manager, `server init`); others go on with what
    is there (or, with no triggers at all, without live updates)."""
    from annotator.store import live

    with engine.connect() as conn:
        if live.triggers_current(conn):
            return
    try:
        with engine.begin() as conn:
            conn.execute(select(func.pg_advisory_xact_lock(CREATION)))
            if not live.triggers_current(conn):  # not replaced by another client while this one waited
                live.install_triggers(conn)
    except SQLAlchemyError:
        pass  # not the owner: the change signal then comes only from this window's own edits


def project_exists(url: str) -> bool:
    """Whether the database `url` names already holds an annotator project (its meta table)."""
    engine = server_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table(META.name)
    except SQLAlchemyError as exc:
        raise ProjectFileError(f"{display_url(url)}: cannot use the server ({detail(exc)})") from exc
    finally:
        engine.dispose()


def discard_project(url: str) -> None:
    """Drop the tables of a project whose creation failed half-way (nothing else is in them)."""
    from annotator.store.tables import Base

    engine = server_engine(url)
    try:
        Base.metadata.drop_all(engine)
    finally:
        engine.dispose()

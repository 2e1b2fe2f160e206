"""Rights the server enforces, for a project on PostgreSQL: a person is a login, roles are groups.

Three group roles: `annotator` writes only their own layer (spans, relations, stances, status,
comments whose annotator is the login), reads the documents, the scheme and the registry, and in
blind mode reads a colleague's layer of a document only once they marked that document done;
`curator` and `manager` read and write everything (a manager also adds people). The rules are
PostgreSQL row-level security policies and grants, so a client that skips the app (raw SQL) meets
the same refusals. SQLAlchemy has no construct for roles, grants, policies or functions: they are
DDL statements here, with every identifier quoted by the dialect's own preparer.
"""

from __future__ import annotations

import uuid

from sqlalchemy import DDL, Connection, Engine, column, func, insert, select, table

from annotator.store.engine import utc_now
from annotator.store.server import CREATION
from annotator.store.tables import AnnotatorRow

ROLES = ("annotator", "curator", "manager")
STAFF = "curator, manager"
# Tables holding one annotator's layer: the annotator writes only rows carrying their own id.
OWN_ROWS = ("spans", "relations", "stances", "doc_status", "comments")
# Layer tables an annotator reads only when not blind (or once done with the document).
BLIND_ROWS = ("spans", "relations", "stances")
# Shared tables annotators may change too (tagging a source registers its canonical name; every
# change to a document's annotations recomputes its review score, store.disagreement).
ANNOTATOR_WRITES = ("source_aliases", "doc_disagreement")
BLIND_SETTING_KEY = "setting.blind_mode"

_pg_roles = table("pg_roles", column("rolname"), column("oid"))
_pg_auth_members = table("pg_auth_members", column("roleid"), column("member"))


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _ddl(conn: Connection, statement: str) -> None:
    conn.execute(DDL(statement))  # type: ignore[no-untyped-call]  # DDL() is untyped in SQLAlchemy 2.x


def role_exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(_pg_roles.c.rolname).where(_pg_roles.c.rolname == name)).first() is not None


def install(engine: Engine) -> None:
    """Create the group roles (once per server), then this database's grants, functions and policies.
    Safe to run again (on every `server init`); two clients running it at once take turns (the
    creation lock: at the same moment both would find a role missing, and both would replace the
    same function)."""
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(CREATION)))
        for role in ROLES:
            if not role_exists(conn, role):
                _ddl(conn, f"CREATE ROLE {_q(conn, role)} NOLOGIN")
        database = conn.execute(select(func.current_database())).scalar_one()
        everyone = ", ".join(ROLES)
        for statement in (
            f"GRANT CONNECT ON DATABASE {_q(conn, database)} TO {everyone}",
            f"GRANT USAGE ON SCHEMA public TO {everyone}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {everyone}",
            f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {STAFF}",
            f"GRANT INSERT, UPDATE, DELETE ON {', '.join((*OWN_ROWS, *ANNOTATOR_WRITES))} TO annotator",
            "GRANT INSERT ON annotators TO annotator",
            # Who am I, is the project blind, am I done with a document: SECURITY DEFINER so they
            # read their tables past the policies that call them.
            "CREATE OR REPLACE FUNCTION annotator_self() RETURNS integer LANGUAGE sql STABLE "
            "SECURITY DEFINER SET search_path = public AS "
            "$$ SELECT id FROM annotators WHERE name = session_user $$",
            "CREATE OR REPLACE FUNCTION blind_mode() RETURNS boolean LANGUAGE sql STABLE "
            "SECURITY DEFINER SET search_path = public AS "
            f"$$ SELECT coalesce((SELECT value = '1' FROM meta WHERE key = '{BLIND_SETTING_KEY}'), false) $$",
            "CREATE OR REPLACE FUNCTION done_with(doc integer) RETURNS boolean LANGUAGE sql STABLE "
            "SECURITY DEFINER SET search_path = public AS "
            "$$ SELECT EXISTS (SELECT 1 FROM doc_status WHERE doc_id = doc "
            "AND annotator_id = annotator_self() AND status = 'done') $$",
        ):
            _ddl(conn, statement)
        for name in (*OWN_ROWS, "annotators"):
            _ddl(conn, f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            for policy in ("staff_all", "own_rows", "read_rows", "read_open", "add_self"):
                _ddl(conn, f"DROP POLICY IF EXISTS {policy} ON {name}")
            _ddl(conn, f"CREATE POLICY staff_all ON {name} FOR ALL TO {STAFF} USING (true) WITH CHECK (true)")
        _ddl(conn, "CREATE POLICY read_rows ON annotators FOR SELECT TO annotator USING (true)")
        _ddl(conn, "CREATE POLICY add_self ON annotators FOR INSERT TO annotator WITH CHECK (name = session_user)")
        for name in OWN_ROWS:
            mine = "annotator_id = annotator_self()"
            _ddl(conn, f"CREATE POLICY own_rows ON {name} FOR ALL TO annotator USING ({mine}) WITH CHECK ({mine})")
            readable = "NOT blind_mode() OR done_with(doc_id)" if name in BLIND_ROWS else "true"
            _ddl(conn, f"CREATE POLICY read_open ON {name} FOR SELECT TO annotator USING ({readable})")


def grant_table(conn: Connection, name: str) -> None:
    """Give a table created after `install` (by a schema migration) the grants `install` gives every
    table, for the group roles that exist on the server."""
    present = [role for role in ROLES if role_exists(conn, role)]
    if not present:
        return
    target = _q(conn, name)
    _ddl(conn, f"GRANT SELECT ON {target} TO {', '.join(present)}")
    writers = [role for role in present if role != "annotator" or name in (*OWN_ROWS, *ANNOTATOR_WRITES)]
    if writers:
        _ddl(conn, f"GRANT INSERT, UPDATE, DELETE ON {target} TO {', '.join(writers)}")


def session_user(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(func.session_user())).scalar_one())


def group_roles(conn: Connection, name: str) -> list[str]:
    """The group roles of ROLES that the login `name` is directly a member of."""
    group, member = _pg_roles.alias("grp"), _pg_roles.alias("member")
    query = (
        select(group.c.rolname)
        .select_from(_pg_auth_members)
        .join(group, group.c.oid == _pg_auth_members.c.roleid)
        .join(member, member.c.oid == _pg_auth_members.c.member)
        .where(member.c.rolname == name, group.c.rolname.in_(ROLES))
        .order_by(group.c.rolname)
    )
    return [str(r) for r in conn.execute(query).scalars()]


def add_user(engine: Engine, name: str, role: str) -> bool:
    """Make `name` a login in group `role` (created without a password: set one, or use the
    server's peer/certificate authentication, outside the app) and an annotator of this project.
    Returns False when the login already existed: its role is then changed to `role`, so that a
    login is in exactly one of the group roles (a former curator made annotator loses the
    curator's rights). Raises ValueError when the server kept an old role (a grant this login
    cannot revoke, made by another administrator)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with engine.begin() as conn:
        created = not role_exists(conn, name)
        if created:
            _ddl(conn, f"CREATE ROLE {_q(conn, name)} LOGIN")
        _ddl(conn, f"GRANT {_q(conn, role)} TO {_q(conn, name)}")
        for old in group_roles(conn, name):
            if old != role:
                _ddl(conn, f"REVOKE {_q(conn, old)} FROM {_q(conn, name)}")
        kept = [old for old in group_roles(conn, name) if old != role]
        if kept:
            raise ValueError(
                f"{name} is still in group role {', '.join(kept)}: that grant was made by another "
                f"administrator; revoke it as them (REVOKE {kept[0]} FROM {name})"
            )
        known = conn.execute(select(AnnotatorRow.id).where(AnnotatorRow.name == name)).first()
        if known is None:
            conn.execute(insert(AnnotatorRow).values(name=name, uid=uuid.uuid4().hex, created_at=utc_now()))
    return created

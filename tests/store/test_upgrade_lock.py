"""Two clients opening an old-schema server project at the same moment: one upgrades it, the other
waits for that upgrade and then opens the upgraded project (it neither runs the upgrade a second
time nor fails half-way). Two real processes; the test holds the table the migration alters until
both are waiting on the server, so they meet at the worst moment."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy import DDL, column, create_engine, func, select, table, text, update

from annotator.services.project import Project
from annotator.store.engine import SCHEMA_VERSION
from annotator.store.tables import MetaRow

OPEN = "import sys\nfrom annotator.services.project import Project\nProject.open(sys.argv[1]).close()\n"

_activity = table("pg_stat_activity", column("datname"), column("wait_event_type"), column("backend_type"))


def _waiting(admin_url: str, database: str) -> int:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).where(_activity.c.datname == database, _activity.c.wait_event_type == "Lock")
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_two_clients_opening_an_old_schema_server_at_once_one_upgrades_the_other_waits(pg_database: str) -> None:
    Project.open(pg_database).close()
    engine = create_engine(pg_database)
    with engine.begin() as conn:  # what schema 6 wrote: no stance clock
        conn.execute(DDL("ALTER TABLE doc_status DROP COLUMN stance_clock"))
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="6"))
    database = engine.url.database
    assert database is not None
    holder = engine.connect()
    clients: list[subprocess.Popen[str]] = []
    try:
        holder.execute(text("LOCK TABLE doc_status IN ACCESS EXCLUSIVE MODE"))  # until both wait
        for _ in range(2):
            clients.append(
                subprocess.Popen(
                    [sys.executable, "-c", OPEN, pg_database],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        deadline = time.monotonic() + 120  # a wait for the race to set up, not a timed assertion
        while _waiting(pg_database, database) < 2 and time.monotonic() < deadline:
            assert all(c.poll() is None for c in clients), [c.communicate() for c in clients]
            time.sleep(0.1)
        holder.rollback()
    finally:
        holder.close()
    outcomes = [(c.wait(timeout=120), c.communicate()[1]) for c in clients]
    assert outcomes == [(0, ""), (0, "")]
    with engine.connect() as conn:
        version = conn.execute(select(MetaRow.value).where(MetaRow.key == "schema_version")).scalar_one()
    engine.dispose()
    assert version == str(SCHEMA_VERSION)

"""Two clients making a project in one empty server database at the same moment (`annotator server
init URL`, and a window opening the empty database): one makes it, the other waits for that and then
opens the project made (no "already exists" error, no second scheme, no half-made project). Two real
processes; the test holds the creation lock until both wait for it, so they meet at the worst moment."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import column, create_engine, func, select, table

from annotator.services.project import Project
from annotator.store.engine import SCHEMA_VERSION
from annotator.store.server import CREATION
from annotator.store.tables import MetaRow, SchemeRow

OPEN = "import sys\nfrom annotator.services.project import Project\nProject.open(sys.argv[1]).close()\n"

_locks = table("pg_locks", column("locktype"), column("objid"), column("granted"))


def _waiting(url: str) -> int:
    """How many sessions wait for the creation lock."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).where(
                _locks.c.locktype == "advisory", _locks.c.objid == CREATION, _locks.c.granted.is_(False)
            )
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_two_clients_making_a_project_in_one_empty_database_at_once_both_end_with_it(pg_database: str) -> None:
    engine = create_engine(pg_database)
    holder = engine.connect()
    clients: list[subprocess.Popen[str]] = []
    try:
        holder.execute(select(func.pg_advisory_xact_lock(CREATION)))  # until both wait
        for command in (
            [sys.executable, "-m", "annotator", "server", "init", pg_database],  # both: the default scheme
            [sys.executable, "-c", OPEN, pg_database],
        ):
            clients.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        deadline = time.monotonic() + 120  # a wait for the race to set up, not a timed assertion
        while _waiting(pg_database) < 2 and time.monotonic() < deadline:
            assert all(c.poll() is None for c in clients), [c.communicate() for c in clients]
            time.sleep(0.1)
        assert _waiting(pg_database) == 2
        holder.rollback()
    finally:
        holder.close()
    outcomes = [(c.wait(timeout=120), c.communicate()[1]) for c in clients]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert all(err == "" for _, err in outcomes), outcomes
    with engine.connect() as conn:
        facts = {key: value for key, value in conn.execute(select(MetaRow.key, MetaRow.value))}
        schemes = conn.execute(select(func.count()).select_from(SchemeRow)).scalar_one()
    engine.dispose()
    assert facts["schema_version"] == str(SCHEMA_VERSION) and facts["project_uid"]
    assert schemes == 1  # one project, one scheme: whichever client made it
    project = Project.open(pg_database, create=False)
    try:
        assert project.scheme.labels  # a whole scheme, readable
    finally:
        project.close()


def test_a_failed_creation_leaves_the_database_empty_for_the_next_client(pg_database: str) -> None:
    """The scheme is written in the transaction that makes the tables: a scheme refused half-way
    leaves no tables behind (before: a project without a scheme, refused by every later open)."""
    from annotator.model.errors import AnnotatorError
    from annotator.store import engine as files

    def refuse(_session: object) -> None:
        raise AnnotatorError("the scheme file could not be read")

    with pytest.raises(AnnotatorError, match="could not be read"):
        files.open_store(pg_database, first_scheme=refuse).close()
    assert not files.project_exists(pg_database)
    Project.open(pg_database).close()  # the next client makes it
    assert files.project_exists(pg_database)

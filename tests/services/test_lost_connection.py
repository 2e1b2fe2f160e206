"""A lost server connection: an edit is refused in one line and nothing of it is saved; once the
server is back the next edit connects again by itself. Runs on a cluster of its own (started and
stopped here with scripts/pg_cluster.sh), since the test stops the server under a client."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.model.errors import StorageError
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from tests.conftest import REPO
from tests.helpers import add_texts

CLUSTER = REPO / "scripts" / "pg_cluster.sh"


@pytest.fixture
def own_server(pg_admin: object) -> Iterator[tuple[Path, str]]:
    """A throwaway cluster (only where the PostgreSQL tests run: `pg_admin` skips or fails otherwise)."""
    folder = Path(tempfile.mkdtemp(prefix="annotator-lost-"))
    started = subprocess.run([str(CLUSTER), "start", str(folder)], capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    try:
        yield folder, started.stdout.strip()
    finally:
        subprocess.run([str(CLUSTER), "stop", str(folder)], capture_output=True)


def test_an_edit_without_the_server_is_refused_and_the_next_one_reconnects(own_server: tuple[Path, str]) -> None:
    folder, url = own_server
    project = Project.open(url)
    try:
        doc = add_texts(project, "The minister said the talks failed.")[0]
        me = project.annotator("alice").id
        A.add_span(project, doc, me, "claim", 0, 12)

        subprocess.run([str(CLUSTER), "pause", str(folder)], check=True)
        with pytest.raises(StorageError) as refused:
            A.add_span(project, doc, me, "claim", 13, 30)
        assert "cannot reach the server; this action was not saved" in str(refused.value)
        assert "\n" not in str(refused.value)

        subprocess.run([str(CLUSTER), "resume", str(folder)], check=True)
        assert [(s.start, s.end) for s in D.load_view(project, doc, me).spans] == [(0, 12)]  # nothing half-saved
        A.add_span(project, doc, me, "claim", 13, 30)  # the same project object: it reconnected
        assert [(s.start, s.end) for s in D.load_view(project, doc, me).spans] == [(0, 12), (13, 30)]
    finally:
        project.close()


def test_a_burst_of_actions_pings_nothing_and_the_first_after_a_restart_goes_through(
    own_server: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection is tried before use only when it may have died (idle for a while, or the server
    sent it something: store.server._ping_when_stale), not at every checkout as pool_pre_ping did
    (about 17 round trips to open a window). A restart with no action during it: the first action
    after it finds its connection dead, gets a new one, and goes through."""
    folder, url = own_server
    project = Project.open(url)
    try:
        doc = add_texts(project, "The minister said the talks failed, and the envoy agreed.")[0]
        me = project.annotator("alice").id
        dialect = project.store.engine.dialect
        pings: list[object] = []
        ping = dialect.do_ping

        def counted(dbapi_connection: object) -> bool:
            pings.append(dbapi_connection)
            return ping(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", counted)
        for start in range(0, 40, 4):  # one person working quickly: each action checks out a connection
            A.add_span(project, doc, me, "claim", start, start + 3)
            D.load_view(project, doc, me)
        assert pings == []

        subprocess.run([str(CLUSTER), "pause", str(folder)], check=True)
        subprocess.run([str(CLUSTER), "resume", str(folder)], check=True)
        A.add_span(project, doc, me, "claim", 40, 50)  # no error: the dead connection was replaced
        assert len(pings) >= 1  # the restart was noticed before the action used the dead connection
        assert (40, 50) in [(s.start, s.end) for s in D.load_view(project, doc, me).spans]
    finally:
        project.close()

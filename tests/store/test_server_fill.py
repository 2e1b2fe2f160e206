"""store.server_fill: a project file's rows, ids and all, into a new server project by COPY (what
scripts/bench_team_scale.py fills its server with). The server then holds what the file holds (the
same documents, layers, attributes and ids), new rows get fresh ids after the copied ones, live
triggers are on again, and a project that already holds documents is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model.errors import ProjectFileError
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.store import live
from annotator.store.server_fill import fill_from_file
from tests.services.test_review import _doc


def _layers(project: Project) -> list[object]:
    """Every document and every annotator's layer of it (spans with their attributes, links,
    stances, status), ids included."""
    seen: list[object] = []
    for doc_id in D.document_ids(project):
        for name in ("alice", "bob"):
            seen.append((name, D.load_view(project, doc_id, project.annotator(name, create=False).id)))
    return seen


@pytest.fixture
def file_project(tmp_path: Path) -> Path:
    path = tmp_path / "local.db"
    project = Project.open(path)
    try:
        doc = _doc(project)
        _doc(project, "A second text, with a claim.", "d2")
        for name, kind in (("alice", "named_person"), ("bob", "official")):
            who = project.annotator(name).id
            claim = A.add_span(project, doc, who, "claim", 0, 13, {"claim_type": "factual"})[0].id
            source = A.add_span(project, doc, who, "source", 42, 50, {"source_type": kind})[0].id
            A.link(project, "attributed_to", claim, source)
            A.set_stance(project, doc, who, "nato_membership", "favor")
    finally:
        project.close()
    return path


def test_a_filled_server_project_holds_what_the_file_holds(file_project: Path, pg_database: str) -> None:
    Project.open(pg_database).close()  # made by the app: tables, indexes, triggers, scheme
    counts = fill_from_file(pg_database, file_project)
    assert counts["documents"] == 2 and counts["spans"] == 4 and counts["relations"] == 2

    local, server = Project.open(file_project, readonly=True), Project.open(pg_database)
    try:
        assert _layers(server) == _layers(local)
        doc = D.document_ids(server)[0]
        alice = server.annotator("alice", create=False).id
        added = A.add_span(server, doc, alice, "claim", 15, 40)[0]  # the sequences go on after the copied ids
        assert added.id > max(s.id for s in D.load_view(local, doc, alice).spans)
        with server.store.engine.connect() as conn:
            assert live.triggers_current(conn)  # on again
        with pytest.raises(ProjectFileError, match="holds documents already"):
            fill_from_file(pg_database, file_project)
    finally:
        local.close()
        server.close()

"""Live updates below the GUI: another client's commit reaches the feed, this client's own do not."""

from __future__ import annotations

import queue
import time

from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services.live import POLL_S, LiveFeed, RemoteChanges
from annotator.services.project import Project
from tests.helpers import add_texts

PATIENCE_S = 20  # how long a test waits for a delivery before calling it lost (not a speed target)


def _next(found: queue.Queue[RemoteChanges]) -> RemoteChanges:
    return found.get(timeout=PATIENCE_S)


def test_another_clients_edits_reach_the_feed_and_mine_do_not(project: Project, backend: str) -> None:
    doc_a, doc_b = add_texts(project, "The minister said the plan works.", "A second article.")
    bob = project.annotator("bob")
    found: queue.Queue[RemoteChanges] = queue.Queue()
    feed = LiveFeed(project, found.put)
    other = Project.open(project.store.location)
    try:
        # My own edit is not delivered: my views were told when I made it.
        svc.set_status(project, doc_a, bob.id, Status.IN_PROGRESS)
        # Another client's span, then a marker edit that tells the test when to stop looking.
        span, _ = svc.add_span(other, doc_b, bob.id, "claim", 0, 3)
        got = _next(found)
        if backend == "postgresql":
            # The server says which document, layer and kind of change.
            assert got.changes.doc_ids == frozenset({doc_b}) and got.changes.spans and not got.unknown
            assert got.layers == frozenset({(doc_b, bob.id)})
            assert doc_a not in got.changes.doc_ids  # my status change was not echoed back
            svc.set_status(other, doc_a, bob.id, Status.DONE)
            status = _next(found)
            assert status.changes.status and status.changes.doc_ids == frozenset({doc_a})
        else:
            # A project file only knows that another program committed something.
            assert got.unknown
        # Mine again, then another client's marker: the next delivery is the marker alone.
        svc.set_status(project, doc_b, bob.id, Status.DONE)
        time.sleep(4 * POLL_S)  # a file is polled: let my commit be seen before the marker comes
        svc.add_span(other, doc_a, bob.id, "claim", 4, 12)
        marker = _next(found)
        if backend == "postgresql":
            assert marker.changes.doc_ids == frozenset({doc_a}) and not marker.changes.status
        time.sleep(4 * POLL_S)
        assert found.empty()
    finally:
        feed.stop()
        other.close()

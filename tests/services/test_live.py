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
    assert feed.wait_listening()  # as the window does before it reads what it shows
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


def test_an_older_trigger_definition_is_replaced_when_the_project_opens(pg_database: str) -> None:
    from sqlalchemy import create_engine, text

    from annotator.cli import main
    from annotator.store import live

    assert main(["server", "init", pg_database]) == 0
    project = Project.open(pg_database)
    try:
        (doc_id,) = add_texts(project, "The minister said the plan works.")
        bob = project.annotator("bob").id
    finally:
        project.close()
    insert = text(
        'INSERT INTO spans (doc_id, annotator_id, label, start, "end", text, attributes, origin, created_at, '
        "updated_at) VALUES (:d, :a, 'claim', 0, 3, 'The', '{}', 'manual', 'now', 'now') RETURNING id"
    )
    delete = text("DELETE FROM spans WHERE id = :i")
    engine = create_engine(pg_database)

    def write_and_watch(statement: object, params: dict[str, int], patience: float) -> tuple[int, list[object]]:
        """Run one raw SQL statement as another client; what a listener got, and the returned id."""
        watcher = live.ServerWatcher(engine)
        try:
            with engine.begin() as conn:
                result = conn.execute(statement, params)  # type: ignore[call-overload]
                returned = int(result.scalar()) if result.returns_rows else 0
            return returned, list(watcher.wait(patience))
        finally:
            watcher.close()

    try:
        with engine.begin() as conn:
            # What an older version installed: a layer notification without document or layer, no
            # delete trigger on spans, and another fingerprint.
            conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION annotator_notify_layer() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN PERFORM pg_notify('annotator_changes', json_build_object('table', TG_TABLE_NAME, "
                    "'kind', lower(TG_OP))::text); RETURN NULL; END $$"
                )
            )
            conn.execute(text("DROP TRIGGER live_delete ON spans"))
            conn.execute(text("COMMENT ON FUNCTION annotator_notify_table() IS 'annotator live triggers old'"))
            assert not live.triggers_current(conn)
        span_id, got = write_and_watch(insert, {"d": doc_id, "a": bob}, PATIENCE_S)
        assert got == [live.TableChange("spans", "insert")]  # the old payload: no document, no layer
        deleted = write_and_watch(delete, {"i": span_id}, 1.0)[1]
        assert [c for c in deleted if c.table == "spans"] == []  # (cascades notify on their own tables)

        assert main(["server", "init", pg_database]) == 0  # opening the project replaces them
        with engine.connect() as conn:
            assert live.triggers_current(conn)
        span_id, got = write_and_watch(insert, {"d": doc_id, "a": bob}, PATIENCE_S)
        assert got == [live.TableChange("spans", "insert", doc_id, bob)]
        deleted = write_and_watch(delete, {"i": span_id}, PATIENCE_S)[1]
        assert live.TableChange("spans", "delete", doc_id, bob) in deleted
    finally:
        engine.dispose()


def test_the_feed_connects_and_listens_on_its_own_thread_not_the_callers(pg_database: str) -> None:
    """A window starting its feed does not wait for the server's connect and LISTEN: the feed's
    thread makes them (`wait_listening` is what a view waits for before its first read), and a
    change committed once it listens is delivered."""
    import threading

    from sqlalchemy import event

    project = Project.open(pg_database)
    other: Project | None = None
    listened_on: list[threading.Thread] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("LISTEN"):
            listened_on.append(threading.current_thread())

    event.listen(project.store.engine, "before_cursor_execute", seen)
    found: queue.Queue[RemoteChanges] = queue.Queue()
    feed = LiveFeed(project, found.put)
    try:
        assert feed.wait_listening()
        assert len(listened_on) == 1 and listened_on[0] is not threading.current_thread()
        (doc,) = add_texts(project, "The minister said the plan works.")
        other = Project.open(pg_database)
        bob = other.annotator("bob").id  # a new annotators row: delivered too, before the span
        svc.add_span(other, doc, bob, "claim", 0, 3)
        assert any(doc in _next(found).changes.doc_ids for _ in range(2))
    finally:
        feed.stop()
        project.close()
        if other is not None:
            other.close()

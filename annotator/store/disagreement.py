"""The stored per-document disagreement score (`model.disagreement`) over every annotator but gold.

Every write that can change a document's score (spans, document stances, statuses; an annotator
becoming or ceasing to be gold) calls `touch` with the document's id, and `ProjectStore.session()`
calls `refresh` just before it commits: the touched documents' scores are recomputed from what the
transaction sees and written in the same transaction, so the score is as current as the
annotations, whatever path (an edit, its undo, an import, a merge, a review decision) wrote them.

Two writers of one document on a server: `refresh` first upserts the documents' score rows (in id
order), which locks those rows until commit, and only then reads the annotations. A second writer of
the same document waits at its own upsert until the first has committed, and then (PostgreSQL's READ
COMMITTED gives each statement a fresh snapshot) reads the annotations including the first writer's.
On SQLite a writing transaction holds the file's write lock from its first write to its commit, so
nobody else can have written in between: it reads, then upserts the scores in one statement.

Reading the scores for the document list is one query (`stored_scores`). `computed_scores` works them
out for any set of annotators without storing anything; `recompute_all` rebuilds the table (the
schema 3 migration, a rescued copy).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotator.model.disagreement import DocSpan, DocStance, document_score
from annotator.model.types import Status, is_gold_name
from annotator.store.tables import AnnotatorRow, DisagreementRow, DocStatusRow, SpanRow, StanceRow

_PENDING = "annotator.disagreement.pending"
_TABLE = cast(Table, DisagreementRow.__table__)
_CHUNK = 500
_INSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

Executor = Session | Connection


def touch(session: Session, doc_ids: Iterable[int]) -> None:
    """Mark documents whose score this transaction must recompute before it commits."""
    session.info.setdefault(_PENDING, set()).update(doc_ids)


def refresh(session: Session) -> None:
    """Recompute and store the scores of the documents touched in this transaction (before commit)."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.flush()
        store_scores(session, sorted(pending))


def store_scores(executor: Executor, doc_ids: Sequence[int]) -> None:
    """Recompute and write the scores of `doc_ids` (ascending: locks are taken in that order)."""
    conn = _connection(executor)
    ids = _scored_annotators(conn)
    insert = _INSERTS[conn.dialect.name](_TABLE)
    upsert = insert.on_conflict_do_update(index_elements=[_TABLE.c.doc_id], set_={"score": insert.excluded.score})
    for chunk in _chunks(list(doc_ids)):
        if conn.dialect.name == "sqlite":  # the transaction holds the file's write lock already
            scores = _compute(conn, chunk, ids)
            conn.execute(upsert, [{"doc_id": d, "score": scores.get(d, 0.0)} for d in chunk])
            continue
        # Lock first (the upsert creates or locks each row), read after: see the module docstring.
        conn.execute(upsert, [{"doc_id": d, "score": 0.0} for d in chunk])
        scores = _compute(conn, chunk, ids)
        changed = [{"d": d, "s": scores[d]} for d in chunk if scores.get(d, 0.0) != 0.0]
        if changed:
            conn.execute(update(_TABLE).where(_TABLE.c.doc_id == bindparam("d")).values(score=bindparam("s")), changed)


def stored_scores(executor: Executor, doc_ids: Sequence[int] | None = None) -> dict[int, float]:
    """The stored scores (of `doc_ids`, default all), by document id: one query. Documents never
    worked on have none (sort them as 0.0)."""
    query = select(_TABLE.c.doc_id, _TABLE.c.score)
    if doc_ids is None:
        return {int(d): float(s) for d, s in executor.execute(query)}
    found: dict[int, float] = {}
    for chunk in _chunks(list(doc_ids)):
        found.update((int(d), float(s)) for d, s in executor.execute(query.where(_TABLE.c.doc_id.in_(chunk))))
    return found


def computed_scores(
    executor: Executor, annotator_ids: Sequence[int], doc_ids: Sequence[int] | None = None
) -> dict[int, float]:
    """Scores over `annotator_ids` for the documents any of them worked on (or `doc_ids`), not stored."""
    executor = _connection(executor)
    if doc_ids is None:
        doc_ids = sorted({d for d, _ in _work_pairs(executor, None, annotator_ids)})
    result: dict[int, float] = {}
    for chunk in _chunks(list(doc_ids)):
        result.update(_compute(executor, chunk, annotator_ids))
    return result


def recompute_all(executor: Executor) -> None:
    """Rebuild the whole table from the annotations (migration, rescue)."""
    executor = _connection(executor)
    executor.execute(delete(_TABLE))
    ids = _scored_annotators(executor)
    doc_ids = sorted({d for d, _ in _work_pairs(executor, None, ids)})
    for chunk in _chunks(doc_ids):
        scores = _compute(executor, chunk, ids)
        executor.execute(_TABLE.insert(), [{"doc_id": d, "score": scores.get(d, 0.0)} for d in chunk])


def annotator_doc_ids(executor: Executor, annotator_id: int) -> list[int]:
    """The documents an annotator worked on (their scores change when the annotator becomes gold)."""
    return sorted({d for d, _ in _work_pairs(executor, None, [annotator_id])})


# -- reading a chunk of documents ----------------------------------------------------------------


def _compute(executor: Executor, doc_ids: Sequence[int], annotator_ids: Sequence[int]) -> dict[int, float]:
    """Three reads (spans, stances, statuses) for a chunk of documents, then the model's score."""
    present: dict[int, set[int]] = defaultdict(set)
    spans: dict[int, list[DocSpan]] = defaultdict(list)
    query = select(SpanRow.doc_id, SpanRow.annotator_id, SpanRow.label, SpanRow.start, SpanRow.end).where(
        SpanRow.doc_id.in_(doc_ids), SpanRow.annotator_id.in_(annotator_ids)
    )
    for doc_id, annotator_id, label, start, end in executor.execute(query):
        spans[doc_id].append((annotator_id, label, start, end))
        present[doc_id].add(annotator_id)
    stances: dict[int, list[DocStance]] = defaultdict(list)
    judged = select(StanceRow.doc_id, StanceRow.annotator_id, StanceRow.target, StanceRow.value, StanceRow.span_id)
    judged = judged.where(StanceRow.doc_id.in_(doc_ids), StanceRow.annotator_id.in_(annotator_ids))
    for doc_id, annotator_id, target, value, span_id in executor.execute(judged):
        present[doc_id].add(annotator_id)
        if span_id is None:
            stances[doc_id].append((target, value))
    for doc_id, annotator_id in executor.execute(_started(doc_ids, annotator_ids)):
        present[doc_id].add(annotator_id)
    return {doc_id: document_score(who, spans[doc_id], stances[doc_id]) for doc_id, who in present.items()}


def _started(doc_ids: Sequence[int] | None, annotator_ids: Sequence[int]) -> Any:
    query = select(DocStatusRow.doc_id, DocStatusRow.annotator_id).where(
        DocStatusRow.status != Status.NOT_STARTED.value, DocStatusRow.annotator_id.in_(annotator_ids)
    )
    return query if doc_ids is None else query.where(DocStatusRow.doc_id.in_(doc_ids))


def _work_pairs(
    executor: Executor, doc_ids: Sequence[int] | None, annotator_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(doc_id, annotator_id) with work, as `store.work.work_pairs` defines it, for some documents."""
    pairs: set[tuple[int, int]] = set()
    for table in (SpanRow, StanceRow):
        query = select(table.doc_id, table.annotator_id).distinct().where(table.annotator_id.in_(annotator_ids))
        if doc_ids is not None:
            query = query.where(table.doc_id.in_(doc_ids))
        pairs.update((d, a) for d, a in executor.execute(query))
    pairs.update((d, a) for d, a in executor.execute(_started(doc_ids, annotator_ids)))
    return pairs


def _scored_annotators(executor: Executor) -> list[int]:
    rows = executor.execute(select(AnnotatorRow.id, AnnotatorRow.name))
    return [i for i, name in rows if not is_gold_name(name)]


def _connection(executor: Executor) -> Connection:
    """Core execution: the session's own connection (same transaction), without the ORM's layer."""
    return executor.connection() if isinstance(executor, Session) else executor


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for first in range(0, len(items), _CHUNK):
        yield items[first : first + _CHUNK]

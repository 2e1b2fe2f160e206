"""The stored per-document disagreement score (`model.disagreement`) over every annotator but gold.

Every write that can change a document's score (spans, document stances, statuses; an annotator
becoming or ceasing to be gold) calls `touch` with the document's id, and `ProjectStore.session()`
calls `refresh` just before it commits: the touched documents' scores are recomputed from what the
transaction sees and written in the same transaction, so the score is as current as the
annotations, whatever path (an edit, its undo, an import, a merge, a review decision) wrote them.
Recomputing reads the document's spans (with a discontinuous span's pieces), stances, statuses and
the annotators' names in one query; on a long article `model.disagreement` matches again only the
layers that changed.

Two writers of one document on a server: `refresh` first upserts the documents' score rows (in id
order), which locks those rows until commit, and only then reads the annotations. A second writer of
the same document waits at its own upsert until the first has committed, and then (PostgreSQL's READ
COMMITTED gives each statement a fresh snapshot) reads the annotations including the first writer's.
On SQLite a writing transaction holds the file's write lock from its first write to its commit, so
nobody else can have written in between: it reads, then upserts the scores in one statement.

Blind mode on a server: row-level security (`store.rights`) hides a colleague's layers of a document
from an annotator who has not finished it, so what such a writer could compute is a partial score.
It stores `STALE` instead (the annotations themselves are not readable to it, by design), and the
next reader who sees every layer (a curator, a manager, any login when blind mode is off, or the
annotator once done with the document) recomputes and stores the stale scores before returning
them (`stored_scores`). Readers who cannot see every layer get no score for such a document.

An import that creates documents with one annotator's work each stores their 0 at once
(`store_known_zero`) instead of reading their annotations back to find it.

Reading the scores for the document list is one query (`stored_scores`). `computed_scores` works them
out for any set of annotators without storing anything; `recompute_all` rebuilds the table (the
schema 3 migration, a rescued copy).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Connection,
    Table,
    Text,
    bindparam,
    delete,
    func,
    null,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from annotator.model.disagreement import DocSpan, DocStance, Fragments, document_score
from annotator.model.types import Status, is_gold_name
from annotator.store.fast_insert import insert_many, upsert_insert
from annotator.store.tables import AnnotatorRow, DisagreementRow, DocStatusRow, DocumentRow, SpanRow, StanceRow

STALE = -1.0
"""The score a writer stores when it cannot read every layer of the document (blind mode on a server)
or leaves the computing for right after its commit (a window's edit, `refresh`): not a score (scores
are in [0, 1]); the next reader who can see every layer recomputes it."""

_PENDING = "annotator.disagreement.pending"
_TABLE = cast(Table, DisagreementRow.__table__)
_CHUNK = 500
_DEFER_AT_MOST = 8  # a bigger write (an import, a merge) computes its scores in its own transaction
_UPSERTS: dict[str, Any] = {}
_DOCS: BindParameter[Any] = bindparam("docs", expanding=True)
# Everything a chunk's scores need, in one round trip. Rows tell themselves apart by their NULLs:
# an annotator (no document), a span (start), a document stance (value), or only presence (a claim
# stance, a started status).
_READ: CompoundSelect[Any] = union_all(
    select(
        SpanRow.doc_id,
        SpanRow.annotator_id,
        SpanRow.label,
        sql_cast(null(), Text),
        SpanRow.start,
        SpanRow.end,
        type_coerce(SpanRow.fragments, Text),  # decoded here, only when not NULL
    ).where(SpanRow.doc_id.in_(_DOCS)),
    select(StanceRow.doc_id, StanceRow.annotator_id, StanceRow.target, StanceRow.value, null(), null(), null()).where(
        StanceRow.doc_id.in_(_DOCS), StanceRow.span_id.is_(None)
    ),
    select(StanceRow.doc_id, StanceRow.annotator_id, null(), null(), null(), null(), null()).where(
        StanceRow.doc_id.in_(_DOCS), StanceRow.span_id.is_not(None)
    ),
    select(DocStatusRow.doc_id, DocStatusRow.annotator_id, null(), null(), null(), null(), null()).where(
        DocStatusRow.doc_id.in_(_DOCS), DocStatusRow.status != Status.NOT_STARTED.value
    ),
    select(null(), AnnotatorRow.id, AnnotatorRow.name, null(), null(), null(), null()),
)
_STAFF = ("curator", "manager")
_POLICED = "annotator.disagreement.policed"  # store.rights: the roles whose policies show every layer

Executor = Session | Connection


def touch(session: Session, doc_ids: Iterable[int]) -> None:
    """Mark documents whose score this transaction must recompute before it commits."""
    session.info.setdefault(_PENDING, set()).update(doc_ids)


def store_known_zero(session: Session, doc_ids: Iterable[int]) -> None:
    """Store 0 now for those of `doc_ids` this transaction touched, instead of recomputing them at
    `refresh`. Only for documents whose score is 0 by construction: created in this transaction with
    work by one annotator only (the score compares annotators' layers; an import makes many such
    documents and reading their annotations back was most of its refresh). A later `touch` of one of
    them in the same transaction recomputes it as usual."""
    pending: set[int] = session.info.get(_PENDING) or set()
    zero = sorted(pending.intersection(doc_ids))
    if not zero:
        return
    pending.difference_update(zero)
    session.flush()
    insert_many(session, _upsert(session.get_bind().dialect.name), _TABLE, [{"doc_id": d, "score": 0.0} for d in zero])


def refresh(session: Session, deferred: set[int] | None = None) -> None:
    """Recompute and store the scores of the documents touched in this transaction (before commit).

    With `deferred` (a window's edits: one key press must not wait for the matching), a transaction
    that touched a few documents stores `STALE` for them instead and adds them to `deferred`, for
    `store_scores` in a transaction of their own right after (`ProjectStore.score_deferred`). Until
    then, or if that never runs (the program killed in between), every reader recomputes a stale
    score (`stored_scores`), so no reader ever gets an out-of-date one."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.flush()
        if deferred is not None and len(pending) <= _DEFER_AT_MOST:
            mark_stale(session, sorted(pending))
            deferred.update(pending)
        else:
            store_scores(session, sorted(pending))


def mark_stale(executor: Executor, doc_ids: Sequence[int]) -> None:
    """Store `STALE` for `doc_ids` (ascending: the upsert locks the rows in that order)."""
    conn = _connection(executor)
    upsert = _upsert(conn.dialect.name)
    for chunk in _chunks(list(doc_ids)):
        conn.execute(upsert, [{"doc_id": d, "score": STALE} for d in chunk])


def store_scores(executor: Executor, doc_ids: Sequence[int]) -> dict[int, float]:
    """Recompute and write the scores of `doc_ids` (ascending: locks are taken in that order); returns
    what it wrote (`STALE` for the documents this login cannot read every layer of)."""
    conn = _connection(executor)
    upsert = _upsert(conn.dialect.name)
    written: dict[int, float] = {}
    for chunk in _chunks(list(doc_ids)):
        if conn.dialect.name == "sqlite":  # the transaction holds the file's write lock already
            scores = _compute(conn, chunk)
            written.update((d, scores.get(d, 0.0)) for d in chunk)
            conn.execute(upsert, [{"doc_id": d, "score": written[d]} for d in chunk])
            continue
        # Lock first (the upsert creates or locks each row), read after: see the module docstring.
        hidden = _partial_view(conn, chunk)
        conn.execute(upsert, [{"doc_id": d, "score": STALE if d in hidden else 0.0} for d in chunk])
        scores = _compute(conn, [d for d in chunk if d not in hidden])
        written.update((d, STALE if d in hidden else scores.get(d, 0.0)) for d in chunk)
        changed = [{"d": d, "s": scores[d]} for d in chunk if scores.get(d, 0.0) != 0.0]
        if changed:
            conn.execute(update(_TABLE).where(_TABLE.c.doc_id == bindparam("d")).values(score=bindparam("s")), changed)
    return written


def stored_scores(executor: Executor, doc_ids: Sequence[int] | None = None) -> dict[int, float]:
    """The stored scores (of `doc_ids`, default all), by document id: one query. Documents never
    worked on have none (sort them as 0.0). Stale scores (see the module docstring) are recomputed
    and stored first when this login can read every layer of the document, else left out."""
    query = select(_TABLE.c.doc_id, _TABLE.c.score)
    found: dict[int, float] = {}
    if doc_ids is None:
        found.update((int(d), float(s)) for d, s in executor.execute(query))
    else:
        for chunk in _chunks(list(doc_ids)):
            found.update((int(d), float(s)) for d, s in executor.execute(query.where(_TABLE.c.doc_id.in_(chunk))))
    stale = sorted(d for d, s in found.items() if s < 0.0)
    if stale:
        for d in stale:
            del found[d]
        conn = _connection(executor)
        if conn.get_execution_options().get("postgresql_readonly"):  # a read-only open: compute, store nothing
            hidden = _partial_view(conn, stale)
            fresh = {d: 0.0 for d in stale if d not in hidden} | _compute(conn, [d for d in stale if d not in hidden])
        else:
            fresh = store_scores(executor, stale)
        found.update((d, s) for d, s in fresh.items() if s >= 0.0)
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
        scores = _compute(executor, chunk)
        executor.execute(_TABLE.insert(), [{"doc_id": d, "score": scores.get(d, 0.0)} for d in chunk])


def annotator_doc_ids(executor: Executor, annotator_id: int) -> list[int]:
    """The documents an annotator worked on (their scores change when the annotator becomes gold)."""
    return sorted({d for d, _ in _work_pairs(executor, None, [annotator_id])})


# -- reading a chunk of documents ----------------------------------------------------------------


def _compute(
    executor: Executor, doc_ids: Sequence[int], annotator_ids: Sequence[int] | None = None
) -> dict[int, float]:
    """One read of a chunk of documents' annotations, then the model's score per document; over
    `annotator_ids`, or every annotator but gold."""
    if not doc_ids:
        return {}
    present: dict[int, set[int]] = defaultdict(set)
    spans: dict[int, list[DocSpan]] = defaultdict(list)
    stances: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    wanted = set(annotator_ids or ())
    rows = executor.execute(_READ, {"docs": list(doc_ids)}).all()  # fetchall: a row at a time costs more
    for doc_id, annotator_id, text, value, start, end, fragments in rows:
        if doc_id is None:
            if annotator_ids is None and not is_gold_name(text):
                wanted.add(annotator_id)
            continue
        if start is not None:
            spans[doc_id].append((annotator_id, text, start, end, _pieces(fragments)))
        elif value is not None:
            stances[doc_id].append((annotator_id, text, value))
        present[doc_id].add(annotator_id)
    scores: dict[int, float] = {}
    for doc_id, who in present.items():
        mine = who & wanted
        if len(mine) >= 2:
            kept_spans = [sp for sp in spans[doc_id] if sp[0] in mine]
            kept_stances: list[DocStance] = [(t, v) for a, t, v in stances[doc_id] if a in mine]
            scores[doc_id] = document_score(mine, kept_spans, kept_stances)
        elif mine:
            scores[doc_id] = 0.0
    return scores


def _upsert(dialect: str) -> Any:
    """The score upsert for a dialect (built once: building it costs more than running it)."""
    found = _UPSERTS.get(dialect)
    if found is None:
        insert = upsert_insert(dialect, _TABLE)
        found = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.doc_id], set_={"score": insert.excluded.score}
        )
    return found


def _pieces(raw: Any) -> Fragments:
    """A discontinuous span's pieces as stored (JSON ``[[start, end], ...]``: text from SQLite, already
    decoded by the PostgreSQL driver), () for NULL."""
    pieces = json.loads(raw) if isinstance(raw, str) else raw
    return tuple((int(a), int(b)) for a, b in pieces) if pieces else ()


def _partial_view(conn: Connection, doc_ids: Sequence[int]) -> set[int]:
    """The documents of which row-level security hides some layers from this login: on a server
    project with `store.rights` installed, blind mode on, a login in no staff role, not done with
    the document. Empty on SQLite and for a server login that policies do not restrict."""
    if conn.dialect.name != "postgresql" or not doc_ids:
        return set()
    policed = conn.info.get(_POLICED)  # a connection's login does not change: asked once per connection
    if policed is None:
        policed = conn.info[_POLICED] = bool(conn.execute(select(func.row_security_active("spans"))).scalar_one())
    if not policed:
        return set()  # the tables' owner, or a project without `store.rights`
    # `store.rights.install` made the roles and functions whenever policies are on.
    staff = [func.pg_has_role(func.current_user(), role, "MEMBER", type_=Boolean) for role in _STAFF]
    query = select(DocumentRow.id).where(DocumentRow.id.in_(list(doc_ids)), func.blind_mode(type_=Boolean))
    query = query.where(~func.done_with(DocumentRow.id, type_=Boolean), *(~check for check in staff))
    return {int(d) for d in conn.execute(query).scalars()}


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

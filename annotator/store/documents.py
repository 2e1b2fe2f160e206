"""Queries over documents and the source registry: bulk insert, look-ups, lazy listing, streaming."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from annotator.model.errors import NotFoundError
from annotator.model.search import words
from annotator.model.types import Document, DocumentInfo, NewDocument, Status
from annotator.store import convert, fulltext
from annotator.store.streams import json_text, stream_rows
from annotator.store.tables import DocStatusRow, DocumentRow, SourceAliasRow

_INFO_COLUMNS = (
    DocumentRow.id,
    DocumentRow.ext_id,
    DocumentRow.title,
    DocumentRow.sha256,
    DocumentRow.n_chars,
    DocumentRow.imported_at,
    DocumentRow.meta,
    DocumentRow.encoding,
)


def _info(row: Any) -> DocumentInfo:
    return DocumentInfo(row[0], row[1], row[2], row[3], row[4], row[5], dict(row[6] or {}), row[7])


_DOCUMENTS = cast(Table, DocumentRow.__table__)


def insert_documents(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert (Core executemany) of raw rows, for the store's own tests and tools. Keys: ext_id,
    sha256, title, text, n_chars, meta, encoding, source, imported_at. Callers above the store use
    `add_documents`."""
    if rows:
        session.execute(insert(_DOCUMENTS), list(rows))


def _document_row(document: NewDocument) -> dict[str, Any]:
    return {
        "ext_id": document.ext_id,
        "sha256": document.sha256,
        "title": document.title,
        "text": document.text,
        "n_chars": len(document.text),
        "meta": dict(document.meta),
        "encoding": document.encoding,
        "source": document.source,
        "imported_at": document.imported_at,
    }


def add_documents(session: Session, documents: Sequence[NewDocument]) -> None:
    """Add documents in one Core executemany; the database gives them their ids."""
    insert_documents(session, [_document_row(d) for d in documents])


def existing_keys(session: Session, sha256s: Iterable[str], ext_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """Which of these hashes and external ids the project already holds."""
    shas, ids = list(sha256s), list(ext_ids)
    found_sha: set[str] = set()
    found_id: set[str] = set()
    for chunk in _chunks(shas, 500):
        found_sha.update(session.scalars(select(DocumentRow.sha256).where(DocumentRow.sha256.in_(chunk))))
    for chunk in _chunks(ids, 500):
        found_id.update(session.scalars(select(DocumentRow.ext_id).where(DocumentRow.ext_id.in_(chunk))))
    return found_sha, found_id


def find_document(session: Session, *, sha256: str | None = None, ext_id: str | None = None) -> DocumentInfo | None:
    """Match by sha256 first, then by external id."""
    for column, value in ((DocumentRow.sha256, sha256), (DocumentRow.ext_id, ext_id)):
        if value:
            row = session.execute(select(*_INFO_COLUMNS).where(column == value)).first()
            if row is not None:
                return _info(row)
    return None


def get_document(session: Session, doc_id: int) -> Document:
    row = session.get(DocumentRow, doc_id)
    if row is None:
        raise NotFoundError(f"document {doc_id} does not exist")
    return convert.document(row)


def document_infos(session: Session, doc_ids: Sequence[int]) -> dict[int, DocumentInfo]:
    out: dict[int, DocumentInfo] = {}
    for chunk in _chunks(list(doc_ids), 500):
        for row in session.execute(select(*_INFO_COLUMNS).where(DocumentRow.id.in_(chunk))):
            out[row[0]] = _info(row)
    return out


def _matching(
    session: Session, annotator_id: int | None, status: Status | None, search: str
) -> tuple[Select[Any], ColumnElement[int]]:
    """The document list's query (unordered) and its id column: my status and a search of ids, titles
    and text: its words in a row, the last one possibly unfinished ("nato sum" finds "NATO summit")."""
    phrase = words(search)
    if phrase:
        # Straight from the full-text index (its words in a row, the last one as typed so far, a
        # prefix): asking the documents table "id IN (the index's answer)" made SQLite walk it.
        dialect = session.get_bind().dialect.name
        query: Select[Any] = fulltext.documents_with_phrase(dialect, phrase, prefix_last=True)
        doc_id: ColumnElement[int] = query.selected_columns[0]
    else:
        query, doc_id = select(DocumentRow.id), DocumentRow.__table__.c.id
    if not phrase and search:  # no letters or digits (say, an emoji): a scan for the characters as typed
        pattern = f"%{_escape_like(search)}%"
        query = query.where(
            or_(
                DocumentRow.title.ilike(pattern, escape="\\"),
                DocumentRow.ext_id.ilike(pattern, escape="\\"),
                DocumentRow.text.ilike(pattern, escape="\\"),
            )
        )
    if status is not None and annotator_id is not None:
        mine = and_(DocStatusRow.doc_id == doc_id, DocStatusRow.annotator_id == annotator_id)
        if status == Status.NOT_STARTED:
            query = query.where(~exists().where(mine, DocStatusRow.status != Status.NOT_STARTED.value))
        else:
            query = query.where(exists().where(mine, DocStatusRow.status == status.value))
    return query, doc_id


def document_ids(
    session: Session, *, annotator_id: int | None = None, status: Status | None = None, search: str = ""
) -> list[int]:
    """Every id in list order (import order), filtered by my status and by a search (see `_matching`)."""
    query, _doc_id = _matching(session, annotator_id, status, search)
    # Sorted here rather than with ORDER BY: unordered, SQLite answers from a small index instead of
    # walking the table with every article's text (0.1 s instead of 0.25 s at 100,000 documents).
    # Core rows straight off the connection: the ORM's per-row loading doubled the time at 100k ids.
    ids: list[int] = [row[0] for row in session.connection().execute(query)]
    ids.sort()
    return ids


def document_id_page_query(
    session: Session,
    *,
    annotator_id: int | None = None,
    status: Status | None = None,
    search: str = "",
    after: int | None = None,
    limit: int,
) -> Select[Any]:
    """The query `document_id_page` runs (for EXPLAIN in tests and the benchmark)."""
    query, doc_id = _matching(session, annotator_id, status, search)
    if after is not None:
        query = query.where(doc_id > after)
    return query.order_by(doc_id).limit(limit)


def document_id_page(
    session: Session,
    *,
    annotator_id: int | None = None,
    status: Status | None = None,
    search: str = "",
    after: int | None = None,
    limit: int,
) -> list[int]:
    """At most `limit` ids in list order after id `after` (keyset paging): the first screenful of a
    search comes from the index without reading every matching id (FTS5 hands its matches out in
    rowid order; the server's GIN index with ORDER BY id LIMIT)."""
    query = document_id_page_query(
        session, annotator_id=annotator_id, status=status, search=search, after=after, limit=limit
    )
    return [row[0] for row in session.connection().execute(query)]


def count_matching(
    session: Session,
    *,
    annotator_id: int | None = None,
    status: Status | None = None,
    search: str = "",
    cap: int,
) -> int:
    """How many documents match, counting at most `cap` + 1 (so "more than `cap`" costs no more)."""
    query, _doc_id = _matching(session, annotator_id, status, search)
    capped = query.limit(cap + 1).subquery()
    return int(session.connection().execute(select(func.count()).select_from(capped)).scalar_one())


def count_documents(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0)


def longest_ext_id(session: Session) -> int:
    """The length of the project's longest external id (0 when empty)."""
    return int(session.scalar(select(func.max(func.length(DocumentRow.ext_id)))) or 0)


def ext_id_map(session: Session) -> dict[int, str]:
    return dict(session.execute(select(DocumentRow.id, DocumentRow.ext_id)).all())


def iter_document_infos(session: Session, batch: int = 2000) -> Iterator[DocumentInfo]:
    rows = session.execute(select(*_INFO_COLUMNS).order_by(DocumentRow.id).execution_options(yield_per=batch))
    for row in rows:
        yield _info(row)


def iter_documents(session: Session, doc_ids: Sequence[int] | None = None, batch: int = 500) -> Iterator[Document]:
    query = select(DocumentRow).order_by(DocumentRow.id)
    if doc_ids is not None:
        query = query.where(DocumentRow.id.in_(doc_ids))
    for row in session.scalars(query.execution_options(yield_per=batch)):
        yield convert.document(row)


def meta_keys(session: Session) -> list[str]:
    """Every metadata key any document carries, in first-seen order."""
    keys: dict[str, None] = {}
    for meta in session.scalars(select(DocumentRow.meta).execution_options(yield_per=5000)):
        for key in meta or {}:
            keys.setdefault(key, None)
    return list(keys)


def source_registry(session: Session) -> dict[str, str]:
    return dict(session.execute(select(SourceAliasRow.alias, SourceAliasRow.canonical)).all())


def canonical_name(session: Session, alias: str) -> str | None:
    """The registry's canonical name for one spelling (one indexed look-up, not the whole registry)."""
    return session.scalar(select(SourceAliasRow.canonical).where(SourceAliasRow.alias == alias).limit(1))


def register_source_alias(session: Session, alias: str, canonical: str) -> None:
    row = session.scalars(select(SourceAliasRow).where(SourceAliasRow.alias == alias)).first()
    if row is None:
        session.add(SourceAliasRow(alias=alias, canonical=canonical))
    else:
        row.canonical = canonical


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- export streams (for io.export_*) ------------------------------------------------------------
# Plain columns with the metadata as its stored JSON text, for exporters streaming every document.


def stream_document_rows(session: Session, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Rows (id, ext_id, title, sha256, n_chars, imported_at, meta JSON text) ordered by id; no text."""
    query = select(
        DocumentRow.id,
        DocumentRow.ext_id,
        DocumentRow.title,
        DocumentRow.sha256,
        DocumentRow.n_chars,
        DocumentRow.imported_at,
        json_text(DocumentRow.meta),
    )
    return stream_rows(session, query.order_by(DocumentRow.id), batch)


def stream_document_texts(session: Session, batch: int = 500) -> Iterator[tuple[Any, ...]]:
    """Rows (id, ext_id, sha256, title, text, meta JSON text) ordered by id."""
    query = select(
        DocumentRow.id,
        DocumentRow.ext_id,
        DocumentRow.sha256,
        DocumentRow.title,
        DocumentRow.text,
        json_text(DocumentRow.meta),
    )
    return stream_rows(session, query.order_by(DocumentRow.id), batch)


def find_document_with_text(
    session: Session, *, sha256: str | None = None, ext_id: str | None = None
) -> Document | None:
    """Like find_document (sha256 first, then external id) but with the text, in one Core select."""
    for column, value in ((DocumentRow.sha256, sha256), (DocumentRow.ext_id, ext_id)):
        if value:
            row = session.execute(select(*_INFO_COLUMNS, DocumentRow.text).where(column == value)).first()
            if row is not None:
                return Document(_info(row), row[8])
    return None


def find_documents_with_text(
    session: Session, *, sha256s: Iterable[str] = (), ext_ids: Iterable[str] = ()
) -> tuple[dict[str, Document], dict[str, Document]]:
    """`find_document_with_text` for a batch of lines: the documents these hashes and these external
    ids name, with their text, keyed by hash and by external id (one select per 500 keys)."""
    found: list[dict[str, Document]] = [{}, {}]
    for out, column, values in ((found[0], DocumentRow.sha256, sha256s), (found[1], DocumentRow.ext_id, ext_ids)):
        for chunk in _chunks(sorted(set(values)), 500):
            for row in session.execute(select(*_INFO_COLUMNS, DocumentRow.text).where(column.in_(chunk))):
                document = Document(_info(row), row[8])
                out[document.info.sha256 if column is DocumentRow.sha256 else document.info.ext_id] = document
    return found[0], found[1]


def insert_documents_fast(session: Session, documents: Sequence[NewDocument]) -> None:
    """add_documents for the importers' hot path: one Core executemany of the table's INSERT,
    compiled (and cached) by the session's own dialect. The importers call it through this name so
    that a test can make one batch fail."""
    add_documents(session, documents)


def next_unfinished_id(
    session: Session, annotator_id: int, after: int | None, *, status: Status | None = None, search: str = ""
) -> int | None:
    """The first document after `after` (in id order, wrapping round) that the annotator has not
    marked done, among those the document list's filter (`status`, `search`: see `_matching`) lets
    through. Walks the ids in order and stops at the first hit, so it stays cheap on big projects
    where finished documents come first."""
    if status == Status.DONE:
        return None
    query, doc_id = _matching(session, annotator_id, status, search)
    done = exists().where(
        DocStatusRow.doc_id == doc_id,
        DocStatusRow.annotator_id == annotator_id,
        DocStatusRow.status == Status.DONE.value,
    )
    query = query.where(~done).order_by(doc_id).limit(1)
    if after is not None:
        found = session.scalar(query.where(doc_id > after))
        if found is not None:
            return int(found)
    first = session.scalar(query)
    return None if first is None else int(first)

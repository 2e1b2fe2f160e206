"""The full-text index over document ids, titles and text, and over span text, on both back ends.

On SQLite it is two FTS5 tables with external content (`documents_fts`, `spans_fts`) kept current by
triggers, so every way rows arrive (the ORM, Core executemany, raw-cursor bulk inserts, cascaded
deletes) updates the index in the same transaction. A large import is the one exception: it drops
the insert triggers inside its transaction and indexes its new rows in one pass before it commits
(`defer_index`, `catch_up`), which FTS5 does several times faster than a row at a time. On
PostgreSQL it is two GIN expression indexes over `to_tsvector('simple', …)`, which the server keeps
current itself. Both see the text as words:
runs of letters and digits, lower-cased, everything else a separator (the server's expression
replaces non-alphanumerics with spaces first, so its parser does not treat URLs or e-mail addresses
as single tokens); `model.search.words` splits a query the same way.

This module is the only place with SQL text: SQLAlchemy has no construct for FTS5 virtual tables and
triggers, so their DDL is written out here, once. Queries use SQLAlchemy constructs.

The index answers "which documents (spans) may contain this phrase" and "which documents contain this
phrase, the last word a prefix" (the document list). Callers that need exact positions check the
text itself (services.search); the index only narrows down where to look.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import Select

_FTS = MetaData()  # not Base.metadata: create_all must never try to create these as plain tables
DOCUMENTS_FTS = Table(
    "documents_fts", _FTS, Column("rowid", Integer), Column("ext_id", Text), Column("title", Text), Column("text", Text)
)
SPANS_FTS = Table("spans_fts", _FTS, Column("rowid", Integer), Column("text", Text))
# The server's indexes hang on stand-ins for the real tables, so that the real tables (and so
# create_all on SQLite) never learn of an index only PostgreSQL can build. `catch_up` reads
# through them on SQLite too.
_PG_DOCUMENTS = Table(
    "documents",
    _FTS,
    Column("id", Integer),
    Column("ext_id", Text),
    Column("title", Text),
    Column("n_chars", Integer),
    Column("text", Text),
)
_PG_SPANS = Table(
    "spans", _FTS, Column("id", Integer), Column("start", Integer), Column("end", Integer), Column("text", Text)
)
# A tsvector keeps word positions up to 16,383 only (later words all get that one), so a phrase query
# can miss a phrase further on in a text long enough to have more words than that. A text of at most
# this many characters cannot (every word takes a character and a separator): longer ones are
# checked for the words in any order instead, a superset the caller narrows down.
_PG_PHRASE_SAFE_CHARS = 32_000

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(ext_id, title, text, "
    f"content='documents', content_rowid='id', {_TOKENIZE})",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, ext_id, title, text) VALUES (new.id, new.ext_id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, ext_id, title, text) "
    "VALUES ('delete', old.id, old.ext_id, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF ext_id, title, text ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, ext_id, title, text) "
    "VALUES ('delete', old.id, old.ext_id, old.title, old.text); "
    "INSERT INTO documents_fts(rowid, ext_id, title, text) VALUES (new.id, new.ext_id, new.title, new.text); END",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS spans_fts USING fts5(text, content='spans', content_rowid='id', {_TOKENIZE})",
    "CREATE TRIGGER IF NOT EXISTS spans_fts_insert AFTER INSERT ON spans BEGIN "
    "INSERT INTO spans_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS spans_fts_delete AFTER DELETE ON spans BEGIN "
    "INSERT INTO spans_fts(spans_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS spans_fts_update AFTER UPDATE OF text ON spans BEGIN "
    "INSERT INTO spans_fts(spans_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO spans_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
    "INSERT INTO spans_fts(spans_fts) VALUES ('rebuild')",
)

# PostgreSQL: the same expression in the index and in every query, so the planner uses the index.
_SIMPLE: ColumnElement[str] = literal_column("'simple'::regconfig")
_NON_WORD: ColumnElement[str] = literal_column("'[^[:alnum:]]+'")
_SPACE: ColumnElement[str] = literal_column("' '")
_GLOBAL: ColumnElement[str] = literal_column("'g'")


def _pg_vector(*columns: ColumnElement[str]) -> ColumnElement[object]:
    # Registers func.to_tsvector / to_tsquery's types. Loaded here, not with the module: a project
    # file never needs the server's dialect (about 0.05 s of every start).
    from sqlalchemy.dialects import postgresql  # noqa: F401

    joined: ColumnElement[str] = columns[0]
    for column in columns[1:]:
        joined = joined.op("||")(_SPACE).op("||")(column)
    return func.to_tsvector(_SIMPLE, func.regexp_replace(joined, _NON_WORD, _SPACE, _GLOBAL))


def _document_vector() -> ColumnElement[object]:
    return _pg_vector(_PG_DOCUMENTS.c.ext_id, _PG_DOCUMENTS.c.title, _PG_DOCUMENTS.c.text)


def _span_vector() -> ColumnElement[object]:
    return _pg_vector(_PG_SPANS.c.text)


@functools.cache
def _pg_indexes() -> tuple[Index, Index]:
    """The server's two GIN indexes (made once, when a server project first needs them)."""
    indexes = (
        Index("ix_documents_fulltext", _document_vector(), postgresql_using="gin"),
        Index("ix_spans_fulltext", _span_vector(), postgresql_using="gin"),
    )
    # to_tsvector() hides its columns from Index, which would then not know its table: say it.
    _PG_DOCUMENTS.append_constraint(indexes[0])
    _PG_SPANS.append_constraint(indexes[1])
    return indexes


def install(conn: Connection) -> None:
    """Create the index (if missing) and fill it from the rows already there. Idempotent."""
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_DDL:
            conn.exec_driver_sql(statement)
        return
    for index in _pg_indexes():
        index.create(conn, checkfirst=True)


@dataclass(frozen=True)
class Deferred:
    """Where the rows a bulk import adds without their index entries start (`defer_index`)."""

    documents_after: int
    spans_after: int


_INSERT_TRIGGERS = {"documents": _SQLITE_DDL[1], "spans": _SQLITE_DDL[5]}


def defer_index(conn: Connection) -> Deferred | None:
    """For a bulk import on SQLite: stop indexing new documents and spans row by row until
    `catch_up`, which indexes them in one pass (FTS5 builds its index far faster from one INSERT
    ... SELECT than from a trigger per row, which writes and merges a segment per statement). The
    insert triggers are dropped inside the caller's transaction, so a rollback (an error, kill -9)
    brings them back with everything else; `catch_up` must run before that transaction commits,
    and nothing may update or delete the new rows in between (their index entries do not exist
    yet). None (nothing deferred) on PostgreSQL, which keeps its own index."""
    if conn.dialect.name != "sqlite":
        return None
    last = {
        name: int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
        for name, table in (("documents", _PG_DOCUMENTS), ("spans", _PG_SPANS))
    }
    for name in _INSERT_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_fts_insert")
    return Deferred(last["documents"], last["spans"])


def catch_up(conn: Connection, deferred: Deferred | None) -> None:
    """Index the rows added since `defer_index` and put its triggers back (same transaction)."""
    if deferred is None:
        return
    docs, spans = _PG_DOCUMENTS, _PG_SPANS
    new_docs = select(docs.c.id, docs.c.ext_id, docs.c.title, docs.c.text).where(docs.c.id > deferred.documents_after)
    conn.execute(insert(DOCUMENTS_FTS).from_select(["rowid", "ext_id", "title", "text"], new_docs))
    new_spans = select(spans.c.id, spans.c.text).where(spans.c.id > deferred.spans_after)
    conn.execute(insert(SPANS_FTS).from_select(["rowid", "text"], new_spans))
    for statement in _INSERT_TRIGGERS.values():
        conn.exec_driver_sql(statement)


def _fts_phrase(words: list[str], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def _tsquery(words: list[str], operator: str, prefix: bool) -> ColumnElement[object]:
    query = f" {operator} ".join(words) + (":*" if prefix else "")
    return func.to_tsquery(_SIMPLE, query)


def documents_with_phrase(dialect: str, words: list[str], *, prefix_last: bool) -> Select[Any]:
    """Ids of documents whose id, title or text holds `words` in a row (the last one possibly only as
    the start of a word). `words` come from `model.search.words`: letters and digits only."""
    if dialect == "sqlite":
        match = literal_column("documents_fts").match(_fts_phrase(words, prefix_last))
        return select(DOCUMENTS_FTS.c.rowid).where(match)
    condition = _document_vector().op("@@")(_tsquery(words, "<->", prefix_last))
    return select(_PG_DOCUMENTS.c.id).where(condition)


def documents_with_words(dialect: str, words: list[str]) -> Select[Any]:
    """Ids of documents whose id, title or text holds `words` in a row, or on PostgreSQL possibly only
    each of them somewhere (in very long texts): a superset of those holding the phrase."""
    if dialect == "sqlite":
        return documents_with_phrase(dialect, words, prefix_last=False)
    vector = _document_vector()
    phrase = vector.op("@@")(_tsquery(words, "<->", False))
    each = and_(_PG_DOCUMENTS.c.n_chars > _PG_PHRASE_SAFE_CHARS, vector.op("@@")(_tsquery(words, "&", False)))
    return select(_PG_DOCUMENTS.c.id).where(or_(phrase, each))


def spans_with_words(dialect: str, words: list[str]) -> Select[Any]:
    """Ids of spans whose text holds `words` in a row (on PostgreSQL, in very long spans, possibly
    only each of them somewhere)."""
    if dialect == "sqlite":
        return select(SPANS_FTS.c.rowid).where(literal_column("spans_fts").match(_fts_phrase(words, False)))
    vector = _span_vector()
    phrase = vector.op("@@")(_tsquery(words, "<->", False))
    long_span = (_PG_SPANS.c.end - _PG_SPANS.c.start) > _PG_PHRASE_SAFE_CHARS
    return select(_PG_SPANS.c.id).where(or_(phrase, and_(long_span, vector.op("@@")(_tsquery(words, "&", False)))))

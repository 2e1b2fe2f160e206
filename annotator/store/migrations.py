"""The steps of the schema ladder (`engine.MIGRATIONS`): each takes a file from one version to the next.

A step runs in one transaction on a connection, with SQLAlchemy constructs only (no hand-built SQL),
after `engine` has backed the file up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, Column, Connection, Table, delete, insert, inspect, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn, ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler

from annotator.store import disagreement, fulltext
from annotator.store.tables import (
    REJECTION_KEY_PREFIX,
    CommentRow,
    DisagreementRow,
    DocStatusRow,
    RejectionRow,
    RelationRow,
    SchemeRow,
    SourceAliasRow,
    SpanRow,
    StanceRow,
)


class AddColumn(ExecutableDDLElement):
    """ALTER TABLE <table> ADD COLUMN <column as the table declares it>, for a new nullable column.
    SQLAlchemy has no construct of its own for it; this one is compiled per dialect (names quoted by
    the dialect's preparer, the column rendered by CreateColumn), so it runs on SQLite and PostgreSQL."""

    def __init__(self, table: Table, column: Column[Any]) -> None:
        self.table = table
        self.column = column


@compiles(AddColumn)
def _compile_add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    table = compiler.preparer.format_table(element.table)
    return f"ALTER TABLE {table} ADD COLUMN {compiler.process(CreateColumn(element.column), **kw)}"


def comments_to_rejections(conn: Connection) -> None:
    """Schema 1 -> 2: create the rejections table and move the "rejected:" comments into it."""
    RejectionRow.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    marked = CommentRow.item_key.startswith(REJECTION_KEY_PREFIX, autoescape=True)
    rows = conn.execute(
        select(CommentRow.doc_id, CommentRow.annotator_id, CommentRow.item_key, CommentRow.created_at)
        .where(marked)
        .order_by(CommentRow.id)
    ).all()
    seen: set[tuple[int, str]] = set()
    moved = []
    for doc_id, annotator_id, key, created_at in rows:
        item_key = key[len(REJECTION_KEY_PREFIX) :]
        if (doc_id, item_key) not in seen:
            seen.add((doc_id, item_key))
            moved.append(dict(doc_id=doc_id, annotator_id=annotator_id, item_key=item_key, created_at=created_at))
    if moved:
        conn.execute(insert(RejectionRow), moved)
    conn.execute(delete(CommentRow).where(marked))


def disagreement_scores(conn: Connection) -> None:
    """Schema 2 -> 3: create the per-document disagreement score table and compute every score."""
    DisagreementRow.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":  # a team project: annotators' writes update the scores too
        from annotator.store import rights  # imported here: rights needs the engine module

        rights.grant_table(conn, DisagreementRow.__tablename__)
    disagreement.recompute_all(conn)


VERSIONED = (SpanRow, RelationRow, StanceRow, CommentRow, SourceAliasRow, SchemeRow)
"""The shared rows that carry a version (tables.py, `version_id_col`)."""


def add_row_versions(conn: Connection) -> None:
    """Schema 3 -> 4: a `version` column (1 for every existing row) on the shared rows, so a write
    based on an older read is refused instead of overwriting a colleague's change. The column's
    definition is compiled from tables.py by the connection's dialect (SQLite and PostgreSQL both
    add a NOT NULL column with a default in place); only the ALTER TABLE words are ours."""
    preparer = conn.dialect.identifier_preparer
    for row_class in VERSIONED:
        table: Table = row_class.__table__  # type: ignore[assignment]
        if "version" in {c["name"] for c in inspect(conn).get_columns(table.name)}:
            continue
        column = CreateColumn(table.c.version).compile(dialect=conn.dialect)
        conn.execute(DDL(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {column}"))  # type: ignore[no-untyped-call]


def fulltext_index(conn: Connection) -> None:
    """Schema 4 -> 5: the full-text index over documents and spans (store.fulltext), filled from the
    rows already there."""
    fulltext.install(conn)


def fragments_and_relation_args(conn: Connection) -> None:
    """Schema 5 -> 6 (issue 13): discontinuous spans (spans.fragments) and relations with role-typed
    arguments and attributes (relations.args, relations.attributes); all nullable, NULL = none. A column
    already there is left alone (a file made by a build that had it is upgraded all the same)."""
    spans: Table = SpanRow.__table__  # type: ignore[assignment]
    relations: Table = RelationRow.__table__  # type: ignore[assignment]
    for table, column in (
        (spans, spans.c.fragments),
        (relations, relations.c.args),
        (relations, relations.c.attributes),
    ):
        if column.name not in {c["name"] for c in inspect(conn).get_columns(table.name)}:
            conn.execute(AddColumn(table, column))


def stance_clock(conn: Connection) -> None:
    """Schema 6 -> 7 (issue 12): doc_status.stance_clock, 0 for every existing row (no removed stance
    remembered yet), so a stance cleared and set again no longer restarts at version 1."""
    statuses: Table = DocStatusRow.__table__  # type: ignore[assignment]
    if "stance_clock" not in {c["name"] for c in inspect(conn).get_columns(statuses.name)}:
        conn.execute(AddColumn(statuses, statuses.c.stance_clock))

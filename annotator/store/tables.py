"""The project's tables, as SQLAlchemy 2.x typed ORM classes.

Rows stay inside `store/`; `store.convert` maps them to `model` values. Timestamps are ISO-8601 UTC
strings (they sort, they are portable to PostgreSQL, and they export as they are).

Every column a file or a user can fill (ids, names, labels, scheme names, aliases, timestamps kept
from a file) is unbounded Text: SQLite never enforced a VARCHAR length but a server does, and an
import must not accept a line on one back end and fail on the other. Bounded String columns hold
only what the application writes itself (hashes, its own timestamps, origins, statuses, meta keys).
"""

# No `from __future__ import annotations` here: the declarative mapping then reads real annotation
# objects instead of evaluating every column's annotation string (about 0.04 s of each start).

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _version_column() -> Mapped[int]:
    """A shared row's version (SQLAlchemy's `version_id_col`): every ORM UPDATE of the row says
    `WHERE version = <the one read>` and bumps it, so a write based on an older read changes nothing
    and fails (StaleDataError, which store turns into `StaleWriteError`). Shared rows are what
    several people may edit: gold's spans, relations and stances (so every layer's, they share the
    tables), comments, the source registry and the scheme. Core UPDATEs bump it themselves."""
    return mapped_column(Integer, default=1, server_default="1")


class MetaRow(Base):
    """Key/value facts about the file: schema version, application id, creation time."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SchemeRow(Base):
    """The copy of the scheme this project uses (TOML text); the newest row is in force."""

    __tablename__ = "schemes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    toml: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[str] = mapped_column(String(32))
    # Bumped when a newer scheme replaces this one: two people applying a change to the same scheme
    # at once cannot both succeed.
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ext_id: Mapped[str] = mapped_column(Text, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    n_chars: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    encoding: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(32))
    # Last on purpose: SQLite reads a column after a long overflowing value only by walking its
    # overflow pages, so listing titles and ids stays cheap when the text comes last.
    text: Mapped[str] = mapped_column(Text)


class AnnotatorRow(Base):
    __tablename__ = "annotators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[str] = mapped_column(Text)


class _Authored:
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(Text)


class SpanRow(_Authored, Base):
    __tablename__ = "spans"
    __table_args__ = (
        Index("ix_spans_doc_annotator", "doc_id", "annotator_id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    # Denormalised copy of document.text[start:end]; documents are immutable, so it never goes stale
    # and exports need no join against the (large) document text.
    text: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # A discontinuous span's pieces [[start, end], ...]; NULL for a continuous one (schema 6).
    fragments: Mapped[list[list[int]] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class RelationRow(_Authored, Base):
    __tablename__ = "relations"
    __table_args__ = (
        Index("ix_relations_doc_annotator", "doc_id", "annotator_id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(Text)
    from_span_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    to_span_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    # Extra role-typed arguments {role: span id} and attributes {name: value} (schema 6); NULL = none.
    args: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    attributes: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class StanceRow(_Authored, Base):
    __tablename__ = "stances"
    __table_args__ = (
        Index("ix_stances_doc_annotator", "doc_id", "annotator_id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    span_id: Mapped[int | None] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class DocStatusRow(Base):
    """Per document and annotator: status, time spent and the annotator's notes."""

    __tablename__ = "doc_status"
    __table_args__ = (UniqueConstraint("doc_id", "annotator_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    seconds: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    updated_at: Mapped[str] = mapped_column(Text)
    # The highest version any stance of this annotator on this document had when it was removed
    # (schema 7): a stance set again after a clear starts above it, so a write naming the version of
    # the stance before the clear is refused (versions never restart at 1 and match by accident).
    stance_clock: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SourceAliasRow(Base):
    """The project's source registry: an alias as written, and the canonical name it stands for."""

    __tablename__ = "source_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(Text, unique=True)
    canonical: Mapped[str] = mapped_column(Text, index=True)
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class CommentRow(Base):
    """A reviewer's comment on an item of a document (a span, relation, stance or the document)."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_doc", "doc_id"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    # What the comment is about, e.g. "span:120:188:claim", "stance:nato_membership", "document".
    item_key: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = _version_column()
    __mapper_args__ = {"version_id_col": version}


class DisagreementRow(Base):
    """A document's disagreement score between annotators (`store.disagreement`), kept current by every
    write to its annotations. Documents never worked on have no row (schema 3)."""

    __tablename__ = "doc_disagreement"
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)


# Schema 1 stored a rejection as a comment keyed with this prefix; the CSV export still lists rejections
# among the comments that way, so a comment may not use it.
REJECTION_KEY_PREFIX = "rejected:"


class RejectionRow(Base):
    """A reviewer's rejection of an item of a document: gold holds no version of it, on purpose.
    (Schema 1 recorded these as comments keyed "rejected:<item key>"; migration 2 moved them here.)"""

    __tablename__ = "rejections"
    __table_args__ = (UniqueConstraint("doc_id", "item_key"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    # The rejected item's key, as review's alignment names it, e.g. "span:120:188:claim".
    item_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(Text)

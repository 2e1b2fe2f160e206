"""Plain domain values: documents, annotators, spans, relations, stances and document status.

These are what the store returns and what services, importers, exporters and the GUI pass around.
Offsets are Python code points into the immutable document text, `end` exclusive. A span may be
discontinuous: `fragments` then lists its pieces (sorted, non-overlapping, at least two), `start`/`end`
are the first piece's start and the last piece's end, and `text` is the pieces' texts joined by one
space. A relation may carry extra role-typed arguments (`args`: role -> span id, e.g. a `cue`) and
attributes (e.g. `quote_type`), as the scheme declares them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from annotator.model.errors import ValidationError


class Origin(StrEnum):
    MANUAL = "manual"
    IMPORTED = "imported"
    MERGED = "merged"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


GOLD = "gold"
"""The name of the adjudicated layer; it is an annotator like any other in the store. This is the one
place that spells it: code asks `Annotator.is_gold` or `is_gold_name`."""


def is_gold_name(name: str) -> bool:
    """Whether `name` names the adjudicated layer (surrounding spaces aside, as annotator names are stored)."""
    return name.strip() == GOLD


def utc_instant(moment: datetime) -> str:
    """The store's form of a timestamp: UTC, microseconds, a trailing Z (sorts as it compares)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def text_sha256(text: str) -> str:
    """A document's identity: the sha256 of its UTF-8 text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_problem(value: object) -> str | None:
    """Why a document's text is unusable (missing, not a string, blank, NUL characters), or None."""
    if value is None:
        return "no text"
    if not isinstance(value, str):
        return f"text must be a string, not {type(value).__name__}"
    if not value or value.isspace():
        return "text is empty"
    if "\x00" in value:
        return "text contains NUL characters"
    return None


@dataclass(frozen=True)
class DocumentInfo:
    """A document without its text: what lists and exports of metadata need."""

    id: int
    ext_id: str
    title: str
    sha256: str
    n_chars: int
    imported_at: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None


@dataclass(frozen=True)
class NewDocument:
    """A document to add: what the importers and merge hand the store (it assigns the id)."""

    ext_id: str
    sha256: str
    title: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    source: str | None = None
    imported_at: str = ""


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    text: str

    @property
    def id(self) -> int:
        return self.info.id


@dataclass(frozen=True)
class Annotator:
    id: int
    name: str
    uid: str

    @property
    def is_gold(self) -> bool:
        """The adjudicated layer, not a person."""
        return is_gold_name(self.name)


@dataclass(frozen=True)
class Span:
    id: int
    doc_id: int
    annotator_id: int
    label: str
    start: int
    end: int
    text: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    origin: str = Origin.MANUAL
    created_at: str = ""
    updated_at: str = ""
    fragments: tuple[tuple[int, int], ...] = ()
    # The stored row's version (store: version_id_col); not part of what the annotation says, so it
    # takes no part in comparisons.
    version: int = field(default=1, compare=False)

    @property
    def parts(self) -> tuple[tuple[int, int], ...]:
        """The span's pieces: its fragments, or (start, end) for a continuous span."""
        return self.fragments or ((self.start, self.end),)

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.parts)


@dataclass(frozen=True)
class Relation:
    id: int
    doc_id: int
    annotator_id: int
    type: str
    from_span: int
    to_span: int
    origin: str = Origin.MANUAL
    created_at: str = ""
    updated_at: str = ""
    args: Mapping[str, int] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)
    # The stored row's version (store: version_id_col); not part of what the annotation says, so it
    # takes no part in comparisons.
    version: int = field(default=1, compare=False)


@dataclass(frozen=True)
class Stance:
    id: int
    doc_id: int
    annotator_id: int
    target: str
    value: str
    span_id: int | None = None
    origin: str = Origin.MANUAL
    created_at: str = ""
    updated_at: str = ""
    # The stored row's version (store: version_id_col); not part of what the annotation says, so it
    # takes no part in comparisons.
    version: int = field(default=1, compare=False)


@dataclass(frozen=True)
class DocStatus:
    doc_id: int
    annotator_id: int
    status: Status = Status.NOT_STARTED
    seconds: float = 0.0
    note: str = ""
    updated_at: str = ""


def check_offsets(text: str, start: Any, end: Any) -> None:
    """Raise ValidationError unless `0 <= start < end <= len(text)` with integer offsets."""
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise ValidationError(f"offsets must be integers, got start={start!r} end={end!r}")
    if not 0 <= start < end <= len(text):
        raise ValidationError(f"offsets {start}..{end} are outside 0..{len(text)} or empty")


FRAGMENT_JOINER = " "
"""Joins the texts of a discontinuous span's fragments into the span's `text`."""


def check_fragments(text: str, fragments: Any) -> tuple[tuple[int, int], ...]:
    """Validate a fragment list ([[start, end], ...], code points) against `text`: each piece inside
    the text and non-empty, the pieces sorted and non-overlapping. Returns them as a tuple of pairs;
    one piece comes back as () (a continuous span has no fragment list)."""
    if not isinstance(fragments, list | tuple) or not fragments:
        raise ValidationError("fragments must be a non-empty list of [start, end] pairs")
    pairs: list[tuple[int, int]] = []
    for piece in fragments:
        if not isinstance(piece, list | tuple) or len(piece) != 2:
            raise ValidationError(f"fragment {piece!r} is not a [start, end] pair")
        check_offsets(text, piece[0], piece[1])
        if pairs and piece[0] < pairs[-1][1]:
            raise ValidationError(f"fragments must be sorted and must not overlap: {piece[0]} < {pairs[-1][1]}")
        pairs.append((piece[0], piece[1]))
    return tuple(pairs) if len(pairs) > 1 else ()


def fragments_text(text: str, fragments: tuple[tuple[int, int], ...]) -> str:
    return FRAGMENT_JOINER.join(text[s:e] for s, e in fragments)

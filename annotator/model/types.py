"""Plain domain values: documents, annotators, spans, relations, stances and document status.

These are what the store returns and what services, importers, exporters and the GUI pass around.
Offsets are Python code points into the immutable document text, `end` exclusive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
"""The name of the adjudicated layer; it is an annotator like any other in the store."""


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

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


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

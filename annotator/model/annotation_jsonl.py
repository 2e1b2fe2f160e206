"""The annotation JSONL (PRODUCT.md): one line per (document, annotator), read into typed values.

This module is the one reader of that format. `read_line` checks a line's shape (every field's type,
span ids unique in the line, timestamps ISO 8601, returned as UTC instants in the store's form) and
`check_layer` checks the layer against the scheme and the document's text (labels, attributes,
offsets, a discontinuous span's fragments, quoted text, relation types, ends, role arguments and
attributes, stance targets, values and spans). Import (io) and
merge (services) both read through these two, so they accept and reject exactly the same lines;
what each then does with a good line (import refuses a layer that differs from the one stored,
merge decides item by item by `updated_at`) is theirs. Every error is a `LineError` whose message
names the item ("span 's1': ...", "relation #2: ...").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from annotator.model.errors import SchemeError, ValidationError
from annotator.model.json_line import parse_json_line
from annotator.model.scheme import Scheme
from annotator.model.types import (
    Status,
    check_fragments,
    check_offsets,
    fragments_text,
    text_problem,
    text_sha256,
    utc_instant,
)

_STATUSES = tuple(s.value for s in Status)
# Keys of the line's `document` object; any other key is kept as document metadata.
DOCUMENT_KEYS = frozenset({"id", "sha256", "title", "text", "meta"})


class LineError(ValidationError):
    """Why one line of an annotation JSONL is rejected (the message names the item)."""


@dataclass(frozen=True)
class LineDocument:
    """The line's document: matched by `sha256` (of `text` when the line has it), then by `ext_id`."""

    ext_id: str | None
    sha256: str | None
    title: str | None
    text: str | None
    meta: Mapping[str, object]

    def lookup(self) -> tuple[str | None, str | None]:
        """(sha256, external id) to find the document by, sha256 first. With the text at hand its hash
        is the identity: a project document that merely shares the id holds another text."""
        return (self.sha256, None) if self.text is not None else (self.sha256, self.ext_id)

    def missing_message(self) -> str:
        return f"document {self.ext_id or self.sha256!r} is not in the project and the line has no text"


@dataclass(frozen=True)
class LineSpan:
    key: str  # the span's id, local to the line ("#n" for the n-th span without one)
    label: str
    start: int
    end: int
    text: str | None
    attributes: Mapping[str, str]
    created_at: str
    updated_at: str
    # A discontinuous span's pieces (start/end are then the first start and the last end); () if continuous.
    fragments: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class LineRelation:
    type: str
    from_key: str
    to_key: str
    created_at: str
    updated_at: str
    args: Mapping[str, str] = field(default_factory=dict)  # role -> span key (e.g. an attribution's cue)
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LineStance:
    target: str
    value: str
    span_key: str | None  # None: a stance of the whole document
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class LineStatus:
    status: Status
    seconds: float
    note: str
    updated_at: str | None  # None: the line does not say when (merge never lets it win over a dated status)


@dataclass(frozen=True)
class Layer:
    """One annotator's work on one document. Span references use the spans' `key`s."""

    annotator: str
    annotator_uid: str | None
    spans: tuple[LineSpan, ...] = ()
    relations: tuple[LineRelation, ...] = ()
    stances: tuple[LineStance, ...] = ()
    status: LineStatus | None = None


@dataclass(frozen=True)
class AnnotationLine:
    document: LineDocument
    layer: Layer
    scheme: str | None = None  # the version hash of the scheme the line was made under, when it says


def normalise_timestamp(value: str) -> str:
    """An ISO 8601 timestamp as a UTC instant (one without an offset is taken as UTC); ValueError if none."""
    return utc_instant(datetime.fromisoformat(value.strip()))


def parse_line(line: str, now: str) -> AnnotationLine:
    """Read one JSONL line; `now` stands in for missing `created_at` (a missing `updated_at` is `created_at`)."""
    obj, error = parse_json_line(line)  # nesting too deep and lone surrogates are reasons too
    if error is not None:  # annotation lines have always said "not valid JSON"
        raise LineError(error.replace("invalid JSON", "not valid JSON", 1))
    return read_record(obj, now)


def read_record(obj: object, now: str) -> AnnotationLine:
    """Read one decoded line (see `parse_line`)."""
    if not isinstance(obj, dict):
        raise LineError(f"a line must be a JSON object, not {_kind(obj)}")
    if "document" not in obj:
        raise LineError(
            'not an annotation record (no "document" object); the file\'s first record decides what the file holds'
        )
    document = read_document(obj["document"])
    name, uid = obj.get("annotator"), obj.get("annotator_uid")
    if not isinstance(name, str) or not name.strip():
        raise LineError("annotator must be a non-empty string")
    if uid == "":
        uid = None  # an emptied uid: the name is the identity
    if uid is not None and not isinstance(uid, str):
        raise LineError("annotator_uid must be a string")
    spans: list[LineSpan] = []
    keys: set[str] = set()
    for n, raw in enumerate(_items(obj, "spans"), 1):
        span = _span(raw, n, now)
        if span.key in keys:
            raise LineError(f"span {span.key!r}: span id used twice in the line")
        keys.add(span.key)
        spans.append(span)
    relations = tuple(_relation(raw, f"relation #{n}", now) for n, raw in enumerate(_items(obj, "relations"), 1))
    stances = tuple(_stance(raw, f"stance #{n}", now) for n, raw in enumerate(_items(obj, "stances"), 1))
    made_under = obj.get("scheme")
    layer = Layer(name.strip(), uid, tuple(spans), relations, stances, read_status(obj))
    return AnnotationLine(document, layer, made_under if isinstance(made_under, str) else None)


def check_line(scheme: Scheme, line: AnnotationLine, text: str) -> None:
    """`check_layer` for a line read from a file; a line made under another scheme version says so."""
    try:
        check_layer(scheme, line.layer, text)
    except LineError as exc:
        if line.scheme is not None and line.scheme != scheme.version_hash:
            raise LineError(
                f"{exc} (the line was made under scheme {line.scheme}, this project's is "
                f"{scheme.version_hash}, and the name does not map through its aliases)"
            ) from exc
        raise


def check_layer(scheme: Scheme, line: Layer, text: str) -> None:
    """Raise LineError unless every item of the layer fits the scheme and the document `text`."""
    labels: dict[str, str] = {}
    for span in line.spans:
        where = f"span {span.key!r}"
        try:
            scheme.validate_span(span.label, span.attributes)
            check_offsets(text, span.start, span.end)
            if span.fragments:
                check_fragments(text, span.fragments)
        except (SchemeError, ValidationError) as exc:
            raise LineError(f"{where}: {exc}") from None
        quoted = fragments_text(text, span.fragments) if span.fragments else text[span.start : span.end]
        if span.text is not None and span.text != quoted:
            raise LineError(
                f"{where}: text {span.text!r} is not the document's text at {span.start}..{span.end} ({quoted!r})"
            )
        labels[span.key] = scheme.canonical_label(span.label)
    per_from: dict[tuple[str, str], int] = {}
    for n, rel in enumerate(line.relations, 1):
        where = f"relation #{n}"
        kind = scheme.relation(rel.type)
        if kind is None:
            raise LineError(f"{where}: relation type {rel.type!r} is not in the scheme")
        for end_key, local, want in (("from", rel.from_key, kind.from_label), ("to", rel.to_key, kind.to_label)):
            if local not in labels:
                raise LineError(f"{where}: {end_key!r} names no span of this line ({local!r})")
            if labels[local] != want:
                raise LineError(
                    f"{where}: {kind.name!r} goes from {kind.from_label!r} to {kind.to_label!r}, "
                    f"but {end_key!r} span {local!r} is a {labels[local]!r}"
                )
        count = per_from.get((kind.name, rel.from_key), 0) + 1
        if kind.max_per_from is not None and count > kind.max_per_from:
            raise LineError(f"{where}: span {rel.from_key!r} has more than {kind.max_per_from} {kind.name!r} link(s)")
        per_from[(kind.name, rel.from_key)] = count
        missing = next((f"{role!r} ({key!r})" for role, key in rel.args.items() if key not in labels), None)
        if missing:
            raise LineError(f"{where}: argument {missing} names no span of this line")
        try:
            kind.validate_extras({role: labels[key] for role, key in rel.args.items()}, rel.attributes)
        except SchemeError as exc:
            raise LineError(f"{where}: {exc}") from None
    seen: set[tuple[str, str | None]] = set()
    for n, stance in enumerate(line.stances, 1):
        where = f"stance #{n}"
        try:
            scheme.validate_stance(stance.target, stance.value)
        except SchemeError as exc:
            raise LineError(f"{where}: {exc}") from None
        if stance.span_key is not None:
            if stance.span_key not in labels:
                raise LineError(f"{where}: span {stance.span_key!r} names no span of this line")
            if scheme.stance_span_labels and labels[stance.span_key] not in scheme.stance_span_labels:
                raise LineError(f"{where}: a {labels[stance.span_key]!r} span cannot carry a stance")
        target = scheme.canonical_target(stance.target)
        if (target, stance.span_key) in seen:
            what = "span" if stance.span_key else "document"
            raise LineError(f"{where}: a second stance on {stance.target!r} for the same {what}")
        seen.add((target, stance.span_key))


# -- the pieces of a line --------------------------------------------------------------------------


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def read_document(raw: object) -> LineDocument:
    if not isinstance(raw, dict):
        raise LineError("'document' must be an object")
    ext_id, sha = _document_key(raw, "id"), _document_key(raw, "sha256")
    title, text = raw.get("title"), raw.get("text")
    if text is not None:
        problem = text_problem(text)
        if problem:
            raise LineError(f"document {problem}")
        actual = text_sha256(text)
        if sha and sha != actual:
            raise LineError("document sha256 does not match its text")
        sha = actual
    meta: dict[str, object] = dict(raw["meta"]) if isinstance(raw.get("meta"), dict) else {}
    meta.update({k: v for k, v in raw.items() if k not in DOCUMENT_KEYS})
    return LineDocument(ext_id or None, sha or None, title if isinstance(title, str) else None, text, meta)


def _document_key(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        return str(value)
    if value is not None and not isinstance(value, str):
        raise LineError(f"document {key} must be a string")
    return value


def _items(obj: Mapping[str, Any], key: str) -> list[Any]:
    items = obj.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise LineError(f"{key} must be a list")
    return items


def _object(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LineError(f"{where}: must be an object")
    return raw


def _string(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise LineError(f"{where}: {key} must be a non-empty string")
    return value


def _local_id(value: object, where: str, what: str) -> str:
    """A span reference: a string, or an integer taken as its decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise LineError(f"{where}: {what} must be a span id (a string), not {value!r}")
    return value


def item_times(raw: Mapping[str, Any], where: str, now: str) -> tuple[str, str]:
    created, updated = raw.get("created_at"), raw.get("updated_at")
    if created is None and updated is None:  # most items of most files: no parsing to do
        return now, now
    created = _timestamp(created, where, "created_at") or now
    return created, _timestamp(updated, where, "updated_at") or created


def _timestamp(value: object, where: str, key: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LineError(f"{where}: {key} must be a string")
    try:
        return normalise_timestamp(value)
    except ValueError:
        raise LineError(f"{where}: {key} {value!r} is not an ISO 8601 timestamp") from None


def _span(raw: object, n: int, now: str) -> LineSpan:
    where = f"span #{n}"
    obj = _object(raw, where)
    key = _local_id(obj["id"], where, "id") if obj.get("id") is not None else f"#{n}"
    where = f"span {key!r}" if "id" in obj else where
    label, attributes = obj.get("label"), obj.get("attributes") or {}
    if not isinstance(label, str):
        raise LineError(f"{where}: label must be a string")
    if not isinstance(attributes, dict):
        raise LineError(f"{where}: attributes must be an object")
    for name, value in attributes.items():
        if not isinstance(value, str):
            raise LineError(f"{where}: attribute {name!r} must be a string, not {_kind(value)}")
    fragments = _fragments(obj.get("fragments"), where)
    start, end = obj.get("start", fragments[0][0] if fragments else None), obj.get("end")
    end = fragments[-1][1] if end is None and fragments else end
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise LineError(f"{where}: offsets must be integers, got start={start!r} end={end!r}")
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise LineError(f"{where}: text must be a string")
    if len(fragments) == 1:  # one piece is a continuous span
        fragments = ()
    if fragments and (start, end) != (fragments[0][0], fragments[-1][1]):
        raise LineError(
            f"{where}: start/end {start}..{end} must be the fragments' bounds {fragments[0][0]}..{fragments[-1][1]}"
        )
    return LineSpan(key, label, start, end, text, dict(attributes), *item_times(obj, where, now), fragments)


def _fragments(raw: object, where: str) -> tuple[tuple[int, int], ...]:
    """The optional `fragments` [[start, end], ...] of a discontinuous span (shape; `check_layer` checks the text)."""
    if raw is None:
        return ()
    if isinstance(raw, list) and raw and all(isinstance(p, list) and [type(x) for x in p] == [int, int] for p in raw):
        return tuple((p[0], p[1]) for p in raw)
    raise LineError(f"{where}: fragments must be a non-empty list of [start, end] pairs of integers")


def _relation(raw: object, where: str, now: str) -> LineRelation:
    obj = _object(raw, where)
    rtype = obj.get("type")
    if not isinstance(rtype, str):
        raise LineError(f"{where}: relation type {rtype!r} is not in the scheme")
    ends = [_local_id(obj.get(key), where, repr(key)) for key in ("from", "to")]
    args, attributes = obj.get("args") or {}, obj.get("attributes") or {}
    if not isinstance(args, dict) or not isinstance(attributes, dict):
        raise LineError(f"{where}: args and attributes must be objects")
    keys = {str(role): _local_id(key, where, f"argument {role!r}") for role, key in args.items()}
    for name, value in attributes.items():
        if not isinstance(value, str):
            raise LineError(f"{where}: attribute {name!r} must be a string, not {_kind(value)}")
    return LineRelation(rtype, ends[0], ends[1], *item_times(obj, where, now), keys, dict(attributes))


def _stance(raw: object, where: str, now: str) -> LineStance:
    obj = _object(raw, where)
    target, value, span = obj.get("target"), obj.get("value"), obj.get("span")
    if not isinstance(target, str) or not isinstance(value, str):
        raise LineError(f"{where}: target and value must be strings")
    span_key = None if span is None else _local_id(span, where, "span")
    return LineStance(target, value, span_key, *item_times(obj, where, now))


def read_status(obj: Mapping[str, Any]) -> LineStatus | None:
    """Status as a string with optional top-level `seconds`/`note`/`status_updated_at`, or an object
    {"status", "seconds", "note", "updated_at"}; absent means the line says nothing of it."""
    raw = obj.get("status")
    if raw is None:
        return None
    if isinstance(raw, dict):
        fields = dict(raw)
    else:
        fields = {
            "status": raw,
            "seconds": obj.get("seconds"),
            "note": obj.get("note"),
            "updated_at": obj.get("status_updated_at"),
        }
    status = fields.get("status")
    if status not in _STATUSES:  # a tuple: an unhashable value (a list) is just not one of them
        raise LineError(f"status {status!r} is not one of {', '.join(_STATUSES)}")
    seconds, note = fields.get("seconds") or 0.0, fields.get("note") or ""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise LineError(f"seconds must be a non-negative number, not {seconds!r}")
    if not isinstance(note, str):
        raise LineError("status note must be a string")
    return LineStatus(
        Status(status), float(seconds), note, _timestamp(fields.get("updated_at"), "status", "updated_at")
    )

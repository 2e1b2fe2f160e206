"""One pass from a decoded annotation line to the rows `store.bulk` inserts: import's fast reader.

The typed reader (`model.annotation_jsonl`: `read_record`, then `check_layer` against the scheme and
the document's text) defines which lines are good and what each rejection says; merge reads through
it. For an import it cost more than storing the rows: a typed value and a location string per item,
then those values turned into rows. `RowReader` reads the common shape of a line straight into rows,
with the same checks, and gives up (None) at the first thing that is not plainly good: a wrong type,
an offset outside the text, a label, attribute, relation or stance the scheme does not take, a span
quoting other text, a timestamp it cannot read, or a discontinuous span (`fragments`, rare). The
importer then reads that line with the typed reader, which rejects it with its own message (naming
the item) or accepts it (`layer_rows` turns its layer into the same rows). So every line is accepted
or rejected exactly as the typed reader decides, and stored the same either way
(tests/io/test_import_rows.py compares both paths on mutated lines).

The scheme's answers (is this label with these attributes valid, and under which current names) are
kept per distinct question: a file asks the same few thousand times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotator.io.layer_content import Content, content_key, relation_key, span_key
from annotator.model.annotation_jsonl import (
    Layer,
    LineDocument,
    LineError,
    LineStatus,
    item_times,
    read_document,
    read_status,
)
from annotator.model.errors import SchemeError
from annotator.model.scheme import RelationType, Scheme
from annotator.model.types import Origin, fragments_text

IMPORTED = Origin.IMPORTED.value
_CACHE_LIMIT = 4096

Row = dict[str, Any]


@dataclass(slots=True)
class LineRows:
    """One line's layer as rows for `store.bulk`, doc_id and annotator_id still 0 (the importer sets
    them). Relations (`from_span_id`, `to_span_id`, `args`) and stances (`span_id`) name their spans
    by index into `spans` until the spans have ids."""

    spans: list[Row]
    relations: list[Row]
    stances: list[Row]
    status: LineStatus | None

    @property
    def has_items(self) -> bool:
        return bool(self.spans or self.relations or self.stances)

    def content(self) -> Content | tuple[()]:
        """The layer's fingerprint (`content_key`), as stored (before the importer renumbers)."""
        keys = [
            span_key(r["label"], r["start"], r["end"], r["attributes"], tuple(map(tuple, r["fragments"] or ())))
            for r in self.spans
        ]
        relations = [
            relation_key(
                r["type"],
                keys[r["from_span_id"]],
                keys[r["to_span_id"]],
                {role: keys[at] for role, at in (r["args"] or {}).items()},
                r["attributes"] or {},
            )
            for r in self.relations
        ]
        stances = [(r["target"], r["value"], () if r["span_id"] is None else keys[r["span_id"]]) for r in self.stances]
        return content_key(keys, relations, stances)


@dataclass(frozen=True, slots=True)
class LineHead:
    """What a line says before its layer is read: the decoded object, its document and annotator."""

    obj: dict[str, Any]
    document: LineDocument
    annotator: str
    annotator_uid: str | None


def line_head(obj: object) -> LineHead | None:
    """The line's document and annotator, or None where `read_record` would reject them."""
    if type(obj) is not dict or "document" not in obj:
        return None
    try:
        document = read_document(obj["document"])
    except LineError:
        return None
    name, uid = obj.get("annotator"), obj.get("annotator_uid")
    if type(name) is not str or not name.strip():
        return None
    uid = None if uid == "" else uid
    if uid is not None and type(uid) is not str:
        return None
    return LineHead(obj, document, name.strip(), uid)


class RowReader:
    """Reads lines' layers into rows under one scheme (see the module docstring)."""

    def __init__(self, scheme: Scheme, now: str) -> None:
        self.scheme, self.now = scheme, now
        self._labels: dict[tuple[str, tuple[tuple[str, Any], ...]], tuple[str, dict[str, str]] | None] = {}
        self._stances: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._relations: dict[str, RelationType | None] = {}

    def rows(self, obj: dict[str, Any], text: str) -> LineRows | None:
        """The line's layer as rows, checked against the scheme and `text`; None: not plainly good."""
        items = _items(obj, "spans")
        index: dict[str, int] = {}
        labels: list[str] = []
        if items is None:
            return None
        spans: list[Row] = []
        for n, raw in enumerate(items, 1):
            found = self._span(raw, n, text, index)
            if found is None:
                return None
            key, row = found
            index[key] = len(spans)
            labels.append(row["label"])
            spans.append(row)
        relations = self._relation_rows(obj, index, labels)
        stances = self._stance_rows(obj, index, labels)
        if relations is None or stances is None:
            return None
        try:
            status = read_status(obj)
        except LineError:
            return None
        return LineRows(spans, relations, stances, status)

    def _span(self, raw: object, n: int, text: str, index: dict[str, int]) -> tuple[str, Row] | None:
        if type(raw) is not dict or raw.get("fragments") is not None:
            return None
        given = raw.get("id")
        key = f"#{n}" if given is None else _ref(given)
        label, attributes, start, end = raw.get("label"), raw.get("attributes") or {}, raw.get("start"), raw.get("end")
        if key is None or key in index or type(label) is not str or type(attributes) is not dict:
            return None
        if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
            return None
        quoted = text[start:end]
        said = raw.get("text")
        if said is not None and said != quoted:
            return None
        found = self._label(label, attributes)
        times = self._times(raw)
        if found is None or times is None:
            return None
        return key, {
            "doc_id": 0,
            "annotator_id": 0,
            "label": found[0],
            "start": start,
            "end": end,
            "text": quoted,
            "attributes": found[1],
            "fragments": None,
            "origin": IMPORTED,
            "created_at": times[0],
            "updated_at": times[1],
        }

    def _relation_rows(self, obj: dict[str, Any], index: dict[str, int], labels: list[str]) -> list[Row] | None:
        items = _items(obj, "relations")
        if items is None:
            return None
        rows: list[Row] = []
        per_from: dict[tuple[str, str], int] = {}
        for raw in items:
            if type(raw) is not dict:
                return None
            kind = self._relation(raw.get("type"))
            ends = _ref(raw.get("from")), _ref(raw.get("to"))
            if kind is None or ends[0] is None or ends[1] is None:
                return None
            source, target = index.get(ends[0]), index.get(ends[1])
            if source is None or target is None or (labels[source], labels[target]) != (kind.from_label, kind.to_label):
                return None
            count = per_from.get((kind.name, ends[0]), 0) + 1
            if kind.max_per_from is not None and count > kind.max_per_from:
                return None
            per_from[(kind.name, ends[0])] = count
            args, attributes = raw.get("args") or {}, raw.get("attributes") or {}
            times = self._times(raw)
            if times is None:
                return None
            arg_rows: dict[str, int] | None = None
            if args or attributes:  # most relations have neither
                if type(args) is not dict or type(attributes) is not dict:
                    return None
                arg_rows = {role: index.get(_ref(at) or "", -1) for role, at in args.items()}
                if -1 in arg_rows.values() or any(type(v) is not str for v in attributes.values()):
                    return None
                try:
                    kind.validate_extras({role: labels[at] for role, at in arg_rows.items()}, attributes)
                except SchemeError:
                    return None
            rows.append(
                {
                    "doc_id": 0,
                    "annotator_id": 0,
                    "type": kind.name,
                    "from_span_id": source,
                    "to_span_id": target,
                    "args": arg_rows or None,
                    "attributes": relation_attributes(self.scheme, kind.name, attributes) or None,
                    "origin": IMPORTED,
                    "created_at": times[0],
                    "updated_at": times[1],
                }
            )
        return rows

    def _stance_rows(self, obj: dict[str, Any], index: dict[str, int], labels: list[str]) -> list[Row] | None:
        items = _items(obj, "stances")
        if items is None:
            return None
        rows: list[Row] = []
        seen: set[tuple[str, int | None]] = set()
        only = self.scheme.stance_span_labels
        for raw in items:
            if type(raw) is not dict:
                return None
            target, value, span = raw.get("target"), raw.get("value"), raw.get("span")
            found = self._stance(target, value) if type(target) is str and type(value) is str else None
            at = None if span is None else index.get(_ref(span) or "")
            times = self._times(raw)
            if found is None or (span is not None and at is None) or times is None:
                return None
            if at is not None and only and labels[at] not in only:
                return None
            if (found[0], at) in seen:
                return None
            seen.add((found[0], at))
            rows.append(
                {
                    "doc_id": 0,
                    "annotator_id": 0,
                    "target": found[0],
                    "value": found[1],
                    "span_id": at,
                    "origin": IMPORTED,
                    "created_at": times[0],
                    "updated_at": times[1],
                }
            )
        return rows

    # -- the scheme's answers, asked once per distinct question ----------------------------------

    def _label(self, label: str, attributes: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
        """(current label, current attributes) of a valid span's label and attributes, else None.
        The attributes dict is shared by every row asking the same: rows are never changed."""
        try:
            question = (label, tuple(attributes.items()))
            return self._labels[question]
        except TypeError:  # an unhashable attribute value: not a string
            return None
        except KeyError:
            pass
        scheme, answer = self.scheme, None
        if all(type(v) is str for v in attributes.values()):
            try:
                scheme.validate_span(label, attributes)
                answer = (scheme.canonical_label(label), scheme.canonical_attributes(label, attributes))
            except SchemeError:
                pass
        if len(self._labels) > _CACHE_LIMIT:
            self._labels.clear()
        self._labels[question] = answer
        return answer

    def _relation(self, name: object) -> RelationType | None:
        if type(name) is not str:
            return None
        if name not in self._relations:
            self._relations[name] = self.scheme.relation(name)
        return self._relations[name]

    def _stance(self, target: str, value: str) -> tuple[str, str] | None:
        question = (target, value)
        if question not in self._stances:
            answer = None
            try:
                self.scheme.validate_stance(target, value)
                answer = (self.scheme.canonical_target(target), self.scheme.canonical_stance_value(value))
            except SchemeError:
                pass
            if len(self._stances) > _CACHE_LIMIT:
                self._stances.clear()
            self._stances[question] = answer
        return self._stances[question]

    def _times(self, raw: dict[str, Any]) -> tuple[str, str] | None:
        if raw.get("created_at") is None and raw.get("updated_at") is None:  # most items of most files
            return self.now, self.now
        try:
            return item_times(raw, "", self.now)
        except LineError:
            return None


def _items(obj: dict[str, Any], key: str) -> list[Any] | None:
    items = obj.get(key)
    if items is None:
        return []
    return items if type(items) is list else None


def _ref(value: object) -> str | None:
    """A span id: a non-empty string, or an integer as its decimal string; else None."""
    if type(value) is str:
        return value or None
    return str(value) if type(value) is int else None


# -- rows from the typed reader's layer --------------------------------------------------------------


def layer_rows(scheme: Scheme, layer: Layer, text: str) -> LineRows:
    """The rows of a layer the typed reader accepted (see `RowReader.rows`; the same rows)."""
    index = {span.key: n for n, span in enumerate(layer.spans)}
    spans = [
        _row(
            label=scheme.canonical_label(s.label),
            start=s.start,
            end=s.end,
            text=fragments_text(text, s.fragments) if s.fragments else text[s.start : s.end],
            attributes=scheme.canonical_attributes(s.label, s.attributes),
            fragments=[list(piece) for piece in s.fragments] or None,
            times=(s.created_at, s.updated_at),
        )
        for s in layer.spans
    ]
    relations = [
        _row(
            type=scheme.canonical_relation(r.type),
            from_span_id=index[r.from_key],
            to_span_id=index[r.to_key],
            args={role: index[key] for role, key in r.args.items()} or None,
            attributes=relation_attributes(scheme, r.type, r.attributes) or None,
            times=(r.created_at, r.updated_at),
        )
        for r in layer.relations
    ]
    stances = [
        _row(
            target=scheme.canonical_target(s.target),
            value=scheme.canonical_stance_value(s.value),
            span_id=index[s.span_key] if s.span_key is not None else None,
            times=(s.created_at, s.updated_at),
        )
        for s in layer.stances
    ]
    return LineRows(spans, relations, stances, layer.status)


def _row(times: tuple[str, str], **values: Any) -> Row:
    """A row as `RowReader` makes it: the same keys in the same order."""
    created, updated = times
    return {"doc_id": 0, "annotator_id": 0, **values, "origin": IMPORTED, "created_at": created, "updated_at": updated}


def relation_attributes(scheme: Scheme, rtype: str, attributes: Mapping[str, str]) -> dict[str, str]:
    """A relation's attributes with value aliases resolved (as `validate_extras` accepted them)."""
    if not attributes:
        return {}
    kind = scheme.relation(rtype)
    out = {}
    for name, value in attributes.items():
        found = kind.attribute(name) if kind else None
        out[found.name if found else name] = found.canonical_value(value) if found else value
    return out

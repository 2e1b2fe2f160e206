"""Import side of the annotation JSONL (one line per document and annotator, see PRODUCT.md).

Each line is checked whole before anything of it is stored: the document (a line that carries the
text is matched by the text's sha256 and the document is created when unknown, since a project
document sharing only the id holds another text; a line without text is matched by sha256, then
id), the annotator (created by name), every
span against the project's scheme and the document text, every relation and stance. One bad item
rejects the whole line, naming the line and the item, because half a layer (a claim without its
source link) would be worse than none and the user can fix the line and import again.
Rows get origin "imported" and keep `created_at`/`updated_at` from the line when present. A line
whose (document, annotator) layer already holds identical content is reported as a duplicate and
skipped; a layer holding *different* content is rejected rather than merged, so an import never
silently mixes two versions of someone's work. Rows are buffered and bulk-inserted, spans first:
the database gives them their ids, and the buffered relations and stances (which name their spans
by position in the buffer) get those ids before they are inserted, all inside the file's one
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.io.import_report import FileTally, Ticker
from annotator.io.readers import check_text, is_annotation_record, parse_json_line, title_from_text
from annotator.model.errors import SchemeError, ValidationError
from annotator.model.scheme import Scheme
from annotator.model.types import Document, Origin, Status, check_offsets
from annotator.services.project import Project
from annotator.store import Session, bulk
from annotator.store import annotations as q
from annotator.store import documents as docs

FLUSH_ROWS = 5000
_DOC_KEYS = ("id", "sha256", "title", "text", "meta")

SpanKey = tuple[str, int, int, tuple[tuple[str, str], ...]]


class LineError(Exception):
    """Internal: the reason one line is rejected."""


@dataclass
class ParsedLine:
    """A validated line, ready to store once its document exists."""

    annotator: str
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    stances: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, Any] | None = None
    content: tuple[Any, ...] = ()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnnotationImporter:
    """Feeds the lines of one annotation JSONL file into the file's session."""

    def __init__(
        self,
        project: Project,
        session: Session,
        path: Path,
        encoding: str,
        tally: FileTally,
        ticker: Ticker,
        imported_at: str,
    ) -> None:
        self.scheme: Scheme = project.scheme
        self.session, self.path, self.encoding = session, path, encoding
        self.tally, self.ticker, self.now = tally, ticker, imported_at
        self.annotator_ids: dict[str, int] = {}
        self.layers = q.annotated_layers(session)
        # Buffered rows; relations and stances name their spans by index into `spans` until flush.
        self.spans: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.stances: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []

    def run(self, numbered: Iterable[tuple[int, str]]) -> None:
        for number, line in numbered:
            self.ticker.advance(len(line))
            try:
                self.add_line(number, line)
            except (LineError, SchemeError, ValidationError) as exc:
                self.tally.reject(number, str(exc))
        self.flush()

    # -- one line -------------------------------------------------------------------------------

    def add_line(self, number: int, line: str) -> None:
        obj, error = parse_json_line(line)
        if error is not None:
            raise LineError(error)
        if not is_annotation_record(obj):
            raise LineError(
                'not an annotation record (no "document" object); the file\'s first record decides what the file holds'
            )
        document = self.match_document(obj["document"])
        name = obj.get("annotator")
        if not isinstance(name, str) or not name.strip():
            raise LineError("annotator must be a non-empty string")
        text = document.text if document else obj["document"]["text"]
        try:
            parsed = parse_layer(self.scheme, obj, name.strip(), text, self.now)
        except LineError as exc:
            made_under = obj.get("scheme")
            if isinstance(made_under, str) and made_under != self.scheme.version_hash:
                raise LineError(
                    f"{exc} (the line was made under scheme {made_under}, this project's is "
                    f"{self.scheme.version_hash}, and the name does not map through its aliases)"
                ) from exc
            raise
        if document is None:
            document = self.create_document(obj["document"], number)
        uid = obj.get("annotator_uid")
        annotator_id = self.annotator_id(parsed.annotator, uid if isinstance(uid, str) and uid else None)
        key = (document.id, annotator_id)
        label = f"{document.info.ext_id}/{parsed.annotator}"
        if key in self.layers and parsed.content:
            self.flush()
            if self.existing_content(*key) == parsed.content:
                self.tally.duplicate(number, label)
                return
            raise LineError(
                f"annotator {parsed.annotator!r} already has different annotations on "
                f"document {document.info.ext_id!r}; they are not merged"
            )
        self.store(parsed, document.id, annotator_id)
        if parsed.content:
            self.layers.add(key)

    def match_document(self, raw: dict[str, Any]) -> Document | None:
        sha, ext_id, text = raw.get("sha256"), raw.get("id"), raw.get("text")
        if isinstance(ext_id, int) and not isinstance(ext_id, bool):
            ext_id = str(ext_id)
        for key, value in (("sha256", sha), ("id", ext_id)):
            if value is not None and not isinstance(value, str):
                raise LineError(f"document {key} must be a string")
        if text is not None:
            problem = check_text(text)
            if problem:
                raise LineError(f"document {problem}")
            actual = sha256_text(text)
            if sha and sha != actual:
                raise LineError("document sha256 does not match its text")
            # With the text at hand its hash is the identity: a project document that merely
            # shares the id holds another text, and this one is created beside it.
            return docs.find_document_with_text(self.session, sha256=actual)
        found = docs.find_document_with_text(self.session, sha256=sha or None, ext_id=str(ext_id or "") or None)
        if found is None:
            raise LineError(f"document {ext_id or sha!r} is not in the project and the line has no text")
        return found

    def create_document(self, raw: dict[str, Any], number: int) -> Document:
        text: str = raw["text"]
        sha = sha256_text(text)
        ext_id = str(raw.get("id") or sha[:16])
        _, taken = docs.existing_keys(self.session, [], [ext_id])
        if taken:
            ext_id = f"{ext_id}_{sha[:8]}"
        meta = dict(raw["meta"]) if isinstance(raw.get("meta"), dict) else {}
        meta.update({k: v for k, v in raw.items() if k not in _DOC_KEYS})
        title = raw.get("title") if isinstance(raw.get("title"), str) else None
        docs.insert_documents(
            self.session,
            [
                {
                    "ext_id": ext_id,
                    "sha256": sha,
                    "title": title or title_from_text(text),
                    "text": text,
                    "n_chars": len(text),
                    "meta": meta,
                    "encoding": self.encoding,
                    "source": str(self.path),
                    "imported_at": self.now,
                }
            ],
        )
        self.tally.documents_added += 1
        found = docs.find_document_with_text(self.session, sha256=sha)
        assert found is not None
        return found

    def annotator_id(self, name: str, uid: str | None = None) -> int:
        """The annotator by name; a new one keeps the file's `annotator_uid`, so a later merge
        recognises the same person."""
        if name not in self.annotator_ids:
            found = q.annotator_by_name(self.session, name)
            if found is None and uid is not None and q.annotator_by_uid(self.session, uid) is None:
                found = q.add_annotator(self.session, name, uid)
            found = found or q.add_annotator(self.session, name)
            self.annotator_ids[name] = found.id
        return self.annotator_ids[name]

    def existing_content(self, doc_id: int, annotator_id: int) -> tuple[Any, ...]:
        spans = q.spans_for(self.session, doc_id, [annotator_id])
        keys = {s.id: (s.label, s.start, s.end, tuple(sorted(s.attributes.items()))) for s in spans}
        relations = [
            (r.type, keys[r.from_span], keys[r.to_span]) for r in q.relations_for(self.session, doc_id, [annotator_id])
        ]
        stances = [
            (s.target, s.value, keys[s.span_id] if s.span_id is not None else ())
            for s in q.stances_for(self.session, doc_id, [annotator_id])
        ]
        return content_key(list(keys.values()), relations, stances)

    # -- storing --------------------------------------------------------------------------------

    def store(self, parsed: ParsedLine, doc_id: int, annotator_id: int) -> None:
        local_ids: dict[str, int] = {}
        for span in parsed.spans:
            local_ids[span.pop("local")] = len(self.spans)
            span.update(doc_id=doc_id, annotator_id=annotator_id)
            self.spans.append(span)
        for rel in parsed.relations:
            rel.update(
                doc_id=doc_id,
                annotator_id=annotator_id,
                from_span_id=local_ids[rel.pop("from")],
                to_span_id=local_ids[rel.pop("to")],
            )
        for stance in parsed.stances:
            local = stance.pop("span")
            stance.update(
                doc_id=doc_id, annotator_id=annotator_id, span_id=local_ids[local] if local is not None else None
            )
        self.relations.extend(parsed.relations)
        self.stances.extend(parsed.stances)
        counts = self.tally.annotations
        counts.spans += len(parsed.spans)
        counts.relations += len(parsed.relations)
        counts.stances += len(parsed.stances)
        if parsed.status is not None:
            self.statuses.append({"doc_id": doc_id, "annotator_id": annotator_id, **parsed.status})
        if len(self.spans) >= FLUSH_ROWS or len(self.statuses) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        self.ticker.check()
        # Order matters: relations and stances reference spans (foreign keys are enforced), and
        # only once the spans are in does the database tell their ids.
        ids = bulk.insert_spans(self.session, self.spans)
        for rel in self.relations:
            rel["from_span_id"], rel["to_span_id"] = ids[rel["from_span_id"]], ids[rel["to_span_id"]]
        for stance in self.stances:
            if stance["span_id"] is not None:
                stance["span_id"] = ids[stance["span_id"]]
        bulk.insert_relations(self.session, self.relations)
        bulk.insert_stances(self.session, self.stances)
        bulk.upsert_statuses(self.session, self.statuses)
        self.spans, self.relations, self.stances, self.statuses = [], [], [], []


def content_key(
    spans: list[SpanKey], relations: list[tuple[Any, ...]], stances: list[tuple[Any, ...]]
) -> tuple[Any, ...]:
    """An order-free fingerprint of a layer, to tell an identical re-import from a different one."""
    if not spans and not relations and not stances:
        return ()
    return (tuple(sorted(spans)), tuple(sorted(relations)), tuple(sorted(stances)))


def parse_layer(scheme: Scheme, obj: dict[str, Any], annotator: str, text: str, now: str) -> ParsedLine:
    """Validate a line's spans, relations, stances and status against the scheme and the text."""
    parsed = ParsedLine(annotator)
    keys: dict[str, SpanKey] = {}
    labels: dict[str, str] = {}
    for n, raw in enumerate(_items(obj, "spans"), 1):
        where = f"span {raw.get('id', n)!r}" if isinstance(raw, dict) else f"span #{n}"
        row = _span(scheme, raw, text, now, where)
        local = str(raw.get("id", f"#{n}"))
        if local in keys:
            raise LineError(f"{where}: span id used twice in the line")
        labels[local] = row["label"]
        keys[local] = (row["label"], row["start"], row["end"], tuple(sorted(row["attributes"].items())))
        row["local"] = local
        parsed.spans.append(row)
    per_from: dict[tuple[str, str], int] = {}
    relation_keys = []
    for n, raw in enumerate(_items(obj, "relations"), 1):
        row = _relation(scheme, raw, labels, now, f"relation #{n}", per_from)
        relation_keys.append((row["type"], keys[row["from"]], keys[row["to"]]))
        parsed.relations.append(row)
    seen_stances: set[tuple[str, str | None]] = set()
    stance_keys = []
    for n, raw in enumerate(_items(obj, "stances"), 1):
        row = _stance(scheme, raw, labels, now, f"stance #{n}")
        if (row["target"], row["span"]) in seen_stances:
            raise LineError(
                f"stance #{n}: a second stance on {row['target']!r} for the same "
                f"{'span' if row['span'] else 'document'}"
            )
        seen_stances.add((row["target"], row["span"]))
        stance_keys.append((row["target"], row["value"], keys[row["span"]] if row["span"] else ()))
        parsed.stances.append(row)
    parsed.status = _status(obj, now)
    parsed.content = content_key(list(keys.values()), relation_keys, stance_keys)
    return parsed


def _items(obj: dict[str, Any], key: str) -> list[Any]:
    items = obj.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise LineError(f"{key} must be a list")
    return items


def _times(raw: dict[str, Any], now: str, where: str) -> dict[str, str]:
    out = {}
    for key in ("created_at", "updated_at"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise LineError(f"{where}: {key} must be a string")
        out[key] = value or now
    return out


def _span(scheme: Scheme, raw: Any, text: str, now: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LineError(f"{where}: must be an object")
    label, attributes = raw.get("label"), raw.get("attributes") or {}
    if not isinstance(label, str):
        raise LineError(f"{where}: label must be a string")
    if not isinstance(attributes, dict):
        raise LineError(f"{where}: attributes must be an object")
    try:
        scheme.validate_span(label, attributes)
        check_offsets(text, raw.get("start"), raw.get("end"))
    except (SchemeError, ValidationError) as exc:
        raise LineError(f"{where}: {exc}") from exc
    start, end = raw["start"], raw["end"]
    if "text" in raw and raw["text"] != text[start:end]:
        raise LineError(
            f"{where}: text {raw['text']!r} is not the document's text at {start}..{end} ({text[start:end]!r})"
        )
    return {
        "label": scheme.canonical_label(label),
        "start": start,
        "end": end,
        "text": text[start:end],
        "attributes": scheme.canonical_attributes(label, attributes),
        "origin": Origin.IMPORTED.value,
        **_times(raw, now, where),
    }


def _relation(
    scheme: Scheme, raw: Any, labels: dict[str, str], now: str, where: str, per_from: dict[tuple[str, str], int]
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LineError(f"{where}: must be an object")
    name = raw.get("type")
    rtype = scheme.relation(name) if isinstance(name, str) else None
    if rtype is None:
        raise LineError(f"{where}: relation type {raw.get('type')!r} is not in the scheme")
    ends = []
    for end_key, want in (("from", rtype.from_label), ("to", rtype.to_label)):
        local = raw.get(end_key)
        local = str(local) if local is not None else None
        if local not in labels:
            raise LineError(f"{where}: {end_key!r} names no span of this line ({raw.get(end_key)!r})")
        if labels[local] != want:
            raise LineError(
                f"{where}: {rtype.name!r} goes from {rtype.from_label!r} to {rtype.to_label!r}, "
                f"but {end_key!r} span {local!r} is a {labels[local]!r}"
            )
        ends.append(local)
    count = per_from.get((rtype.name, ends[0]), 0) + 1
    if rtype.max_per_from is not None and count > rtype.max_per_from:
        raise LineError(f"{where}: span {ends[0]!r} has more than {rtype.max_per_from} {rtype.name!r} link(s)")
    per_from[(rtype.name, ends[0])] = count
    return {
        "type": rtype.name,
        "from": ends[0],
        "to": ends[1],
        "origin": Origin.IMPORTED.value,
        **_times(raw, now, where),
    }


def _stance(scheme: Scheme, raw: Any, labels: dict[str, str], now: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LineError(f"{where}: must be an object")
    target, value, span = raw.get("target"), raw.get("value"), raw.get("span")
    if not isinstance(target, str) or not isinstance(value, str):
        raise LineError(f"{where}: target and value must be strings")
    try:
        scheme.validate_stance(target, value)
    except SchemeError as exc:
        raise LineError(f"{where}: {exc}") from exc
    if span is not None:
        span = str(span)
        if span not in labels:
            raise LineError(f"{where}: span {raw.get('span')!r} names no span of this line")
        if scheme.stance_span_labels and labels[span] not in scheme.stance_span_labels:
            raise LineError(f"{where}: a {labels[span]!r} span cannot carry a stance")
    target, value = scheme.canonical_target(target), scheme.canonical_stance_value(value)
    return {"target": target, "value": value, "span": span, "origin": Origin.IMPORTED.value, **_times(raw, now, where)}


def _status(obj: dict[str, Any], now: str) -> dict[str, Any] | None:
    """Status as a string with optional top-level `seconds`/`note`/`status_updated_at`, or an object
    {"status", "seconds", "note", "updated_at"}; absent means no status row is written."""
    raw = obj.get("status")
    if raw is None:
        return None
    fields = (
        dict(raw)
        if isinstance(raw, dict)
        else {
            "status": raw,
            "seconds": obj.get("seconds"),
            "note": obj.get("note"),
            "updated_at": obj.get("status_updated_at"),
        }
    )
    status = fields.get("status")
    if status not in {s.value for s in Status}:
        raise LineError(f"status {status!r} is not one of {', '.join(s.value for s in Status)}")
    seconds, note, updated = fields.get("seconds") or 0.0, fields.get("note") or "", fields.get("updated_at")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise LineError(f"seconds must be a non-negative number, not {seconds!r}")
    if not isinstance(note, str) or (updated is not None and not isinstance(updated, str)):
        raise LineError("status note and updated_at must be strings")
    return {
        "status": status,
        "seconds": float(seconds),
        "note": note,
        "origin": Origin.IMPORTED.value,
        "updated_at": updated or now,
    }

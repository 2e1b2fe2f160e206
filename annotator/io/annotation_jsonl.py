"""Import side of the annotation JSONL (one line per document and annotator, see PRODUCT.md).

Lines are read and checked by `model.annotation_jsonl`, the one reader merge uses too, before
anything of them is stored: the document (a line that carries the text is matched by the text's
sha256 and the document is created when unknown, since a project document sharing only the id holds
another text; a line without text is matched by sha256, then id), the annotator (created by name),
every span against the project's scheme and the document text, every relation and stance. One bad
item rejects the whole line, naming the line and the item, because half a layer (a claim without
its source link) would be worse than none and the user can fix the line and import again.
Rows get origin "imported" and keep `created_at`/`updated_at` from the line when present. A line
whose (document, annotator) layer already holds identical content is reported as a duplicate and
skipped; a layer holding *different* content is rejected rather than merged, so an import never
silently mixes two versions of someone's work. Rows are buffered and bulk-inserted, spans first:
the database gives them their ids, and the buffered relations and stances (which name their spans
by position in the buffer) get those ids before they are inserted, all inside the file's one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.io.import_report import FileTally, Ticker
from annotator.io.readers import title_from_text
from annotator.model.annotation_jsonl import Layer, LineDocument, LineError, check_line, parse_line
from annotator.model.errors import SchemeError, ValidationError
from annotator.model.scheme import Scheme
from annotator.model.types import Document, Origin
from annotator.services.project import Project
from annotator.store import Session, bulk
from annotator.store import annotations as q
from annotator.store import documents as docs

FLUSH_ROWS = 5000
_IMPORTED = Origin.IMPORTED.value

SpanKey = tuple[str, int, int, tuple[tuple[str, str], ...]]
Content = tuple[tuple[SpanKey, ...], tuple[tuple[str, SpanKey, SpanKey], ...], tuple[tuple[str, str, Any], ...]]


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
            except (SchemeError, ValidationError) as exc:  # LineError is a ValidationError
                self.tally.reject(number, str(exc))
        self.flush()

    # -- one line -------------------------------------------------------------------------------

    def add_line(self, number: int, raw: str) -> None:
        line = parse_line(raw, self.now)
        layer = line.layer
        document = self.match_document(line.document)
        text = document.text if document else line.document.text
        assert text is not None  # match_document raises for an unknown document without text
        check_line(self.scheme, line, text)
        if document is None:
            document = self.create_document(line.document)
        annotator_id = self.annotator_id(layer.annotator, layer.annotator_uid)
        key = (document.id, annotator_id)
        content = self.content(layer)
        label = f"{document.info.ext_id}/{layer.annotator}"
        if key in self.layers and content:
            self.flush()
            if self.existing_content(*key) == content:
                self.tally.duplicate(number, label)
                return
            raise LineError(
                f"annotator {layer.annotator!r} already has different annotations on "
                f"document {document.info.ext_id!r}; they are not merged"
            )
        self.store(layer, document.id, annotator_id, text)
        if content:
            self.layers.add(key)

    def match_document(self, document: LineDocument) -> Document | None:
        sha256, ext_id = document.lookup()
        found = docs.find_document_with_text(self.session, sha256=sha256, ext_id=ext_id)
        if found is None and document.text is None:
            raise LineError(document.missing_message())
        return found

    def create_document(self, document: LineDocument) -> Document:
        text, sha = document.text, document.sha256
        assert text is not None and sha is not None
        ext_id = document.ext_id or sha[:16]
        _, taken = docs.existing_keys(self.session, [], [ext_id])
        if taken:
            ext_id = f"{ext_id}_{sha[:8]}"
        docs.insert_documents(
            self.session,
            [
                {
                    "ext_id": ext_id,
                    "sha256": sha,
                    "title": document.title or title_from_text(text),
                    "text": text,
                    "n_chars": len(text),
                    "meta": dict(document.meta),
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

    def content(self, layer: Layer) -> Content | tuple[()]:
        """The layer's fingerprint under the scheme's current names, as it would be stored."""
        scheme = self.scheme
        keys = {
            s.key: _span_key(
                scheme.canonical_label(s.label), s.start, s.end, scheme.canonical_attributes(s.label, s.attributes)
            )
            for s in layer.spans
        }
        relations = [(scheme.canonical_relation(r.type), keys[r.from_key], keys[r.to_key]) for r in layer.relations]
        stances = [
            (
                scheme.canonical_target(s.target),
                scheme.canonical_stance_value(s.value),
                keys[s.span_key] if s.span_key is not None else (),
            )
            for s in layer.stances
        ]
        return content_key(list(keys.values()), relations, stances)

    def existing_content(self, doc_id: int, annotator_id: int) -> Content | tuple[()]:
        spans = q.spans_for(self.session, doc_id, [annotator_id])
        keys = {s.id: _span_key(s.label, s.start, s.end, s.attributes) for s in spans}
        relations = [
            (r.type, keys[r.from_span], keys[r.to_span]) for r in q.relations_for(self.session, doc_id, [annotator_id])
        ]
        stances = [
            (s.target, s.value, keys[s.span_id] if s.span_id is not None else ())
            for s in q.stances_for(self.session, doc_id, [annotator_id])
        ]
        return content_key(list(keys.values()), relations, stances)

    # -- storing --------------------------------------------------------------------------------

    def store(self, layer: Layer, doc_id: int, annotator_id: int, text: str) -> None:
        owner = {"doc_id": doc_id, "annotator_id": annotator_id, "origin": _IMPORTED}
        local_ids: dict[str, int] = {}
        for span in layer.spans:
            local_ids[span.key] = len(self.spans)
            self.spans.append(
                {
                    **owner,
                    "label": self.scheme.canonical_label(span.label),
                    "start": span.start,
                    "end": span.end,
                    "text": text[span.start : span.end],
                    "attributes": self.scheme.canonical_attributes(span.label, span.attributes),
                    "created_at": span.created_at,
                    "updated_at": span.updated_at,
                }
            )
        for rel in layer.relations:
            kind = self.scheme.relation(rel.type)
            assert kind is not None  # check_layer saw to it
            self.relations.append(
                {
                    **owner,
                    "type": kind.name,
                    "from_span_id": local_ids[rel.from_key],
                    "to_span_id": local_ids[rel.to_key],
                    "created_at": rel.created_at,
                    "updated_at": rel.updated_at,
                }
            )
        for stance in layer.stances:
            self.stances.append(
                {
                    **owner,
                    "target": self.scheme.canonical_target(stance.target),
                    "value": self.scheme.canonical_stance_value(stance.value),
                    "span_id": local_ids[stance.span_key] if stance.span_key is not None else None,
                    "created_at": stance.created_at,
                    "updated_at": stance.updated_at,
                }
            )
        counts = self.tally.annotations
        counts.spans += len(layer.spans)
        counts.relations += len(layer.relations)
        counts.stances += len(layer.stances)
        if layer.status is not None:
            status = layer.status
            self.statuses.append(
                {
                    **owner,
                    "status": status.status.value,
                    "seconds": status.seconds,
                    "note": status.note,
                    "updated_at": status.updated_at or self.now,
                }
            )
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


def _span_key(label: str, start: int, end: int, attributes: Any) -> SpanKey:
    return (label, start, end, tuple(sorted(dict(attributes).items())))


def content_key(
    spans: list[SpanKey], relations: list[tuple[str, SpanKey, SpanKey]], stances: list[tuple[str, str, Any]]
) -> Content | tuple[()]:
    """An order-free fingerprint of a layer, to tell an identical re-import from a different one."""
    if not spans and not relations and not stances:
        return ()
    return (tuple(sorted(spans)), tuple(sorted(relations)), tuple(sorted(stances)))

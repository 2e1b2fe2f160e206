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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annotator.io.import_report import FileTally, Ticker
from annotator.io.readers import title_from_text
from annotator.model.annotation_jsonl import AnnotationLine, Layer, LineDocument, LineError, check_line, parse_line
from annotator.model.errors import SchemeError, ValidationError
from annotator.model.scheme import Scheme
from annotator.model.types import DocStatus, Document, NewDocument, Origin, Relation, Span, Stance, fragments_text
from annotator.services.project import Project
from annotator.store import Session, bulk, layers
from annotator.store import annotations as q
from annotator.store import documents as docs

FLUSH_ROWS = 5000
BATCH_LINES = 500
"""Lines read, checked and matched to their documents together (one look-up, one insert of new ones)."""
_IMPORTED = Origin.IMPORTED.value

SpanKey = tuple[str, int, int, tuple[tuple[str, str], ...], tuple[tuple[int, int], ...]]
RelationKey = tuple[str, SpanKey, SpanKey, tuple[tuple[str, SpanKey], ...], tuple[tuple[str, str], ...]]
Content = tuple[tuple[SpanKey, ...], tuple[RelationKey, ...], tuple[tuple[str, str, Any], ...]]


@dataclass
class _Target:
    """The document a line goes to: one of the project's, or a new one (`new`) that gets its id when
    the batch's new documents are inserted."""

    id: int
    ext_id: str
    text: str
    new: NewDocument | None = None

    @staticmethod
    def of(document: Document) -> _Target:
        return _Target(document.id, document.info.ext_id, document.text)


@dataclass(frozen=True)
class _Known:
    """What one look-up found for a batch: documents by sha256 and by id, and ids already taken."""

    by_sha: dict[str, _Target]
    by_id: dict[str, _Target]
    taken: set[str]


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
        # Buffered items; relations and stances name their spans by index into `spans` until flush.
        self.spans: list[Span] = []
        self.relations: list[Relation] = []
        self.stances: list[Stance] = []
        self.statuses: list[DocStatus] = []
        # The batch's new documents, by sha256 and by the external id they get.
        self.new_by_sha: dict[str, _Target] = {}
        self.new_by_id: dict[str, _Target] = {}
        self.stored: dict[tuple[int, int], Content | tuple[()]] = {}
        """The stored content of the layers the current batch's lines would add to (`stored_layers`)."""
        self.last_document_id: int | None = None
        """The document of the last line stored (not a duplicate), for callers adding to it (brat notes)."""

    def run(self, numbered: Iterable[tuple[int, str]]) -> None:
        batch: list[tuple[int, str]] = []
        for number, line in numbered:
            self.ticker.advance(len(line))
            batch.append((number, line))
            if len(batch) >= BATCH_LINES:
                self.add_batch(batch)
                batch = []
        self.add_batch(batch)
        self.flush()

    # -- a batch of lines -----------------------------------------------------------------------

    def add_batch(self, batch: list[tuple[int, str]]) -> None:
        """Read and check a batch of lines with one look-up of their documents, create the new
        documents in one executemany, then store each good line in file order. A rejected line
        leaves nothing behind; rejections are reported in line order."""
        rejected: list[tuple[int, str]] = []
        lines: list[tuple[int, AnnotationLine]] = []
        for number, raw in batch:
            try:
                lines.append((number, parse_line(raw, self.now)))
            except (SchemeError, ValidationError) as exc:
                rejected.append((number, str(exc)))
        known = self.find_documents([line.document for _, line in lines])
        checked: list[tuple[int, AnnotationLine, _Target]] = []
        for number, line in lines:
            try:
                checked.append((number, line, self.check(line, known)))
            except (SchemeError, ValidationError) as exc:  # LineError is a ValidationError
                rejected.append((number, str(exc)))
        self.create_documents()
        self.stored = self.stored_layers(checked)
        for number, line, target in checked:
            try:
                self.add_line(number, line, target)
            except (SchemeError, ValidationError) as exc:
                rejected.append((number, str(exc)))
        for number, reason in sorted(rejected, key=lambda r: r[0]):
            self.tally.reject(number, reason)

    def find_documents(self, documents: list[LineDocument]) -> _Known:
        """One look-up for the batch: the project's documents the lines name (by sha256, and by id
        for lines without text), and which ids a new document could not take."""
        shas = {d.sha256 for d in documents if d.sha256}
        ids = {d.ext_id for d in documents if d.text is None and d.ext_id}
        by_sha, by_id = docs.find_documents_with_text(self.session, sha256s=shas, ext_ids=ids)
        wanted = {
            d.ext_id or d.sha256[:16] for d in documents if d.text is not None and d.sha256 and d.sha256 not in by_sha
        }
        _, taken = docs.existing_keys(self.session, [], wanted)
        return _Known(
            {k: _Target.of(d) for k, d in by_sha.items()}, {k: _Target.of(d) for k, d in by_id.items()}, taken
        )

    def check(self, line: AnnotationLine, known: _Known) -> _Target:
        """The line's document (one of the project's, or a new one made from the line, created with
        the batch's) once the line fits it and the scheme; LineError otherwise."""
        document = line.document
        sha256, ext_id = document.lookup()
        target = (known.by_sha.get(sha256) or self.new_by_sha.get(sha256)) if sha256 else None
        if target is None and ext_id:
            target = known.by_id.get(ext_id) or self.new_by_id.get(ext_id)
        if target is None and document.text is None:
            raise LineError(document.missing_message())
        check_line(self.scheme, line, target.text if target else document.text or "")
        return target or self.new_document(document, known.taken)

    def new_document(self, document: LineDocument, taken: set[str]) -> _Target:
        """A document for the line's text, created with the rest of the batch's (`create_documents`)."""
        text, sha = document.text, document.sha256
        assert text is not None and sha is not None
        ext_id = document.ext_id or sha[:16]
        if ext_id in taken or ext_id in self.new_by_id:
            ext_id = f"{ext_id}_{sha[:8]}"
        title = document.title or title_from_text(text)
        new = NewDocument(ext_id, sha, title, text, document.meta, self.encoding, str(self.path), self.now)
        target = _Target(0, ext_id, text, new)
        self.new_by_sha[sha], self.new_by_id[ext_id] = target, target
        return target

    def create_documents(self) -> None:
        """Insert the batch's new documents in one executemany; they get the database's ids."""
        pending = list(self.new_by_sha.values())
        ids = bulk.add_documents(self.session, [t.new for t in pending if t.new is not None])
        for target, doc_id in zip(pending, ids, strict=True):
            target.id = doc_id
        self.tally.documents_added += len(ids)
        self.new_by_sha, self.new_by_id = {}, {}

    def stored_layers(
        self, checked: list[tuple[int, AnnotationLine, _Target]]
    ) -> dict[tuple[int, int], Content | tuple[()]]:
        """The stored content of every layer the batch's lines would add to (a re-import), read with
        one query per table (after writing out what is buffered, which may hold such a layer). A layer
        no line of this batch stores to, so these stay true for the whole batch: a line meeting one is
        a duplicate or rejected."""
        keys = set()
        for _, line, target in checked:
            key = (target.id, self.annotator_id(line.layer.annotator, line.layer.annotator_uid))
            if key in self.layers:
                keys.add(key)
        if not keys:
            return {}
        self.flush()
        return {key: _stored_content(*layer) for key, layer in layers.layers_of(self.session, keys).items()}

    # -- one line -------------------------------------------------------------------------------

    def add_line(self, number: int, line: AnnotationLine, document: _Target) -> None:
        layer = line.layer
        annotator_id = self.annotator_id(layer.annotator, layer.annotator_uid)
        key = (document.id, annotator_id)
        has_items = bool(layer.spans or layer.relations or layer.stances)  # its content is not ()
        if key in self.layers and has_items:
            # The fingerprint only where there is a stored layer to compare with (a first import
            # of a document needs none).
            content = self.content(layer)
            existing = self.stored.get(key)
            if existing is None:  # a layer an earlier line of this batch stored
                self.flush()
                existing = self.existing_content(*key)
            if existing == content:
                self.tally.duplicate(number, f"{document.ext_id}/{layer.annotator}")
                return
            raise LineError(
                f"annotator {layer.annotator!r} already has different annotations on "
                f"document {document.ext_id!r}; they are not merged"
            )
        self.store(layer, document.id, annotator_id, document.text)
        self.last_document_id = document.id
        if has_items:
            self.layers.add(key)

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
                scheme.canonical_label(s.label),
                s.start,
                s.end,
                scheme.canonical_attributes(s.label, s.attributes),
                s.fragments,
            )
            for s in layer.spans
        }
        relations = [
            _relation_key(
                scheme.canonical_relation(r.type),
                keys[r.from_key],
                keys[r.to_key],
                {role: keys[key] for role, key in r.args.items()},
                _relation_attributes(scheme, r.type, r.attributes),
            )
            for r in layer.relations
        ]
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
        session, who = self.session, [annotator_id]
        return _stored_content(
            q.spans_for(session, doc_id, who),
            q.relations_for(session, doc_id, who),
            q.stances_for(session, doc_id, who),
        )

    # -- storing --------------------------------------------------------------------------------

    def store(self, layer: Layer, doc_id: int, annotator_id: int, text: str) -> None:
        """Buffer the layer; relations and stances name their spans by position in `self.spans`."""
        scheme, first = self.scheme, len(self.spans)
        local_ids = {span.key: first + n for n, span in enumerate(layer.spans)}
        for span in layer.spans:
            label, attributes = (
                scheme.canonical_label(span.label),
                scheme.canonical_attributes(span.label, span.attributes),
            )
            self.spans.append(
                Span(
                    0,
                    doc_id,
                    annotator_id,
                    label,
                    span.start,
                    span.end,
                    fragments_text(text, span.fragments) if span.fragments else text[span.start : span.end],
                    attributes,
                    _IMPORTED,
                    span.created_at,
                    span.updated_at,
                    span.fragments,
                )
            )
        for rel in layer.relations:
            from_span, to_span = local_ids[rel.from_key], local_ids[rel.to_key]
            kind = scheme.canonical_relation(rel.type)
            args = {role: local_ids[key] for role, key in rel.args.items()}
            attributes = _relation_attributes(scheme, rel.type, rel.attributes)
            self.relations.append(
                Relation(
                    0,
                    doc_id,
                    annotator_id,
                    kind,
                    from_span,
                    to_span,
                    _IMPORTED,
                    rel.created_at,
                    rel.updated_at,
                    args,
                    attributes,
                )
            )
        for st in layer.stances:
            span_at = local_ids[st.span_key] if st.span_key is not None else None
            target, value = scheme.canonical_target(st.target), scheme.canonical_stance_value(st.value)
            self.stances.append(
                Stance(0, doc_id, annotator_id, target, value, span_at, _IMPORTED, st.created_at, st.updated_at)
            )
        counts = self.tally.annotations
        counts.spans += len(layer.spans)
        counts.relations += len(layer.relations)
        counts.stances += len(layer.stances)
        if layer.status is not None:
            status = layer.status
            self.statuses.append(
                DocStatus(
                    doc_id, annotator_id, status.status, status.seconds, status.note, status.updated_at or self.now
                )
            )
        if len(self.spans) >= FLUSH_ROWS or len(self.statuses) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        self.ticker.check()
        # Order matters: relations and stances reference spans (foreign keys are enforced), and
        # only once the spans are in does the database tell their ids.
        ids = bulk.add_spans(self.session, self.spans)
        relations = [
            replace(
                r,
                from_span=ids[r.from_span],
                to_span=ids[r.to_span],
                args={role: ids[at] for role, at in r.args.items()},
            )
            for r in self.relations
        ]
        stances = [s if s.span_id is None else replace(s, span_id=ids[s.span_id]) for s in self.stances]
        bulk.add_relations(self.session, relations)
        bulk.add_stances(self.session, stances)
        bulk.put_statuses(self.session, self.statuses, _IMPORTED)
        self.spans, self.relations, self.stances, self.statuses = [], [], [], []


def _stored_content(spans: list[Span], relations: list[Relation], stances: list[Stance]) -> Content | tuple[()]:
    """The fingerprint (`content_key`) of a stored layer."""
    keys = {s.id: _span_key(s.label, s.start, s.end, s.attributes, s.fragments) for s in spans}
    relation_keys = [
        _relation_key(
            r.type,
            keys[r.from_span],
            keys[r.to_span],
            {role: keys[i] for role, i in r.args.items() if i in keys},
            r.attributes,
        )
        for r in relations
    ]
    stance_keys = [(s.target, s.value, keys[s.span_id] if s.span_id is not None else ()) for s in stances]
    return content_key(list(keys.values()), relation_keys, stance_keys)


def _span_key(
    label: str, start: int, end: int, attributes: Any, fragments: tuple[tuple[int, int], ...] = ()
) -> SpanKey:
    return (label, start, end, tuple(sorted(dict(attributes).items())), tuple(fragments))


def _relation_key(
    rtype: str, source: SpanKey, target: SpanKey, args: dict[str, SpanKey], attributes: Any
) -> RelationKey:
    return (rtype, source, target, tuple(sorted(args.items())), tuple(sorted(dict(attributes).items())))


def _relation_attributes(scheme: Scheme, rtype: str, attributes: Mapping[str, str]) -> dict[str, str]:
    """A relation's attributes with value aliases resolved (as `validate_extras` accepted them)."""
    kind = scheme.relation(rtype)
    out = {}
    for name, value in attributes.items():
        found = kind.attribute(name) if kind else None
        out[found.name if found else name] = found.canonical_value(value) if found else value
    return out


def content_key(
    spans: list[SpanKey], relations: list[RelationKey], stances: list[tuple[str, str, Any]]
) -> Content | tuple[()]:
    """An order-free fingerprint of a layer, to tell an identical re-import from a different one."""
    if not spans and not relations and not stances:
        return ()
    return (tuple(sorted(spans)), tuple(sorted(relations)), tuple(sorted(stances)))

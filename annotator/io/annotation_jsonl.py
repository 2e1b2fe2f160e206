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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from annotator.io.annotation_rows import IMPORTED, LineHead, LineRows, RowReader, layer_rows, line_head
from annotator.io.import_report import FileTally, Ticker
from annotator.io.layer_content import Content, stored_content
from annotator.io.readers import title_from_text
from annotator.model.annotation_jsonl import AnnotationLine, LineDocument, LineError, check_line, parse_line
from annotator.model.errors import SchemeError, ValidationError
from annotator.model.json_line import parse_json_line
from annotator.model.scheme import Scheme
from annotator.model.types import Document, NewDocument
from annotator.services.project import Project
from annotator.store import Session, bulk, disagreement, fulltext, layers
from annotator.store import annotations as q
from annotator.store import documents as docs

FLUSH_ROWS = 5000
BATCH_LINES = 500
"""Lines read, checked and matched to their documents together (one look-up, one insert of new ones)."""
_SEVERAL = -1


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


class _Read(NamedTuple):
    """A checked line: its annotator and its layer's rows."""

    annotator: str
    annotator_uid: str | None
    rows: LineRows


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
        self.reader = RowReader(self.scheme, imported_at)
        # Buffered rows; relations and stances name their spans by index into `spans` until flush.
        self.spans: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.stances: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.created: dict[int, int | None] = {}
        """Documents this import created: the one annotator whose layers went to each (None: none yet,
        `_SEVERAL`: more than one)."""
        # The batch's new documents, by sha256 and by the external id they get.
        self.new_by_sha: dict[str, _Target] = {}
        self.new_by_id: dict[str, _Target] = {}
        self.stored: dict[tuple[int, int], Content | tuple[()]] = {}
        """The stored content of the layers the current batch's lines would add to (`stored_layers`)."""
        self.last_document_id: int | None = None
        """The document of the last line stored (not a duplicate), for callers adding to it (brat notes)."""

    def run(self, numbered: Iterable[tuple[int, str]]) -> None:
        batch: list[tuple[int, str]] = []
        deferred: fulltext.Deferred | None = None
        large = False
        for number, line in numbered:
            self.ticker.advance(len(line))
            batch.append((number, line))
            if len(batch) >= BATCH_LINES:
                if not large:  # a large file: its rows are indexed for search once, at the end
                    large, deferred = True, fulltext.defer_index(self.session.connection())
                self.add_batch(batch)
                batch = []
        self.add_batch(batch)
        self.flush()
        self.session.flush()
        fulltext.catch_up(self.session.connection(), deferred)
        # A document new in this transaction with one annotator's layer scores 0 (nothing to
        # disagree with): stored without reading its annotations back.
        disagreement.store_known_zero(self.session, [d for d, who in self.created.items() if who != _SEVERAL])

    # -- a batch of lines -----------------------------------------------------------------------

    def add_batch(self, batch: list[tuple[int, str]]) -> None:
        """Read and check a batch of lines with one look-up of their documents, create the new
        documents in one executemany, then store each good line in file order. A rejected line
        leaves nothing behind; rejections are reported in line order."""
        rejected: list[tuple[int, str]] = []
        lines: list[tuple[int, str, LineHead | AnnotationLine]] = []
        for number, raw in batch:
            obj, _ = parse_json_line(raw)
            head = line_head(obj)
            try:  # a line whose document or annotator is not plainly good: the typed reader decides
                lines.append((number, raw, head or parse_line(raw, self.now)))
            except (SchemeError, ValidationError) as exc:
                rejected.append((number, str(exc)))
        known = self.find_documents([line.document for _, _, line in lines])
        checked: list[tuple[int, _Read, _Target]] = []
        for number, raw, line in lines:
            try:
                checked.append((number, *self.check(raw, line, known)))
            except (SchemeError, ValidationError) as exc:  # LineError is a ValidationError
                rejected.append((number, str(exc)))
        self.create_documents()
        self.stored = self.stored_layers(checked)
        for number, read, target in checked:
            try:
                self.add_line(number, read, target)
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

    def check(self, raw: str, line: LineHead | AnnotationLine, known: _Known) -> tuple[_Read, _Target]:
        """The line's rows and document (one of the project's, or a new one made from the line,
        created with the batch's) once the line fits it and the scheme; LineError otherwise. The
        fast reader (`RowReader`) reads it, or, where it gives up, the typed one."""
        if isinstance(line, LineHead):
            target = self.target(line.document, known)
            text = target.text if target else line.document.text
            rows = self.reader.rows(line.obj, text) if text is not None else None
            if rows is not None:
                return _Read(line.annotator, line.annotator_uid, rows), target or self.new_document(
                    line.document, known.taken
                )
            line = parse_line(raw, self.now)  # the typed reader: its verdict and its message
        target = self.target(line.document, known)
        if target is None and line.document.text is None:
            raise LineError(line.document.missing_message())
        text = target.text if target else line.document.text or ""
        check_line(self.scheme, line, text)
        layer = line.layer
        rows = layer_rows(self.scheme, layer, text)
        return _Read(layer.annotator, layer.annotator_uid, rows), target or self.new_document(
            line.document, known.taken
        )

    def target(self, document: LineDocument, known: _Known) -> _Target | None:
        """The document a line names: the project's or one of this batch's new ones, else None."""
        sha256, ext_id = document.lookup()
        target = (known.by_sha.get(sha256) or self.new_by_sha.get(sha256)) if sha256 else None
        if target is None and ext_id:
            target = known.by_id.get(ext_id) or self.new_by_id.get(ext_id)
        return target

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
            self.created[doc_id] = None
        self.tally.documents_added += len(ids)
        self.new_by_sha, self.new_by_id = {}, {}

    def stored_layers(self, checked: list[tuple[int, _Read, _Target]]) -> dict[tuple[int, int], Content | tuple[()]]:
        """The stored content of every layer the batch's lines would add to (a re-import), read with
        one query per table (after writing out what is buffered, which may hold such a layer). A layer
        no line of this batch stores to, so these stay true for the whole batch: a line meeting one is
        a duplicate or rejected."""
        keys = set()
        for _, read, target in checked:
            key = (target.id, self.annotator_id(read.annotator, read.annotator_uid))
            if key in self.layers:
                keys.add(key)
        if not keys:
            return {}
        self.flush()
        return {key: stored_content(*layer) for key, layer in layers.layers_of(self.session, keys).items()}

    # -- one line -------------------------------------------------------------------------------

    def add_line(self, number: int, read: _Read, document: _Target) -> None:
        annotator_id = self.annotator_id(read.annotator, read.annotator_uid)
        key = (document.id, annotator_id)
        has_items = read.rows.has_items  # its content is not ()
        if key in self.layers and has_items:
            # The fingerprint only where there is a stored layer to compare with (a first import
            # of a document needs none).
            content = read.rows.content()
            existing = self.stored.get(key)
            if existing is None:  # a layer an earlier line of this batch stored
                self.flush()
                existing = self.existing_content(*key)
            if existing == content:
                self.tally.duplicate(number, f"{document.ext_id}/{read.annotator}")
                return
            raise LineError(
                f"annotator {read.annotator!r} already has different annotations on "
                f"document {document.ext_id!r}; they are not merged"
            )
        self.store(read.rows, document.id, annotator_id)
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

    def existing_content(self, doc_id: int, annotator_id: int) -> Content | tuple[()]:
        session, who = self.session, [annotator_id]
        return stored_content(
            q.spans_for(session, doc_id, who),
            q.relations_for(session, doc_id, who),
            q.stances_for(session, doc_id, who),
        )

    # -- storing --------------------------------------------------------------------------------

    def store(self, rows: LineRows, doc_id: int, annotator_id: int) -> None:
        """Buffer the line's rows; relations and stances name their spans by position in `self.spans`."""
        first = len(self.spans)
        for row in rows.spans:
            row["doc_id"], row["annotator_id"] = doc_id, annotator_id
        for row in rows.relations:
            row["doc_id"], row["annotator_id"] = doc_id, annotator_id
            row["from_span_id"] += first
            row["to_span_id"] += first
            if row["args"]:
                row["args"] = {role: first + at for role, at in row["args"].items()}
        for row in rows.stances:
            row["doc_id"], row["annotator_id"] = doc_id, annotator_id
            if row["span_id"] is not None:
                row["span_id"] += first
        self.spans += rows.spans
        self.relations += rows.relations
        self.stances += rows.stances
        counts = self.tally.annotations
        counts.spans += len(rows.spans)
        counts.relations += len(rows.relations)
        counts.stances += len(rows.stances)
        if rows.status is not None:
            status = rows.status
            self.statuses.append(
                {
                    "doc_id": doc_id,
                    "annotator_id": annotator_id,
                    "status": status.status.value,
                    "seconds": status.seconds,
                    "note": status.note,
                    "origin": IMPORTED,
                    "updated_at": status.updated_at or self.now,
                }
            )
        if doc_id in self.created:  # a new document: whose layers it gets (`run`, disagreement)
            self.created[doc_id] = annotator_id if self.created[doc_id] in (None, annotator_id) else _SEVERAL
        if len(self.spans) >= FLUSH_ROWS or len(self.statuses) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        self.ticker.check()
        # Order matters: relations and stances reference spans (foreign keys are enforced), and
        # only once the spans are in does the database tell their ids.
        ids = bulk.insert_spans(self.session, self.spans)
        for row in self.relations:
            row["from_span_id"], row["to_span_id"] = ids[row["from_span_id"]], ids[row["to_span_id"]]
            if row["args"]:
                row["args"] = {role: ids[at] for role, at in row["args"].items()}
        for row in self.stances:
            if row["span_id"] is not None:
                row["span_id"] = ids[row["span_id"]]
        bulk.insert_relations(self.session, self.relations)
        bulk.insert_stances(self.session, self.stances)
        bulk.upsert_statuses(self.session, self.statuses)
        self.spans, self.relations, self.stances, self.statuses = [], [], [], []

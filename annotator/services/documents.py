"""Read-side use-cases: the document list, one document with its annotation layers, progress, stats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.model.changes import Changes
from annotator.model.types import DocStatus, Document, DocumentInfo, Relation, Span, Stance, Status
from annotator.services.counts import status_pairs
from annotator.services.project import Project
from annotator.store import annotations as q
from annotator.store import documents as docs


@dataclass(frozen=True)
class DocumentView:
    """Everything the article view and tagging panel show for one document."""

    document: Document
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    stances: tuple[Stance, ...]
    status: DocStatus


@dataclass(frozen=True)
class ListRow:
    info: DocumentInfo
    status: Status
    n_mine: int


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


def document_ids(
    project: Project, annotator_id: int | None = None, status: Status | None = None, search: str = ""
) -> list[int]:
    with project.session() as s:
        return docs.document_ids(s, annotator_id=annotator_id, status=status, search=search.strip())


def document_id_page(
    project: Project,
    annotator_id: int | None = None,
    status: Status | None = None,
    search: str = "",
    *,
    after: int | None = None,
    limit: int,
) -> list[int]:
    """`document_ids` a page at a time: at most `limit` ids in list order after id `after`."""
    with project.session() as s:
        return docs.document_id_page(
            s, annotator_id=annotator_id, status=status, search=search.strip(), after=after, limit=limit
        )


def count_matching(
    project: Project, annotator_id: int | None = None, status: Status | None = None, search: str = "", *, cap: int
) -> int:
    """How many documents `document_ids` would give, but at most `cap` + 1 ("more than `cap`")."""
    with project.session() as s:
        return docs.count_matching(s, annotator_id=annotator_id, status=status, search=search.strip(), cap=cap)


def longest_ext_id(project: Project) -> int:
    """The length of the longest external id (the CLI's search lines line up on it)."""
    with project.session() as s:
        return docs.longest_ext_id(s)


def list_rows(project: Project, doc_ids: Sequence[int], annotator_id: int) -> dict[int, ListRow]:
    """Rows for the lazy document list: metadata, my status, my annotation count."""
    with project.session() as s:
        infos = docs.document_infos(s, doc_ids)
        statuses = q.statuses_for(s, annotator_id, doc_ids)
        counts = q.span_counts(s, annotator_id, doc_ids)
    return {
        i: ListRow(info, statuses[i].status if i in statuses else Status.NOT_STARTED, counts.get(i, 0))
        for i, info in infos.items()
    }


def titles(project: Project) -> dict[str, tuple[int, str]]:
    """``{external id: (document id, title)}`` of every document, from one streamed read (no text):
    the agreement report window maps the report's external ids back to documents with it."""
    with project.session() as s:
        return {ext_id: (doc_id, title) for doc_id, ext_id, title, *_ in docs.stream_document_rows(s)}


def load_view(project: Project, doc_id: int, annotator_id: int, layer_ids: Sequence[int] | None = None) -> DocumentView:
    """A document with the annotations of `layer_ids` (default: mine) and my status."""
    layers = list(layer_ids) if layer_ids is not None else [annotator_id]
    with project.session() as s:
        return DocumentView(
            docs.get_document(s, doc_id),
            tuple(q.spans_for(s, doc_id, layers)),
            tuple(q.relations_for(s, doc_id, layers)),
            tuple(q.stances_for(s, doc_id, layers)),
            q.get_status(s, doc_id, annotator_id),
        )


def refresh_view(
    project: Project, old: DocumentView, changes: Changes, annotator_id: int, layer_ids: Sequence[int] | None = None
) -> DocumentView:
    """`old` (read by `load_view` with the same arguments) brought up to date after `changes`, whose
    `known_spans` holds: only the spans it names are read again, and only the kinds of annotation it
    says changed; the same as `load_view` would return, for much less reading on a long article."""
    layers = list(layer_ids) if layer_ids is not None else [annotator_id]
    doc_id = old.document.id
    with project.session() as s:
        spans = old.spans
        if changes.spans and changes.span_ids is not None:
            fresh = q.spans_for(s, doc_id, layers, changes.span_ids) if changes.span_ids else []
            kept = [sp for sp in old.spans if sp.id not in changes.span_ids]
            spans = tuple(sorted([*kept, *fresh], key=lambda sp: (sp.start, sp.end, sp.id)))
        return DocumentView(
            old.document,
            spans,
            tuple(q.relations_for(s, doc_id, layers)) if changes.relations else old.relations,
            tuple(q.stances_for(s, doc_id, layers)) if changes.stances else old.stances,
            q.get_status(s, doc_id, annotator_id) if changes.status else old.status,
        )


def progress(project: Project, annotator_id: int) -> Progress:
    with project.session() as s:
        return Progress(q.count_done(s, annotator_id), docs.count_documents(s))


def next_unfinished(
    project: Project,
    annotator_id: int,
    after_doc: int | None,
    ahead: Sequence[int] = (),
    *,
    status: Status | None = None,
    search: str = "",
) -> int | None:
    """The one rule for "the next document" (Done and next, opening a project): the first of `ahead`
    (the documents after `after_doc` as the list shows them, sorted or filtered) that I have not
    marked done, else the first after `after_doc` in import order that I have not, wrapping round,
    among those the list's filter (`status`, `search`) shows: a filtered list is the work queue."""
    with project.session() as s:
        if ahead:
            present = docs.document_infos(s, ahead)
            statuses = q.statuses_for(s, annotator_id, ahead)
            for doc_id in ahead:
                if doc_id in present and (doc_id not in statuses or statuses[doc_id].status != Status.DONE):
                    return doc_id
        return docs.next_unfinished_id(s, annotator_id, after_doc, status=status, search=search.strip())


def stats(project: Project) -> dict[str, int]:
    with project.session() as s:
        counts = q.table_counts(s)
        return {"documents": docs.count_documents(s), **counts}


def status_counts(project: Project) -> dict[Status, int]:
    """How many (document, annotator) pairs are in each status, over every annotator and document
    (`counts.status_pairs`: a document an annotator never touched is not started)."""
    with project.session() as s:
        found = q.status_counts(s)
        table = q.table_counts(s)
        documents = docs.count_documents(s)
    stored = {status: found.get(status.value, 0) for status in Status}
    return status_pairs(stored, documents, table["annotators"])


def source_registry(project: Project) -> dict[str, str]:
    with project.session() as s:
        return docs.source_registry(s)

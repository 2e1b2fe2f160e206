"""Corpus search: words and phrases across the project, in document text or inside annotated spans,
filtered by label, attribute value, stance, annotator and status; results as keyword-in-context lines.

A phrase matches where its words follow each other in the text (`model.search`: words are runs of
letters and digits, compared lower-cased). The full-text index (store.fulltext) finds the documents
(and spans) that may hold the phrase; this module reads them a batch at a time, in import order, and
finds the exact occurrences itself, so what it returns is what a scan of every document returns.

Filters, all optional and combined with "and":
- in_spans, labels, attribute ("name", "value"): the match must lie inside a span with one of the
  labels and that attribute value (any span when only in_spans is set). Without words, every such
  span is a result.
- annotators: only their spans, stances and statuses count; with no other annotation filter, only
  documents in which one of them annotated (a span or a stance).
- stance_target / stance_value: the document holds such a stance.
- status: one of the annotators (anyone, without `annotators`) has that status for the document;
  not_started means none of them has started it.
Without words and without span filters every document that passes the filters is one result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from annotator.model.errors import AnnotatorError
from annotator.model.search import find_phrase, keyword_in_context, words
from annotator.model.types import Status
from annotator.services.project import Project
from annotator.store import annotators as store_annotators
from annotator.store import search as store_search

BATCH = 50
"""Documents read (with their text) per query while collecting results."""
DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    in_spans: bool = False
    labels: tuple[str, ...] = ()
    attribute: tuple[str, str] | None = None
    stance_target: str | None = None
    stance_value: str | None = None
    annotators: tuple[str, ...] = ()
    status: Status | None = None


@dataclass(frozen=True)
class SpanRef:
    """A span a result lies in: whose, which label, where."""

    annotator: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """One result: the match at [start, end) of a document's text (code points), with its context."""

    doc_id: int
    ext_id: str
    title: str
    start: int
    end: int
    left: str
    match: str
    right: str
    spans: tuple[SpanRef, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    more: bool
    """Whether results were left out to keep to the limit."""
    documents_read: int
    words: tuple[str, ...] = field(default=())


def filters_for(project: Project, query: SearchQuery) -> store_search.Filters:
    """The store's form of a query; unknown annotators are refused in one line."""
    ids: tuple[int, ...] | None = None
    if query.annotators:
        found = []
        with project.session() as s:
            for name in query.annotators:
                annotator = store_annotators.annotator_by_name(s, name.strip())
                if annotator is None:
                    raise AnnotatorError(f"no annotator called {name.strip()!r} in {project.path}")
                found.append(annotator.id)
        ids = tuple(found)
    return store_search.Filters(
        words=tuple(words(query.text)),
        in_spans=query.in_spans,
        labels=tuple(query.labels),
        attribute=query.attribute,
        stance_target=query.stance_target or None,
        stance_value=query.stance_value or None,
        annotator_ids=ids,
        status=query.status.value if query.status is not None else None,
    )


def search(
    project: Project,
    query: SearchQuery,
    limit: int = DEFAULT_LIMIT,
    width: int = 60,
    cancelled: Callable[[], bool] = lambda: False,
) -> SearchResult:
    """The first `limit` results in document order (then text order). A query whose text holds
    characters but no words (only punctuation, say) is refused: the search is by words."""
    filters = checked_filters(project, query)
    hits: list[Hit] = []
    read = 0
    for found in hits_by_document(project, filters, width, cancelled):
        read += 1
        hits.extend(found)
        if len(hits) > limit:
            break
    return SearchResult(tuple(hits[:limit]), len(hits) > limit, read, filters.words)


def checked_filters(project: Project, query: SearchQuery) -> store_search.Filters:
    """`filters_for`, refusing a query whose text has characters but no words."""
    filters = filters_for(project, query)
    if query.text.strip() and not filters.words:
        raise AnnotatorError(f"{query.text.strip()!r} has no words to search for (letters or digits)")
    return filters


def hits_by_document(
    project: Project,
    filters: store_search.Filters,
    width: int = 60,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[Hit, ...]]:
    """The results of every document read, in document order, one tuple per document (empty when it
    holds none), as they are found: the Search window and the CLI show the first ones while the
    rest are read. Reads `BATCH` documents per query; stops as soon as `cancelled()` says so."""
    names = {a.id: a.name for a in project.annotators()}
    after = 0
    while not cancelled():
        with project.session() as s:
            ids = store_search.candidate_ids(s, filters, after, BATCH) if filters.words else []
            if filters.words:
                batch = store_search.documents_among(s, filters, ids) if ids else []
            else:
                batch = store_search.document_batch(s, filters, after, BATCH)
            spans = store_search.spans_in(s, filters, [d[0] for d in batch]) if filters.span_scope else []
        if not ids and not batch:
            return
        by_doc: dict[int, list[tuple[int, int, str, int]]] = {}
        for doc_id, start, end, label, annotator_id, _span_id in spans:
            by_doc.setdefault(doc_id, []).append((start, end, label, annotator_id))
        for doc_id, ext_id, title, text in batch:
            if cancelled():
                return
            yield tuple(
                Hit(doc_id, ext_id, title, start, end, *keyword_in_context(text, start, end, width), refs)
                for start, end, refs in _matches(text, filters, by_doc.get(doc_id, []), names)
            )
        after = ids[-1] if ids else batch[-1][0]


def _matches(
    text: str,
    filters: store_search.Filters,
    spans: Sequence[tuple[int, int, str, int]],
    names: dict[int, str],
) -> list[tuple[int, int, tuple[SpanRef, ...]]]:
    def ref(span: tuple[int, int, str, int]) -> SpanRef:
        return SpanRef(names.get(span[3], ""), span[2], span[0], span[1])

    if not filters.words:
        if filters.span_scope:
            return [(s[0], s[1], (ref(s),)) for s in spans]
        return [(0, 0, ())]
    found = find_phrase(text, list(filters.words))
    if not filters.span_scope:
        return [(start, end, ()) for start, end in found]
    starts = [s[0] for s in spans]  # spans come sorted by start
    out = []
    for start, end in found:
        inside = tuple(ref(s) for s in spans[: bisect_right(starts, start)] if s[1] >= end)
        if inside:
            out.append((start, end, inside))
    return out

"""`Changes`: what a service mutation touched, so each view can refresh only that."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    doc_ids: frozenset[int] = frozenset()
    spans: bool = False
    relations: bool = False
    stances: bool = False
    status: bool = False
    documents: bool = False
    annotators: bool = False
    # With `spans`: the only spans added, changed or deleted, when the writer knows them (one span's
    # edit and its undo), so a view re-reads just those; None: any span of `doc_ids` may have changed.
    span_ids: frozenset[int] | None = None
    # With `status`: the writer knows no document was marked done or no longer done (an annotation's
    # edit only moves a document between not started and in progress), so the count of documents
    # done stands (the status bar's progress, two counts over every document, is not read again).
    done_kept: bool = False

    def __or__(self, other: Changes) -> Changes:
        if self.spans and other.spans:
            ids = None if self.span_ids is None or other.span_ids is None else self.span_ids | other.span_ids
        else:
            ids = self.span_ids if self.spans else other.span_ids
        return Changes(
            self.doc_ids | other.doc_ids,
            self.spans or other.spans,
            self.relations or other.relations,
            self.stances or other.stances,
            self.status or other.status,
            self.documents or other.documents,
            self.annotators or other.annotators,
            ids if self.spans or other.spans else None,
            (self.done_kept or not self.status) and (other.done_kept or not other.status),
        )

    @property
    def known_spans(self) -> bool:
        """Whether a view of one of `doc_ids` can be brought up to date from these changes alone:
        nothing but annotations of those documents changed, and the spans that did are named."""
        return not (self.documents or self.annotators) and (not self.spans or self.span_ids is not None)

    @property
    def done_count_kept(self) -> bool:
        """Whether the number of documents marked done certainly stands after these changes."""
        return not (self.documents or self.annotators) and (not self.status or self.done_kept)

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

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.doc_ids | other.doc_ids,
            self.spans or other.spans,
            self.relations or other.relations,
            self.stances or other.stances,
            self.status or other.status,
            self.documents or other.documents,
            self.annotators or other.annotators,
        )

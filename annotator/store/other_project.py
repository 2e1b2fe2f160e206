"""Reading another project file for a merge: who worked in it, its documents with their layers, its aliases.

The file is opened read-only (its bytes stay as they were) and read in one session. Each document
comes with one `Layer` per annotator, in the same typed form an annotation JSONL line is read into,
span references being the other file's span ids as strings, so merge applies both the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from annotator.model.annotation_jsonl import Layer, LineRelation, LineSpan, LineStance, LineStatus
from annotator.model.types import Annotator, Document
from annotator.store import annotations as q
from annotator.store import documents as docs
from annotator.store.engine import open_store


@dataclass
class _Builder:
    who: Annotator
    spans: list[LineSpan] = field(default_factory=list)
    relations: list[LineRelation] = field(default_factory=list)
    stances: list[LineStance] = field(default_factory=list)
    status: LineStatus | None = None

    def layer(self) -> Layer:
        return Layer(
            self.who.name, self.who.uid, tuple(self.spans), tuple(self.relations), tuple(self.stances), self.status
        )


@dataclass(frozen=True)
class OtherDocument:
    document: Document
    layers: tuple[Layer, ...]  # one per annotator with work on it, by annotator id


class OtherProject:
    """An open, read-only view of another project file (see `read_other_project`)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._people = {a.id: a for a in q.list_annotators(session)}

    def annotators_with_work(self) -> list[Annotator]:
        return [self._people[i] for i in sorted(q.annotator_ids_with_work(self._session))]

    def document_ids(self) -> list[int]:
        return docs.document_ids(self._session)

    def source_registry(self) -> dict[str, str]:
        return docs.source_registry(self._session)

    def document(self, doc_id: int) -> OtherDocument:
        """One document with its layers."""
        o = self._session
        layers: dict[int, _Builder] = {}

        def of(annotator_id: int) -> _Builder:
            return layers.setdefault(annotator_id, _Builder(self._people[annotator_id]))

        for sp in q.spans_for(o, doc_id):
            of(sp.annotator_id).spans.append(
                LineSpan(
                    str(sp.id),
                    sp.label,
                    sp.start,
                    sp.end,
                    None,
                    dict(sp.attributes),
                    sp.created_at,
                    sp.updated_at,
                    sp.fragments,
                )
            )
        for rel in q.relations_for(o, doc_id):
            of(rel.annotator_id).relations.append(
                LineRelation(
                    rel.type,
                    str(rel.from_span),
                    str(rel.to_span),
                    rel.created_at,
                    rel.updated_at,
                    {role: str(span_id) for role, span_id in rel.args.items()},
                    dict(rel.attributes),
                )
            )
        for st in q.stances_for(o, doc_id):
            span_key = None if st.span_id is None else str(st.span_id)
            of(st.annotator_id).stances.append(LineStance(st.target, st.value, span_key, st.created_at, st.updated_at))
        for status in q.statuses_of_doc(o, doc_id):
            of(status.annotator_id).status = LineStatus(status.status, status.seconds, status.note, status.updated_at)
        return OtherDocument(docs.get_document(o, doc_id), tuple(layers[i].layer() for i in sorted(layers)))


@contextmanager
def read_other_project(path: Path) -> Iterator[OtherProject]:
    """Open `path` read-only for the length of the block."""
    store = open_store(path, readonly=True)
    try:
        with store.session() as session:
            yield OtherProject(session)
    finally:
        store.close()

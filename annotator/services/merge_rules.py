"""The merge rules: how one incoming layer (a colleague's work on one document) joins this project.

Annotators are matched by uid (without one the name is the identity); a different person under a
name used here is a clash, noted and never fused. A document missing here is added (its external
id suffixed `~n` when taken). A span with the same label and offsets in the same layer is the same
span (its attributes are taken when the incoming copy is newer), a relation or stance equal to one
here is skipped, and a differing stance, a relation beyond the scheme's one-per-claim limit and a
status are decided by the newer `updated_at`. Rows keep their annotator and times and get origin
"merged". The `Merger` works inside the caller's session and never commits; it counts what it did
(`MergeCounts`) and collects problems, which `finish` turns into one error.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.model.annotation_jsonl import Layer, LineRelation, LineSpan, LineStance, LineStatus
from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError, SchemeError, ValidationError
from annotator.model.types import (
    DocumentInfo,
    NewDocument,
    Origin,
    Relation,
    Span,
    Stance,
    Status,
    check_fragments,
    check_offsets,
    fragments_text,
)
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import annotations as q
from annotator.store import documents as docs
from annotator.store.engine import utc_now

_MERGED = Origin.MERGED.value


UID_KEY = "uid:"
"""A rename key of this form names a person by id, for a file that holds one name under two ids."""


class NameClashError(AnnotatorError):
    """Another file's annotator has a name used here by a different person."""

    def __init__(self, message: str, names: Sequence[str]) -> None:
        super().__init__(message)
        self.names = tuple(names)


@dataclass
class MergeCounts:
    """What one merged file changed here, item by item (`skipped`: items already here, or older)."""

    documents_added: int = 0
    spans_added: int = 0
    spans_updated: int = 0
    relations_added: int = 0
    stances_added: int = 0
    stances_updated: int = 0
    statuses_updated: int = 0
    aliases_added: int = 0
    skipped: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.documents_added
            or self.spans_added
            or self.spans_updated
            or self.relations_added
            or self.stances_added
            or self.stances_updated
            or self.statuses_updated
            or self.aliases_added
        )


@dataclass(frozen=True)
class MergeReport:
    """What one merged file brought in. `annotators` maps their names to the names used here."""

    path: Path
    annotators: Mapping[str, str]
    new_annotators: tuple[str, ...]
    counts: MergeCounts
    changes: Changes

    @property
    def unchanged(self) -> bool:
        return not (self.new_annotators or self.counts.changed)


@dataclass(frozen=True)
class _Who:
    name: str
    uid: str | None  # None: the name is the identity (JSONL without annotator_uid)


@dataclass
class Merger:
    """Applies incoming layers inside one session, counting what it did and collecting problems."""

    project: Project
    session: Session
    path: Path
    renames: Mapping[str, str]
    counts: MergeCounts = field(default_factory=MergeCounts)
    names: dict[str, str] = field(default_factory=dict)
    new_annotators: list[str] = field(default_factory=list)
    clashes: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    doc_ids: set[int] = field(default_factory=set)
    used_keys: set[str] = field(default_factory=set)
    _who: dict[_Who, int | None] = field(default_factory=dict)

    def annotator_id(self, name: str, uid: str | None) -> int | None:
        """The annotator here for (name, uid), created when new; None (and a clash noted) when it clashes."""
        who = _Who(name, uid)
        if who in self._who:
            return self._who[who]
        by_uid = UID_KEY + uid if uid else None
        if by_uid is not None and by_uid in self.renames:
            local = self.renames[by_uid].strip()
            self.used_keys.add(by_uid)
        else:
            local = self.renames.get(name, name).strip()
        self.used_keys.add(name)
        found = q.annotator_by_uid(self.session, uid) if uid else None
        if found is None:
            found = q.annotator_by_name(self.session, local)
            if found is not None and uid is not None and found.uid != uid:
                # The file itself may hold this name under two person ids: a rename by name would
                # move both, so the way forward names this person by id.
                twice = found.name in self.new_annotators or any(w.name == name and w.uid != uid for w in self._who)
                self.clashes[by_uid if twice and by_uid is not None else name] = local
                self._who[who] = None
                return None
        if found is None:
            found = q.add_annotator(self.session, local, uid)
            self.new_annotators.append(local)
        self.names[name] = found.name
        self._who[who] = found.id
        return found.id

    def add_document(self, info: DocumentInfo, text: str) -> int:
        """The document here with this text (by sha256), added when missing with its external id made unique."""
        found = docs.find_document(self.session, sha256=info.sha256)
        if found is not None:
            return found.id
        unique, n = info.ext_id, 1
        while docs.find_document(self.session, ext_id=unique) is not None:
            n += 1
            unique = f"{info.ext_id}~{n}"
        new = NewDocument(
            unique, info.sha256, info.title, text, info.meta, info.encoding, None, info.imported_at or utc_now()
        )
        docs.add_documents(self.session, [new])
        self.counts.documents_added += 1
        found = docs.find_document(self.session, sha256=info.sha256)
        assert found is not None
        return found.id

    def add_alias(self, alias: str, canonical: str, here: Mapping[str, str]) -> None:
        if alias not in here:
            docs.register_source_alias(self.session, alias, canonical)
            self.counts.aliases_added += 1

    def apply(self, doc_id: int, text: str, layer: Layer, where: str) -> None:
        annotator_id = self.annotator_id(layer.annotator, layer.annotator_uid)
        if annotator_id is None:
            return
        before = len(self.problems)
        spans = self._spans(doc_id, annotator_id, text, layer.spans, where)
        if len(self.problems) == before:
            self._relations(doc_id, annotator_id, spans, layer.relations, where)
            self._stances(doc_id, annotator_id, spans, layer.stances, where)
            self._status(doc_id, annotator_id, layer.status)

    def _spans(
        self, doc_id: int, annotator_id: int, text: str, spans: Sequence[LineSpan], where: str
    ) -> dict[str, Span]:
        here = {
            (s.label, s.start, s.end, s.fragments): s
            for s in reversed(q.spans_for(self.session, doc_id, [annotator_id]))
        }
        out: dict[str, Span] = {}
        for new in spans:
            label = self.project.scheme.canonical_label(new.label)
            problem = self._span_problem(new, text)
            if problem:
                self.problems.append(f"{where}: span {new.key!r}: {problem}")
                continue
            attributes = self.project.scheme.canonical_attributes(label, new.attributes)
            old = here.get((label, new.start, new.end, new.fragments))
            if old is None:
                old = q.insert_span(
                    self.session,
                    Span(
                        0,
                        doc_id,
                        annotator_id,
                        label,
                        new.start,
                        new.end,
                        fragments_text(text, new.fragments) if new.fragments else text[new.start : new.end],
                        attributes,
                        _MERGED,
                        new.created_at,
                        new.updated_at,
                        new.fragments,
                    ),
                )
                here[(label, new.start, new.end, new.fragments)] = old
                self._count(doc_id, "spans_added")
            elif dict(old.attributes) != attributes and new.updated_at > old.updated_at:
                q.overwrite_span(self.session, old.id, attributes=attributes, origin=_MERGED, updated_at=new.updated_at)
                self._count(doc_id, "spans_updated")
            else:
                self.counts.skipped += 1
            out[new.key] = old
        return out

    def _span_problem(self, span: LineSpan, text: str) -> str | None:
        try:
            self.project.scheme.validate_span(span.label, span.attributes)
            check_offsets(text, span.start, span.end)
            if span.fragments:
                check_fragments(text, span.fragments)
        except (SchemeError, ValidationError) as exc:
            return str(exc)
        quoted = fragments_text(text, span.fragments) if span.fragments else text[span.start : span.end]
        if span.text is not None and span.text != quoted:
            return f"text {span.text!r} is not the document's text at {span.start}..{span.end}"
        return None

    def _relations(
        self, doc_id: int, annotator_id: int, spans: Mapping[str, Span], relations: Sequence[LineRelation], where: str
    ) -> None:
        here = q.relations_for(self.session, doc_id, [annotator_id])
        for rel in relations:
            kind = self.project.scheme.relation(rel.type)
            if kind is None or rel.from_key not in spans or rel.to_key not in spans:
                why = f"type {rel.type!r} is not in the scheme" if kind is None else "an end is not a span of it"
                self.problems.append(f"{where}: relation {rel.from_key!r}->{rel.to_key!r}: {why}")
                continue
            a, b = spans[rel.from_key], spans[rel.to_key]
            if (a.label, b.label) != (kind.from_label, kind.to_label):
                self.problems.append(f"{where}: relation {kind.name} cannot go from a {a.label} to a {b.label}")
                continue
            same_head = [r for r in here if r.type == kind.name and r.from_span == a.id]
            if any(r.to_span == b.id for r in same_head):
                self.counts.skipped += 1
                continue
            if kind.max_per_from is not None and len(same_head) >= kind.max_per_from:
                if max(r.updated_at for r in same_head) >= rel.updated_at:
                    self.counts.skipped += 1
                    continue
                for old in same_head:
                    q.delete_relation(self.session, old.id)
                    here.remove(old)
            args = {role: spans[key].id for role, key in rel.args.items() if key in spans}
            new = Relation(
                0,
                doc_id,
                annotator_id,
                kind.name,
                a.id,
                b.id,
                _MERGED,
                rel.created_at,
                rel.updated_at,
                args,
                rel.attributes,
            )
            here.append(q.insert_relation(self.session, new))
            self._count(doc_id, "relations_added")

    def _stances(
        self, doc_id: int, annotator_id: int, spans: Mapping[str, Span], stances: Sequence[LineStance], where: str
    ) -> None:
        for st in stances:
            try:
                self.project.scheme.validate_stance(st.target, st.value)
            except SchemeError as exc:
                self.problems.append(f"{where}: stance {st.target!r}: {exc}")
                continue
            if st.span_key is not None and st.span_key not in spans:
                self.problems.append(f"{where}: stance {st.target!r}: span {st.span_key!r} is not in the line")
                continue
            scheme = self.project.scheme
            target, value = scheme.canonical_target(st.target), scheme.canonical_stance_value(st.value)
            span_id = None if st.span_key is None else spans[st.span_key].id
            old = q.find_stance(self.session, doc_id, annotator_id, target, span_id)
            if old is None:
                new = Stance(0, doc_id, annotator_id, target, value, span_id, _MERGED, st.created_at, st.updated_at)
                q.insert_stance(self.session, new)
                self._count(doc_id, "stances_added")
            elif old.value != value and st.updated_at > old.updated_at:
                q.overwrite_stance(self.session, old.id, value=value, origin=_MERGED, updated_at=st.updated_at)
                self._count(doc_id, "stances_updated")
            else:
                self.counts.skipped += 1

    def _status(self, doc_id: int, annotator_id: int, status: LineStatus | None) -> None:
        if status is None:
            return
        old = q.get_status(self.session, doc_id, annotator_id)
        exists = bool(old.updated_at)
        if (old.status, old.seconds, old.note) == (status.status, status.seconds, status.note) or (
            not exists and status.status == Status.NOT_STARTED and not status.seconds and not status.note
        ):
            self.counts.skipped += 1
            return
        if exists and (status.updated_at is None or status.updated_at <= old.updated_at):
            self.counts.skipped += 1
            return
        q.put_status(
            self.session,
            doc_id,
            annotator_id,
            status=status.status,
            seconds=status.seconds,
            note=status.note,
            origin=_MERGED,
            updated_at=status.updated_at or utc_now(),
        )
        self._count(doc_id, "statuses_updated")

    def _count(self, doc_id: int, what: str) -> None:
        setattr(self.counts, what, getattr(self.counts, what) + 1)
        self.doc_ids.add(doc_id)

    def finish(self) -> MergeReport:
        """The report, or the one error naming every clash or the first problem (the caller rolls back)."""
        if self.clashes:
            raise NameClashError(
                "; ".join(_clash_message(self.path, theirs, ours) for theirs, ours in sorted(self.clashes.items())),
                sorted(self.clashes),
            )
        if self.problems:
            more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
            raise ValidationError(f"{self.problems[0]}{more}; nothing was merged")
        c = self.counts
        changes = Changes(
            frozenset(self.doc_ids),
            spans=bool(c.spans_added or c.spans_updated),
            relations=bool(c.relations_added),
            stances=bool(c.stances_added or c.stances_updated),
            status=bool(c.statuses_updated),
            documents=bool(c.documents_added),
            annotators=bool(self.new_annotators),
        )
        return MergeReport(self.path, dict(self.names), tuple(self.new_annotators), c, changes)


def rename_option(old: str, new: str) -> str:
    """The command-line option that renames `old` (a name, or "uid:<id>") to `new`, quoted so that
    it works when pasted into a shell: `--rename OLD=NEW` while OLD holds no "=", else
    `--rename-json '{"OLD": "NEW"}'`."""
    if "=" not in old and not old.startswith(UID_KEY):
        return f"--rename {shlex.quote(f'{old}={new}')}"
    return f"--rename-json {shlex.quote(json.dumps({old: new}, ensure_ascii=False))}"


def _clash_message(path: Path, theirs: str, ours: str) -> str:
    if theirs.startswith(UID_KEY):
        return (
            f"{ours!r} in {path.name} is used by two different people (person ids); "
            f"merge again bringing one in under another name with {rename_option(theirs, ours + '2')}"
        )
    if theirs == ours:
        return (
            f"{theirs!r} in {path.name} is a different person from {ours!r} here; "
            f"merge again with {rename_option(theirs, theirs + '2')}"
        )
    return (
        f"{theirs!r} in {path.name} would be renamed to {ours!r}, a different person here; "
        f"choose another name with {rename_option(theirs, 'NAME')}"
    )

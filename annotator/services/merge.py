"""Merging colleagues' work: another project file or an annotation JSONL, into this project.

This module owns the merge use-case. Documents are matched by sha256 (a JSONL line may also match
by external id); a document this project lacks is added, with its external id when that is free.
Annotators are matched by uid (`annotator_uid` in JSONL; without it the name is the identity). A
different person under a name that exists here is never fused: the merge raises `NameClashError`
naming every clash, and `renames` ({their name: name here}) resolves it. Rows keep their annotator
and times and get origin "merged". Re-merging changes nothing: a span with the same label and
offsets in the same layer is the same span (its attributes are taken when the incoming copy is
newer), a relation or stance equal to one here is skipped, a differing stance, a relation beyond
the scheme's one-per-claim limit, and a status are decided by the newer `updated_at`. One call is
one transaction: any error (bad item, clash, cancel) leaves the project as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError, Cancelled, SchemeError, ValidationError
from annotator.model.scheme_usage import unmapped_names
from annotator.model.types import GOLD, Origin, Relation, Span, Stance, Status
from annotator.services.project import Project
from annotator.services.schemes import usage as scheme_usage
from annotator.store import Session
from annotator.store import annotations as q
from annotator.store import documents as docs
from annotator.store.engine import is_project_file, utc_now

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
_MERGED = Origin.MERGED.value


class NameClashError(AnnotatorError):
    """Another file's annotator has a name used here by a different person."""

    def __init__(self, message: str, names: Sequence[str]) -> None:
        super().__init__(message)
        self.names = tuple(names)


@dataclass(frozen=True)
class MergeReport:
    """What one merged file brought in. `annotators` maps their names to the names used here."""

    path: Path
    annotators: Mapping[str, str]
    new_annotators: tuple[str, ...]
    documents_added: int
    spans_added: int
    spans_updated: int
    relations_added: int
    stances_added: int
    stances_updated: int
    statuses_updated: int
    aliases_added: int
    skipped: int
    changes: Changes

    @property
    def unchanged(self) -> bool:
        return not (
            self.new_annotators
            or self.documents_added
            or self.spans_added
            or self.spans_updated
            or self.relations_added
            or self.stances_added
            or self.stances_updated
            or self.statuses_updated
            or self.aliases_added
        )


@dataclass(frozen=True)
class _Who:
    name: str
    uid: str | None  # None: the name is the identity (JSONL without annotator_uid)


@dataclass(frozen=True)
class _InSpan:
    key: str
    label: str
    start: int
    end: int
    text: str | None
    attributes: dict[str, str]
    created_at: str
    updated_at: str


@dataclass
class _Layer:
    """One (document, annotator) of incoming work; span references use the `_InSpan.key`s."""

    who: _Who
    spans: list[_InSpan] = field(default_factory=list)
    relations: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # type, from, to, times
    stances: list[tuple[str, str, str | None, str, str]] = field(default_factory=list)  # target, value, span
    status: tuple[str, float, str, str | None] | None = None  # status, seconds, note, updated_at


@dataclass
class _Merger:
    """Applies incoming layers inside one session, counting what it did and collecting problems."""

    project: Project
    session: Session
    path: Path
    renames: Mapping[str, str]
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    names: dict[str, str] = field(default_factory=dict)
    new_annotators: list[str] = field(default_factory=list)
    clashes: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    doc_ids: set[int] = field(default_factory=set)
    _who: dict[_Who, int | None] = field(default_factory=dict)

    def annotator_id(self, who: _Who) -> int | None:
        """The annotator here for `who`, created when new; None (and a clash noted) when it clashes."""
        if who in self._who:
            return self._who[who]
        local = self.renames.get(who.name, who.name).strip()
        found = q.annotator_by_uid(self.session, who.uid) if who.uid else None
        if found is None:
            found = q.annotator_by_name(self.session, local)
            if found is not None and who.uid is not None and found.uid != who.uid:
                self.clashes[who.name] = local
                self._who[who] = None
                return None
        if found is None:
            found = q.add_annotator(self.session, local, who.uid)
            self.new_annotators.append(local)
        self.names[who.name] = found.name
        self._who[who] = found.id
        return found.id

    def document(
        self,
        *,
        sha256: str,
        ext_id: str,
        title: str,
        text: str | None,
        meta: Mapping[str, Any],
        encoding: str | None,
        imported_at: str | None,
    ) -> int | None:
        """The document here with this text, added when missing (None when it cannot be)."""
        found = docs.find_document(self.session, sha256=sha256)
        if found is not None:
            return found.id
        if text is None:
            return None
        unique, n = ext_id, 1
        while docs.find_document(self.session, ext_id=unique) is not None:
            n += 1
            unique = f"{ext_id}~{n}"
        docs.insert_documents(
            self.session,
            [
                dict(
                    ext_id=unique,
                    sha256=sha256,
                    title=title,
                    text=text,
                    n_chars=len(text),
                    meta=dict(meta),
                    encoding=encoding,
                    source=None,
                    imported_at=imported_at or utc_now(),
                )
            ],
        )
        self.counts["documents"] += 1
        found = docs.find_document(self.session, sha256=sha256)
        assert found is not None
        return found.id

    def apply(self, doc_id: int, text: str, layer: _Layer, where: str) -> None:
        annotator_id = self.annotator_id(layer.who)
        if annotator_id is None:
            return
        before = len(self.problems)
        span_ids = self._spans(doc_id, annotator_id, text, layer.spans, where)
        if len(self.problems) == before:
            self._relations(doc_id, annotator_id, span_ids, layer.relations, where)
            self._stances(doc_id, annotator_id, span_ids, layer.stances, where)
            self._status(doc_id, annotator_id, layer.status)

    def _spans(self, doc_id: int, annotator_id: int, text: str, spans: list[_InSpan], where: str) -> dict[str, Span]:
        here = {(s.label, s.start, s.end): s for s in reversed(q.spans_for(self.session, doc_id, [annotator_id]))}
        out: dict[str, Span] = {}
        for new in spans:
            label = self.project.scheme.canonical_label(new.label)
            problem = _span_problem(self.project, new, text)
            if problem:
                self.problems.append(f"{where}: span {new.key!r}: {problem}")
                continue
            attributes = self.project.scheme.canonical_attributes(label, new.attributes)
            old = here.get((label, new.start, new.end))
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
                        text[new.start : new.end],
                        attributes,
                        _MERGED,
                        new.created_at,
                        new.updated_at,
                    ),
                )
                here[(label, new.start, new.end)] = old
                self._count(doc_id, "spans_added")
            elif dict(old.attributes) != attributes and new.updated_at > old.updated_at:
                q.overwrite_span(self.session, old.id, attributes=attributes, origin=_MERGED, updated_at=new.updated_at)
                self._count(doc_id, "spans_updated")
            else:
                self.counts["skipped"] += 1
            out[new.key] = old
        return out

    def _relations(
        self,
        doc_id: int,
        annotator_id: int,
        spans: Mapping[str, Span],
        relations: list[tuple[str, str, str, str, str]],
        where: str,
    ) -> None:
        here = q.relations_for(self.session, doc_id, [annotator_id])
        for rtype, head, tail, created, updated in relations:
            kind = self.project.scheme.relation(rtype)
            if kind is None or head not in spans or tail not in spans:
                why = f"type {rtype!r} is not in the scheme" if kind is None else "an end is not a span of it"
                self.problems.append(f"{where}: relation {head!r}->{tail!r}: {why}")
                continue
            a, b = spans[head], spans[tail]
            if (a.label, b.label) != (kind.from_label, kind.to_label):
                self.problems.append(f"{where}: relation {kind.name} cannot go from a {a.label} to a {b.label}")
                continue
            same_head = [r for r in here if r.type == kind.name and r.from_span == a.id]
            if any(r.to_span == b.id for r in same_head):
                self.counts["skipped"] += 1
                continue
            if kind.max_per_from is not None and len(same_head) >= kind.max_per_from:
                if max(r.updated_at for r in same_head) >= updated:
                    self.counts["skipped"] += 1
                    continue
                for old in same_head:
                    q.delete_relation(self.session, old.id)
                    here.remove(old)
            here.append(
                q.insert_relation(
                    self.session,
                    Relation(0, doc_id, annotator_id, kind.name, a.id, b.id, _MERGED, created, updated),
                )
            )
            self._count(doc_id, "relations_added")

    def _stances(
        self,
        doc_id: int,
        annotator_id: int,
        spans: Mapping[str, Span],
        stances: list[tuple[str, str, str | None, str, str]],
        where: str,
    ) -> None:
        for target, value, span_key, created, updated in stances:
            try:
                self.project.scheme.validate_stance(target, value)
            except SchemeError as exc:
                self.problems.append(f"{where}: stance {target!r}: {exc}")
                continue
            if span_key is not None and span_key not in spans:
                self.problems.append(f"{where}: stance {target!r}: span {span_key!r} is not in the line")
                continue
            target, value = (
                self.project.scheme.canonical_target(target),
                self.project.scheme.canonical_stance_value(value),
            )
            span_id = None if span_key is None else spans[span_key].id
            old = q.find_stance(self.session, doc_id, annotator_id, target, span_id)
            if old is None:
                q.insert_stance(
                    self.session,
                    Stance(0, doc_id, annotator_id, target, value, span_id, _MERGED, created, updated),
                )
                self._count(doc_id, "stances_added")
            elif old.value != value and updated > old.updated_at:
                q.overwrite_stance(self.session, old.id, value=value, origin=_MERGED, updated_at=updated)
                self._count(doc_id, "stances_updated")
            else:
                self.counts["skipped"] += 1

    def _status(self, doc_id: int, annotator_id: int, status: tuple[str, float, str, str | None] | None) -> None:
        if status is None:
            return
        value, seconds, note, updated = status
        old = q.get_status(self.session, doc_id, annotator_id)
        exists = bool(old.updated_at)
        if (old.status.value, old.seconds, old.note) == (value, seconds, note) or (
            not exists and value == Status.NOT_STARTED and not seconds and not note
        ):
            self.counts["skipped"] += 1
            return
        if exists and (updated is None or updated <= old.updated_at):
            self.counts["skipped"] += 1
            return
        q.put_status(
            self.session,
            doc_id,
            annotator_id,
            status=Status(value),
            seconds=seconds,
            note=note,
            origin=_MERGED,
            updated_at=updated or utc_now(),
        )
        self._count(doc_id, "statuses_updated")

    def _count(self, doc_id: int, what: str) -> None:
        self.counts[what] += 1
        self.doc_ids.add(doc_id)

    def finish(self) -> MergeReport:
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
            spans=bool(c["spans_added"] or c["spans_updated"]),
            relations=bool(c["relations_added"]),
            stances=bool(c["stances_added"] or c["stances_updated"]),
            status=bool(c["statuses_updated"]),
            documents=bool(c["documents"]),
            annotators=bool(self.new_annotators),
        )
        return MergeReport(
            self.path,
            dict(self.names),
            tuple(self.new_annotators),
            c["documents"],
            c["spans_added"],
            c["spans_updated"],
            c["relations_added"],
            c["stances_added"],
            c["stances_updated"],
            c["statuses_updated"],
            c["aliases"],
            c["skipped"],
            changes,
        )


def _clash_message(path: Path, theirs: str, ours: str) -> str:
    if theirs == ours:
        return (
            f"{theirs!r} in {path.name} is a different person from {ours!r} here; "
            f"merge again with --rename {theirs}={theirs}2"
        )
    return (
        f"{theirs!r} in {path.name} would be renamed to {ours!r}, a different person here; "
        f"choose another name with --rename {theirs}=NAME"
    )


def _span_problem(project: Project, span: _InSpan, text: str) -> str | None:
    try:
        project.scheme.validate_span(span.label, span.attributes)
    except SchemeError as exc:
        return str(exc)
    if (
        isinstance(span.start, bool)
        or isinstance(span.end, bool)
        or not isinstance(span.start, int)
        or not isinstance(span.end, int)
        or not 0 <= span.start < span.end <= len(text)
    ):
        return f"offsets {span.start!r}..{span.end!r} must be integers with 0 <= start < end <= {len(text)}"
    if span.text is not None and span.text != text[span.start : span.end]:
        return f"text {span.text!r} is not the document's text at {span.start}..{span.end}"
    return None


# -- entry points --------------------------------------------------------------------------------


def merge_project(
    project: Project,
    other_path: Path,
    *,
    renames: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MergeReport:
    """Bring in another project file's annotators, spans, relations, stances, status and aliases."""
    return merge_paths(project, [other_path], renames, progress=progress, cancel=cancel)[0]


def merge_jsonl(
    project: Project,
    path: Path,
    *,
    renames: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MergeReport:
    """Bring in an annotation JSONL (PRODUCT.md format, optional `annotator_uid`)."""
    return merge_paths(project, [path], renames, progress=progress, cancel=cancel)[0]


def merge_paths(
    project: Project,
    paths: Sequence[Path],
    renames: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> list[MergeReport]:
    """Merge each file (a project when it starts with the SQLite header, else annotation JSONL).

    All files are one transaction: if any fails, none is kept.
    """
    if project.readonly:
        raise AnnotatorError(f"{project.path}: project is open read-only; cannot merge into it")
    renames = dict(renames or {})
    if any(new.strip() == GOLD for new in renames.values()):
        raise AnnotatorError(f"{GOLD!r} is the adjudicated layer; rename a colleague to another name")
    reports: list[MergeReport] = []
    seen: set[str] = set()
    with project.session() as s:
        for path in map(Path, paths):
            merger = _Merger(project, s, path, renames)
            if _is_sqlite(path):
                _merge_project_file(merger, progress, cancel)
            else:
                _merge_jsonl_file(merger, progress, cancel)
            reports.append(merger.finish())
            seen.update(merger.names)
        unused = sorted(set(renames) - seen)
        if unused:  # raised inside the transaction: a mistyped rename keeps nothing
            raise AnnotatorError(f"--rename names no annotator in the merged files: {', '.join(unused)}")
    return reports


def _is_sqlite(path: Path) -> bool:
    try:
        return is_project_file(path)
    except OSError as exc:
        raise AnnotatorError(f"{path}: cannot read file to merge: {exc.strerror or exc}") from exc


def _tick(progress: Progress | None, cancel: Cancel | None, done: int, total: int) -> None:
    if cancel is not None and cancel():
        raise Cancelled("merge cancelled; nothing was merged")
    if progress is not None:
        progress(done, total)


def _merge_project_file(merger: _Merger, progress: Progress | None, cancel: Cancel | None) -> None:
    if merger.path.resolve() == merger.project.path.resolve():
        raise AnnotatorError(f"{merger.path}: cannot merge a project into itself")
    other = Project.open(merger.path, readonly=True)
    try:
        _check_scheme_maps(merger, other)
        with other.session() as o:
            people = {a.id: _Who(a.name, a.uid) for a in q.list_annotators(o)}
            for who in (people[i] for i in sorted(q.annotator_ids_with_work(o))):
                merger.annotator_id(who)  # every clash is found before any row is read
            infos = list(docs.iter_document_infos(o))
            registry = docs.source_registry(o)
            for n, info in enumerate(infos):
                _tick(progress, cancel, n, len(infos))
                _merge_other_document(merger, o, info.id, people)
            here = docs.source_registry(merger.session)
            for alias, canonical in registry.items():
                if alias not in here:
                    docs.register_source_alias(merger.session, alias, canonical)
                    merger.counts["aliases"] += 1
            _tick(progress, cancel, len(infos), len(infos))
    finally:
        other.close()


def _check_scheme_maps(merger: _Merger, other: Project) -> None:
    """A project made under another scheme merges only when all its names map through our aliases."""
    ours, theirs = merger.project.scheme, other.scheme
    if theirs.version_hash == ours.version_hash:
        return
    missing = unmapped_names(scheme_usage(other), ours)
    if missing:
        raise AnnotatorError(
            f"{merger.path}: made under scheme {theirs.name!r} ({theirs.version_hash}), this project uses "
            f"{ours.name!r} ({ours.version_hash}); these do not map through its aliases: {', '.join(missing)}. "
            "Nothing was merged; add them (or aliases for them) with `annotator scheme apply`"
        )


def _merge_other_document(merger: _Merger, o: Session, other_doc: int, people: Mapping[int, _Who]) -> None:
    doc = docs.get_document(o, other_doc)
    info = doc.info
    doc_id = merger.document(
        sha256=info.sha256,
        ext_id=info.ext_id,
        title=info.title,
        text=doc.text,
        meta=info.meta,
        encoding=info.encoding,
        imported_at=info.imported_at,
    )
    assert doc_id is not None
    layers: dict[int, _Layer] = {}

    def layer(annotator_id: int) -> _Layer:
        return layers.setdefault(annotator_id, _Layer(people[annotator_id]))

    for sp in q.spans_for(o, other_doc):
        layer(sp.annotator_id).spans.append(
            _InSpan(
                str(sp.id),
                sp.label,
                sp.start,
                sp.end,
                None,
                dict(sp.attributes),
                sp.created_at,
                sp.updated_at,
            )
        )
    for rel in q.relations_for(o, other_doc):
        layer(rel.annotator_id).relations.append(
            (rel.type, str(rel.from_span), str(rel.to_span), rel.created_at, rel.updated_at)
        )
    for st in q.stances_for(o, other_doc):
        layer(st.annotator_id).stances.append(
            (
                st.target,
                st.value,
                None if st.span_id is None else str(st.span_id),
                st.created_at,
                st.updated_at,
            )
        )
    for status in q.statuses_of_doc(o, other_doc):
        layer(status.annotator_id).status = (
            status.status.value,
            status.seconds,
            status.note,
            status.updated_at,
        )
    for annotator_id in sorted(layers):
        merger.apply(doc_id, doc.text, layers[annotator_id], f"{merger.path.name}: document {info.ext_id!r}")


# -- annotation JSONL ---------------------------------------------------------------------------


class _LineError(Exception):
    pass


def _merge_jsonl_file(merger: _Merger, progress: Progress | None, cancel: Cancel | None) -> None:
    try:
        size = merger.path.stat().st_size
        with merger.path.open("r", encoding="utf-8-sig", newline="") as fh:
            lines = list(_lines(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotatorError(f"{merger.path}: cannot read annotation JSONL: {exc}") from exc
    if not any(line.strip() for _, line in lines):
        raise ValidationError(f"{merger.path}: file is empty; nothing to merge")
    done = 0
    for number, line in lines:
        done += len(line)
        _tick(progress, cancel, done, size)
        if not line.strip():
            continue
        where = f"{merger.path}:{number}"
        try:
            _merge_line(merger, json.loads(line), where)
        except json.JSONDecodeError as exc:
            merger.problems.append(f"{where}: not valid JSON ({exc.msg})")
        except _LineError as exc:
            merger.problems.append(f"{where}: {exc}")


def _lines(fh: Iterable[str]) -> Iterator[tuple[int, str]]:
    # With newline="" the file splits on "\r\n", "\n" and "\r" only, as an editor counts lines;
    # str.splitlines would also split inside JSON strings holding U+2028 and friends.
    for number, line in enumerate(fh, start=1):
        yield number, line.rstrip("\r\n")


def _merge_line(merger: _Merger, obj: Any, where: str) -> None:
    if not isinstance(obj, dict):
        raise _LineError("a line must be a JSON object")
    document, name, uid = obj.get("document"), obj.get("annotator"), obj.get("annotator_uid")
    if not isinstance(document, dict):
        raise _LineError("'document' must be an object")
    if not isinstance(name, str) or not name.strip():
        raise _LineError("'annotator' must be a non-empty string")
    if uid is not None and (not isinstance(uid, str) or not uid):
        raise _LineError("'annotator_uid' must be a non-empty string")
    doc_id, text = _line_document(merger, document)
    layer = _Layer(_Who(name.strip(), uid))
    now = utc_now()
    for raw in _list(obj, "spans"):
        key, times = _str(raw, "id"), _times(raw, now)
        attrs = raw.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise _LineError(f"span {key!r}: attributes must be an object")
        span_text, start, end = raw.get("text"), raw.get("start"), raw.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise _LineError(f"span {key!r}: offsets must be integers, got start={start!r} end={end!r}")
        layer.spans.append(
            _InSpan(
                key,
                _str(raw, "label"),
                start,
                end,
                span_text if isinstance(span_text, str) else None,
                attrs,
                *times,
            )
        )
    for raw in _list(obj, "relations"):
        layer.relations.append((_str(raw, "type"), _str(raw, "from"), _str(raw, "to"), *_times(raw, now)))
    for raw in _list(obj, "stances"):
        span = raw.get("span")
        if span is not None and not isinstance(span, str):
            raise _LineError(f"stance {raw.get('target')!r}: span must be a span id or null")
        layer.stances.append((_str(raw, "target"), _str(raw, "value"), span, *_times(raw, now)))
    layer.status = _line_status(obj)
    merger.apply(doc_id, text, layer, where)


def _line_document(merger: _Merger, document: dict[str, Any]) -> tuple[int, str]:
    given, ext_id, text = document.get("sha256"), document.get("id"), document.get("text")
    sha = given if isinstance(given, str) and given else None
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise _LineError("document text must be a non-empty string")
    if text is not None:
        actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha and sha != actual:
            raise _LineError(f"document sha256 {sha!r} does not match its text")
        sha = actual
    found = docs.find_document(merger.session, sha256=sha, ext_id=str(ext_id) if ext_id not in (None, "") else None)
    if found is not None and sha and found.sha256 != sha:
        raise _LineError(f"document {ext_id!r} has another text in this project")
    if found is None:
        if text is None or sha is None:
            raise _LineError(f"document {ext_id or given!r} is not in the project and the line has no text")
        title = document.get("title")
        new_id = merger.document(
            sha256=sha,
            ext_id=str(ext_id or sha[:16]),
            text=text,
            title=title if isinstance(title, str) else "",
            meta=document.get("meta") or {},
            encoding=None,
            imported_at=None,
        )
        assert new_id is not None
        return new_id, text
    return found.id, text if text is not None else docs.get_document(merger.session, found.id).text


def _line_status(obj: dict[str, Any]) -> tuple[str, float, str, str | None] | None:
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
    status, seconds = fields.get("status"), fields.get("seconds") or 0.0
    note, updated = fields.get("note") or "", fields.get("updated_at")
    if status not in {s.value for s in Status}:
        raise _LineError(f"status {status!r} is not one of {', '.join(s.value for s in Status)}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise _LineError(f"seconds must be a non-negative number, not {seconds!r}")
    if not isinstance(note, str) or (updated is not None and not isinstance(updated, str)):
        raise _LineError("status note and updated_at must be strings")
    return status, float(seconds), note, updated


def _list(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _LineError(f"{key!r} must be a list of objects")
    return value


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key in ("id", "from", "to"):
        return str(value)
    if not isinstance(value, str) or not value:
        raise _LineError(f"{key!r} is missing or not a string in {json.dumps(obj)[:80]}")
    return value


def _times(obj: dict[str, Any], now: str) -> tuple[str, str]:
    created, updated = obj.get("created_at") or now, obj.get("updated_at")
    if not isinstance(created, str) or (updated is not None and not isinstance(updated, str)):
        raise _LineError("created_at and updated_at must be strings")
    return created, updated or created

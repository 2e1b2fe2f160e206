"""Merging colleagues' work: another project file or an annotation JSONL, into this project.

This module owns the merge use-case: its entry points and its one transaction. A file is a project
when it has the SQLite signature (read by `store.other_project`), else an annotation JSONL (read
line by line by `model.annotation_jsonl`, the reader import uses too). Documents are matched by
sha256 (a JSONL line without text also by external id); `merge_rules` says how each incoming layer
joins. A different person under a name that exists here is never fused: the merge raises
`NameClashError` naming every clash, and `renames` ({their name: name here}) resolves it. Re-merging
changes nothing. One call is one transaction: any error (bad item, clash, cancel) leaves the project
as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from annotator.model.annotation_jsonl import LineError, check_line, parse_line
from annotator.model.errors import AnnotatorError, Cancelled, ValidationError
from annotator.model.scheme_usage import unmapped_names
from annotator.model.types import GOLD, DocumentInfo, is_gold_name
from annotator.services.merge_rules import MergeCounts, Merger, MergeReport, NameClashError
from annotator.services.project import Project
from annotator.services.schemes import usage as scheme_usage
from annotator.store import documents as docs
from annotator.store.engine import is_project_file, utc_now
from annotator.store.other_project import read_other_project

__all__ = ["MergeCounts", "MergeReport", "NameClashError", "merge_jsonl", "merge_paths", "merge_project"]

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


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
    """Merge each file (a project when it has the SQLite signature, else annotation JSONL).

    All files are one transaction: if any fails, none is kept.
    """
    if project.readonly:
        raise AnnotatorError(f"{project.path}: project is open read-only; cannot merge into it")
    renames = dict(renames or {})
    if any(is_gold_name(new) for new in renames.values()):
        raise AnnotatorError(f"{GOLD!r} is the adjudicated layer; rename a colleague to another name")
    reports: list[MergeReport] = []
    seen: set[str] = set()
    with project.write_session() as s:
        for path in map(Path, paths):
            merger = Merger(project, s, path, renames)
            if _is_project_file(path):
                _merge_project_file(merger, progress, cancel)
            else:
                _merge_jsonl_file(merger, progress, cancel)
            reports.append(merger.finish())
            seen.update(merger.used_keys)
        unused = sorted(set(renames) - seen)
        if unused:  # raised inside the transaction: a mistyped rename keeps nothing
            raise AnnotatorError(f"--rename names no annotator in the merged files: {', '.join(unused)}")
    return reports


def _is_project_file(path: Path) -> bool:
    try:
        return is_project_file(path)
    except OSError as exc:
        raise AnnotatorError(f"{path}: cannot read file to merge: {exc.strerror or exc}") from exc


def _tick(progress: Progress | None, cancel: Cancel | None, done: int, total: int) -> None:
    if cancel is not None and cancel():
        raise Cancelled("merge cancelled; nothing was merged")
    if progress is not None:
        progress(done, total)


def _merge_project_file(merger: Merger, progress: Progress | None, cancel: Cancel | None) -> None:
    if merger.path.resolve() == merger.project.path.resolve():
        raise AnnotatorError(f"{merger.path}: cannot merge a project into itself")
    _check_scheme_maps(merger)
    with read_other_project(merger.path) as other:
        for who in other.annotators_with_work():
            merger.annotator_id(who.name, who.uid)  # every clash is found before any row is read
        doc_ids = other.document_ids()
        for n, other_doc in enumerate(doc_ids):
            _tick(progress, cancel, n, len(doc_ids))
            incoming = other.document(other_doc)
            info = incoming.document.info
            doc_id = merger.add_document(info, incoming.document.text)
            where = f"{merger.path.name}: document {info.ext_id!r}"
            for layer in incoming.layers:
                merger.apply(doc_id, incoming.document.text, layer, where)
        here = docs.source_registry(merger.session)
        for alias, canonical in other.source_registry().items():
            merger.add_alias(alias, canonical, here)
        _tick(progress, cancel, len(doc_ids), len(doc_ids))


def _check_scheme_maps(merger: Merger) -> None:
    """A project made under another scheme merges only when all its names map through our aliases."""
    other = Project.open(merger.path, readonly=True)
    try:
        ours, theirs = merger.project.scheme, other.scheme
        if theirs.version_hash == ours.version_hash:
            return
        missing = unmapped_names(scheme_usage(other), ours)
    finally:
        other.close()
    if missing:
        raise AnnotatorError(
            f"{merger.path}: made under scheme {theirs.name!r} ({theirs.version_hash}), this project uses "
            f"{ours.name!r} ({ours.version_hash}); these do not map through its aliases: {', '.join(missing)}. "
            "Nothing was merged; add them (or aliases for them) with `annotator scheme apply`"
        )


def _merge_jsonl_file(merger: Merger, progress: Progress | None, cancel: Cancel | None) -> None:
    try:
        size = merger.path.stat().st_size
        with merger.path.open("r", encoding="utf-8-sig", newline="") as fh:
            # With newline="" the file splits on "\r\n", "\n" and "\r" only, as an editor counts lines;
            # str.splitlines would also split inside JSON strings holding U+2028 and friends.
            lines = [line.rstrip("\r\n") for line in fh]
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
        raise AnnotatorError(f"{merger.path}: neither a project file nor annotation JSONL ({reason})") from exc
    if not any(line.strip() for line in lines):
        raise ValidationError(f"{merger.path}: file is empty; nothing to merge")
    done, now = 0, utc_now()
    for number, line in enumerate(lines, start=1):
        done += len(line)
        _tick(progress, cancel, done, size)
        if not line.strip():
            continue
        where = f"{merger.path}:{number}"
        try:
            _merge_line(merger, line, now, where)
        except LineError as exc:
            merger.problems.append(f"{where}: {exc}")


def _merge_line(merger: Merger, raw: str, now: str, where: str) -> None:
    line = parse_line(raw, now)
    document = line.document
    sha256, ext_id = document.lookup()
    found = docs.find_document_with_text(merger.session, sha256=sha256, ext_id=ext_id)
    if found is not None:
        check_line(merger.project.scheme, line, found.text)
        merger.apply(found.id, found.text, line.layer, where)
        return
    if document.text is None or document.sha256 is None:
        raise LineError(document.missing_message())
    text = document.text
    check_line(merger.project.scheme, line, text)
    ext_id = document.ext_id or document.sha256[:16]
    info = DocumentInfo(0, ext_id, document.title or "", document.sha256, len(text), "", document.meta)
    merger.apply(merger.add_document(info, text), text, line.layer, where)

"""The agreement use-case: read every annotator's work from the project and report agreement.

This module owns turning the store into `model.agreement.AgreementInput`; the maths live in
`annotator.model` and the report is a typed `model.agreement_report.AgreementReport` (its
`to_json()` is what `--json` prints). An annotator's documents are
the ones where they have a span, a stance, or a status other than not_started, so a document
marked done with no spans counts as "nothing to mark" rather than as missing. Documents are keyed
by their external id in the report, annotators by name. The `gold` layer is left out unless it is
named or `include_gold` is set. Document lengths (`n_chars`) give unitizing alpha its continuum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from types import MappingProxyType
from typing import Any

from annotator.model.agreement import AgreementInput, AnnotatedStance, AnnotatorWork
from annotator.model.agreement_compare import agreement_overview, agreement_report, completed
from annotator.model.agreement_report import AgreementReport
from annotator.model.agreement_spans import AnnotatedRelation, AnnotatedSpan
from annotator.model.errors import AnnotatorError, Cancelled, NotFoundError
from annotator.model.gc_pause import cyclic_gc_paused
from annotator.model.types import Annotator
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import annotations as q
from annotator.store import documents as docs

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
_CHECK_EVERY = 5000  # rows between cancel checks


def agreement(
    project: Project,
    annotator_names: Sequence[str] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    include_gold: bool = False,
    intervals: bool = True,
) -> AgreementReport:
    """The agreement report over the named annotators (default: all but gold). With
    ``intervals=False`` alpha's bootstrap intervals are left pending for
    ``model.agreement_compare.with_intervals`` (the report window shows the figures first)."""
    with cyclic_gc_paused():
        with project.session() as s:
            people = _chosen(project, q.list_annotators(s), annotator_names, include_gold)
            data = _read(project, s, people, q.work_pairs(s, [a.id for a in people]), progress, cancel)
        return _report(data, progress, cancel, intervals)


def working_agreement(
    project: Project,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    include_gold: bool = False,
    intervals: bool = True,
    overview: bool = False,
) -> tuple[AgreementReport, list[str], list[str]]:
    """The report the report window shows, with the names of the annotators a default report covers
    split into those who worked on some document and those who did not (sorted): over the ones who
    worked when two or more did and someone did not (an annotator without work, typically the
    reviewer, would only add undefined pairs), else as :func:`agreement` with ``include_gold``. Reads
    the annotators and who worked once for both. With ``overview=True`` only the overview's sections
    are computed (``model.agreement_compare.agreement_overview``): :func:`complete_report` adds the
    rest."""
    with cyclic_gc_paused():
        with project.session() as s:
            everyone = _chosen(project, q.list_annotators(s), None, include_gold)
            pairs = q.work_pairs(s, [a.id for a in everyone])
            active, idle = _split_working(everyone, pairs)
            people = everyone
            if idle and len(active) >= 2:
                by_name = {a.name: a for a in everyone}
                people = [by_name[name] for name in active]  # (the idle have no pairs to leave out)
            data = _read(project, s, people, pairs, progress, cancel)
        if overview:
            report = agreement_overview(data, intervals=intervals)
            _step(progress, cancel, 4)
            return report, active, idle
        return _report(data, progress, cancel, intervals), active, idle


def complete_report(report: AgreementReport, cancel: Cancel | None = None) -> AgreementReport:
    """``report`` (from ``working_agreement(..., overview=True)``) with its pending sections computed
    (``model.agreement_compare.completed``), the collector paused as for the first part."""
    with cyclic_gc_paused():
        return completed(report, cancel)


def _read(
    project: Project,
    s: Session,
    people: list[Annotator],
    work: Iterable[tuple[int, int]],
    progress: Progress | None,
    cancel: Cancel | None,
) -> AgreementInput:
    """The report's input: ``people``'s work, ``work`` their (document id, annotator id) pairs with work."""
    ids = [a.id for a in people]
    name_of = {a.id: a.name for a in people}
    ext: dict[int, str] = {}
    lengths: dict[str, int] = {}
    for doc_id, ext_id, _, _, n_chars, *_ in docs.stream_document_rows(s):
        ext[doc_id] = ext_id
        lengths[ext_id] = n_chars
    _step(progress, cancel, 0)
    doc_sets: dict[int, set[str]] = defaultdict(set)
    for doc_id, annotator_id in work:
        doc_sets[annotator_id].add(ext[doc_id])
    _step(progress, cancel, 1)
    spans: dict[int, list[AnnotatedSpan]] = defaultdict(list)
    # review_spans gives spans with equal attributes one shared dict: one read-only copy of each
    # (kept beside the dict, so that its id cannot be reused by another while this runs).
    views: dict[int, tuple[Any, MappingProxyType[str, str]]] = {}
    for sid, doc_id, annotator_id, label, start, end, attrs, pieces in _checked(q.review_spans(s, ids), cancel):
        if pieces:
            fragments = tuple((a, b) for a, b in pieces)
            made = AnnotatedSpan(str(sid), ext[doc_id], start, end, label, attrs or {}, fragments)
        else:
            known = views.get(id(attrs))
            if known is None:
                known = views[id(attrs)] = (attrs, MappingProxyType(dict(attrs or {})))
            made = AnnotatedSpan.one_piece(str(sid), ext[doc_id], start, end, label, known[1])
        spans[annotator_id].append(made)
    _step(progress, cancel, 2)
    relations: dict[int, list[AnnotatedRelation]] = defaultdict(list)
    for _, _, annotator_id, rtype, head, tail in _checked(q.review_relations(s, ids), cancel):
        relations[annotator_id].append(AnnotatedRelation.checked(str(head), str(tail), rtype))
    _step(progress, cancel, 3)
    # The store does not forbid two rows for one (document, target, claim); the newest wins.
    stances: dict[int, dict[tuple[str, str, str | None], AnnotatedStance]] = defaultdict(dict)
    for _, doc_id, annotator_id, target, value, span_id in _checked(q.review_stances(s, ids), cancel):
        span = None if span_id is None else str(span_id)
        stances[annotator_id][(ext[doc_id], target, span)] = AnnotatedStance.checked(ext[doc_id], target, value, span)
    try:
        works = tuple(
            AnnotatorWork(
                name_of[i],
                frozenset(doc_sets[i]),
                tuple(spans[i]),
                tuple(relations[i]),
                tuple(stances[i].values()),
            )
            for i in ids
        )
    except ValueError as exc:
        raise AnnotatorError(f"{project.path}: cannot compute agreement: {exc}") from exc
    scheme = project.scheme
    scales = {lab.name: {a.name: a.values for a in lab.attributes if a.kind == "choice"} for lab in scheme.labels}
    return AgreementInput(works, scheme.label_names, scheme.target_names, lengths, scheme.stance_values, scales)


def _report(data: AgreementInput, progress: Progress | None, cancel: Cancel | None, intervals: bool) -> AgreementReport:
    report = agreement_report(data, intervals=intervals)
    _step(progress, cancel, 4)
    return report


def _split_working(people: list[Annotator], work: Iterable[tuple[int, int]]) -> tuple[list[str], list[str]]:
    working = {annotator_id for _, annotator_id in work}
    return sorted(a.name for a in people if a.id in working), sorted(a.name for a in people if a.id not in working)


def _chosen(
    project: Project, everyone: list[Annotator], names: Sequence[str] | None, include_gold: bool
) -> list[Annotator]:
    if names is None:
        return [a for a in everyone if include_gold or not a.is_gold]
    by_name = {a.name: a for a in everyone}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFoundError(
            f"{project.path}: no annotator called {', '.join(map(repr, missing))} "
            f"(known: {', '.join(sorted(by_name)) or 'none'})"
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def _step(progress: Progress | None, cancel: Cancel | None, done: int) -> None:
    if cancel is not None and cancel():
        raise Cancelled("agreement cancelled")
    if progress is not None:
        progress(done, 4)


def _checked(rows: Iterable[tuple[Any, ...]], cancel: Cancel | None) -> Iterable[tuple[Any, ...]]:
    """``rows``, asking ``cancel()`` before each batch of them (without it, ``rows`` as they are:
    the report reads tens of thousands of rows and a generator step per row adds up)."""
    return rows if cancel is None else _batches_checked(iter(rows), cancel)


def _batches_checked(rows: Iterator[tuple[Any, ...]], cancel: Cancel) -> Iterator[tuple[Any, ...]]:
    while batch := list(islice(rows, _CHECK_EVERY)):
        if cancel():
            raise Cancelled("agreement cancelled")
        yield from batch

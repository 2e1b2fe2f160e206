"""Plumbing shared by the exporters: the stream of annotation layers, look-up maps, staged output.

A *layer* is what one annotator did on one document: its spans, relations, stances and status.
`iter_layers` merges four ordered row streams (spans, relations, stances, statuses, each sorted by
document then annotator) into layers, so an exporter holds one layer at a time whatever the project
size. Output is staged by `staged_files.StagedFiles`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.model.errors import Cancelled
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import streams as q

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
Row = tuple[Any, ...]

_BY_LAYER = itemgetter(1, 2)


@dataclass
class Layer:
    """One annotator's work on one document, as plain rows from the `store.streams.stream_*`."""

    doc_id: int
    annotator_id: int
    spans: list[Row]
    relations: list[Row]
    stances: list[Row]
    status: Row | None


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: the files, and the rows (or lines) written per file."""

    paths: tuple[Path, ...]
    rows: Mapping[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        where = self.paths[0].parent if len(self.paths) > 1 else (self.paths[0] if self.paths else "")
        return f"Exported {counts} to {where}"


def iter_layers(session: Session, annotator_id: int | None = None) -> Iterator[Layer]:
    """Layers in (document id, annotator id) order; a layer exists when any of its rows does."""
    streams = [
        _grouped(q.stream_spans(session, annotator_id)),
        _grouped(q.stream_relations(session, annotator_id)),
        _grouped(q.stream_stances(session, annotator_id)),
        _grouped(q.stream_statuses(session, annotator_id)),
    ]
    heads = [next(s, None) for s in streams]
    empty: list[Row] = []
    while True:
        keys = [h[0] for h in heads if h is not None]
        if not keys:
            return
        key = min(keys)
        parts: list[list[Row]] = []
        for i, head in enumerate(heads):
            if head is not None and head[0] == key:
                parts.append(head[1])
                heads[i] = next(streams[i], None)
            else:
                parts.append(empty)
        yield Layer(key[0], key[1], parts[0], parts[1], parts[2], parts[3][0] if parts[3] else None)


def _grouped(rows: Iterable[Row]) -> Iterator[tuple[tuple[int, int], list[Row]]]:
    for key, group in itertools.groupby(rows, key=_BY_LAYER):
        yield key, list(group)


def resolve_annotator(project: Project, name: str | None) -> int | None:
    """The id of the annotator layer to export (None: all). An unknown name is an error."""
    if name is None:
        return None
    return project.annotator(name, create=False).id


class Ticker:
    """Counts work done; every `every` units reports progress and honours a cancel request."""

    def __init__(self, total: int, progress: Progress | None, cancel: Cancel | None, every: int = 10000) -> None:
        self.done = 0
        self.total = total
        self._progress = progress
        self._cancel = cancel
        self._every = every
        self._next = every

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done >= self._next:
            self._next = self.done + self._every
            self.check()

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise Cancelled("export cancelled; nothing was written")
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)

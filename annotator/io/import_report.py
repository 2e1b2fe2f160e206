"""What an import did: the report returned to callers, and the per-file tally it is built from.

A file's tally is merged into the report only once the file's transaction has committed, so a file
rejected or cancelled part-way contributes nothing but its rejection. The progress/cancel ticker
also lives here, shared by every reader loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from annotator.model.errors import Cancelled

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class Rejection:
    """A rejected file (line None) or record. str() is "FILE:LINE: reason" (or "FILE: reason")."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Duplicate:
    """A record whose text (or annotation layer) the project already held; `ext_id` names it."""

    file: str
    line: int | None
    ext_id: str


@dataclass(frozen=True)
class Skipped:
    """A folder entry that was not taken (not a .txt, .csv or .jsonl file)."""

    path: str
    reason: str


@dataclass
class AnnotationCounts:
    spans: int = 0
    relations: int = 0
    stances: int = 0

    def add(self, other: AnnotationCounts) -> None:
        self.spans += other.spans
        self.relations += other.relations
        self.stances += other.stances

    def total(self) -> int:
        return self.spans + self.relations + self.stances


@dataclass
class FileTally:
    """One file's outcome, kept apart until the file commits."""

    path: str
    whole_file_rejected: bool = False
    documents_added: int = 0
    annotations: AnnotationCounts = field(default_factory=AnnotationCounts)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def reject(self, line: int | None, reason: str) -> None:
        self.rejected.append(Rejection(self.path, line, reason))

    def duplicate(self, line: int | None, ext_id: str) -> None:
        self.duplicates.append(Duplicate(self.path, line, ext_id))


@dataclass
class ImportReport:
    documents_added: int = 0
    annotations_added: AnnotationCounts = field(default_factory=AnnotationCounts)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files_read: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was rejected (skipped folder entries and duplicates are fine)."""
        return not self.rejected

    def merge(self, tally: FileTally) -> None:
        self.files_read += 0 if tally.whole_file_rejected else 1
        self.documents_added += tally.documents_added
        self.annotations_added.add(tally.annotations)
        self.duplicates.extend(tally.duplicates)
        self.rejected.extend(tally.rejected)

    def summary(self) -> str:
        """A few human lines: what came in, what was a duplicate, skipped and rejected.

        The text is shown both by the CLI (which lists the rejections on stderr) and by the GUI's
        import dialog (which lists them under Show Details), so it does not say where the list is.
        """
        n_dup, ann = len(self.duplicates), self.annotations_added
        files = _count(self.files_read, "file")
        dups = f"{_count(n_dup, 'duplicate')} skipped"
        if self.documents_added or ann.total():
            lines = [f"Imported {_count(self.documents_added, 'document')} from {files}; {dups}"]
            if ann.total():
                lines.append(
                    f"Imported annotations: {_count(ann.spans, 'span')}, "
                    f"{_count(ann.relations, 'relation')}, {_count(ann.stances, 'stance')}"
                )
        elif n_dup:
            lines = [f"Nothing new: {dups}"]
        else:
            lines = [f"Nothing imported from {files}"]
        lines += [f"Skipped {s.path}: {s.reason}" for s in self.skipped]
        if self.rejected:
            n_rej = len(self.rejected)
            lines.append(f"Rejected {_count(n_rej, 'file')} or record{'' if n_rej == 1 else 's'}")
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    """ "1 span", "2 spans", "0 spans"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Ticker:
    """Calls `progress(done, total)` and polls `cancel()` every `every` records (and at file ends)."""

    def __init__(self, progress: ProgressFn | None, cancel: CancelFn | None, total: int, every: int = 1000) -> None:
        self.progress, self.cancel, self.total, self.every = progress, cancel, total, every
        self.done = 0
        self._file_base = 0
        self._count = 0

    def start_file(self) -> None:
        self._file_base = self.done
        self.check()

    def advance(self, amount: int) -> None:
        """Count `amount` units (decoded characters, close to bytes) of the current file."""
        self.done += amount
        self._count += 1
        if self._count >= self.every:
            self._count = 0
            self.check()

    def end_file(self, size: int) -> None:
        self.done = self._file_base + size
        self.check()

    def check(self) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled("import cancelled; the file being read was not imported")
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

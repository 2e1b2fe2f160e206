"""The loop every other tool's importer shares: read a file into annotation-JSONL records, store them.

doccano, Label Studio and INCEpTION XMI files are each turned into annotation-JSONL records (one
`(line number, JSON text)` pair per record) by their own reader; from there on they are imported
exactly as `annotator import` imports annotation JSONL: one transaction per file, its rejections
named FILE:LINE, duplicates and counts in the file's tally. A reader that cannot read a file at all
raises `FileRejected`, and the file is reported as rejected whole, with nothing of it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from annotator.io.annotation_jsonl import AnnotationImporter
from annotator.io.import_report import CancelFn, FileTally, ImportReport, ProgressFn, Ticker
from annotator.services.project import Project
from annotator.store.engine import utc_now

Records = list[tuple[int, str]]
Reader = Callable[[Path, FileTally], Records]


class FileRejected(Exception):
    """The whole file is unreadable as the format: `reason`, at `line` when one is known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def import_record_files(
    project: Project,
    files: Sequence[Path],
    read: Reader,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    """Import each file of `files` through `read`; a reader may add line rejections to the tally."""
    report = ImportReport()
    ticker = Ticker(progress, cancel, len(files))
    for path in files:
        ticker.start_file()
        tally = FileTally(str(path))
        try:
            records = read(path, tally)
        except FileRejected as exc:
            tally.whole_file_rejected = True
            tally.reject(exc.line, exc.reason)
        else:
            store_records(project, path, records, tally, ticker)
        report.merge(tally)
        ticker.end_file(1)
    return report


def store_records(project: Project, path: Path, records: Records, tally: FileTally, ticker: Ticker) -> None:
    """Store one file's records in one transaction; the reader's rejections and the store's, in line order."""
    read_rejections, tally.rejected = tally.rejected, []
    with project.session() as session:
        AnnotationImporter(project, session, path, "utf-8", tally, ticker, utc_now()).run(records)
    tally.rejected = sorted(read_rejections + tally.rejected, key=lambda r: r.line or 0)

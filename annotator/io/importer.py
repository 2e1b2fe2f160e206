"""`import_paths`: the entry point for every import. Resolves paths (walking folders), picks each
file's format, and imports each file in one transaction of the project.

A folder is walked recursively in sorted order, following links to folders once (loops are cut);
it takes .txt, .csv and .jsonl files and lists what else it saw as skipped. Entries that are not
regular files (FIFOs, sockets, broken or looping links) are rejected by name without being opened,
so nothing blocks. Documents are de-duplicated by the sha256 of their UTF-8 text, against the project
and within the file, and inserted in batches with Core executemany after one existence check per
batch. An unexpected error or a cancel part-way rolls the file's transaction back: a file is in
whole or not at all; files before it stay imported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from annotator.io import readers
from annotator.io.annotation_jsonl import AnnotationImporter
from annotator.io.encoding import UNDECODABLE, EncodingError, FileProblem, candidates, open_lines
from annotator.io.import_report import (
    CancelFn,
    FileTally,
    ImportReport,
    ProgressFn,
    Rejection,
    Skipped,
    Ticker,
)
from annotator.io.readers import Article, BadRecord, FileRejected, Record
from annotator.model.errors import StorageError
from annotator.model.json_line import parse_json_line
from annotator.model.types import NewDocument, text_sha256
from annotator.services.project import Project
from annotator.store import Session
from annotator.store import documents as docs
from annotator.store.engine import utc_now

FORMATS = ("txt", "csv", "jsonl")
SUFFIXES = {".txt": "txt", ".csv": "csv", ".jsonl": "jsonl"}
BATCH = 1000

PlanItem = tuple[Path, str, int]
"""A file to read: its path, format and size."""


@dataclass(frozen=True)
class CsvOptions:
    text_column: str = "text"
    id_column: str | None = None
    title_column: str | None = None


def import_paths(
    project: Project,
    paths: Sequence[str | os.PathLike[str]],
    *,
    fmt: str = "auto",
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    """Import files and folders into `project`. Raises Cancelled when `cancel()` turns true (the file
    being read is rolled back; earlier files stay), and lets unexpected errors through after rolling
    back the file they hit. Everything the user should fix is in the report instead."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"unknown import format {fmt!r}")
    report = ImportReport()
    plan = list(_plan(paths, fmt, report))
    ticker = Ticker(progress, cancel, sum(size for _, _, size in plan))
    options = CsvOptions(text_column, id_column, title_column)
    for number, (path, kind, size) in enumerate(plan):
        ticker.start_file()
        try:
            report.merge(_import_file(project, path, kind, options, ticker))
        except StorageError as exc:
            # The project, not the file, failed (disk full, read-only, busy): this file was rolled
            # back and the ones after it would fail the same way. Earlier files stay imported and
            # the report says which files did not go in.
            stopped = FileTally(str(path), whole_file_rejected=True)
            stopped.reject(None, f"not imported: {exc}")
            for later, _, _ in plan[number + 1 :]:
                stopped.rejected.append(Rejection(str(later), None, "not imported: stopped after the error above"))
            report.merge(stopped)
            break
        ticker.end_file(size)
    return report


# -- choosing files ------------------------------------------------------------------------------


def _plan(paths: Sequence[str | os.PathLike[str]], fmt: str, report: ImportReport) -> Iterator[PlanItem]:
    """(path, format, size) for every file to read; rejections and skips go to the report."""
    for given in paths:
        path = Path(given)
        info = _stat(path, report)
        if info is None:
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, fmt, report, {(info.st_dev, info.st_ino)})
        elif not stat.S_ISREG(info.st_mode):
            report.rejected.append(Rejection(str(path), None, f"not a regular file ({_kind(info.st_mode)})"))
        else:
            kind = fmt if fmt != "auto" else SUFFIXES.get(path.suffix.lower())
            if kind is None:
                report.rejected.append(
                    Rejection(
                        str(path),
                        None,
                        "unknown file type (expected .txt, .csv or .jsonl; or choose one with --format)",
                    )
                )
            else:
                yield path, kind, info.st_size


def _walk(folder: Path, fmt: str, report: ImportReport, seen: set[tuple[int, int]]) -> Iterator[PlanItem]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report.rejected.append(Rejection(str(folder), None, f"cannot list folder ({exc.strerror or exc})"))
        return
    for entry in entries:
        path = Path(entry.path)
        info = _stat(path, report)
        if info is None:
            continue
        if stat.S_ISDIR(info.st_mode):
            if (info.st_dev, info.st_ino) in seen:
                report.skipped.append(Skipped(str(path), "link to a folder already read (loop)"))
                continue
            seen.add((info.st_dev, info.st_ino))
            yield from _walk(path, fmt, report, seen)
            continue
        kind = SUFFIXES.get(path.suffix.lower())
        if not stat.S_ISREG(info.st_mode):
            report.rejected.append(Rejection(str(path), None, f"not a regular file ({_kind(info.st_mode)})"))
        elif kind is None or (fmt != "auto" and kind != fmt):
            report.skipped.append(
                Skipped(str(path), "not a .txt, .csv or .jsonl file" if kind is None else f"not a {fmt} file")
            )
        else:
            yield path, kind, info.st_size


def _stat(path: Path, report: ImportReport) -> os.stat_result | None:
    """stat() following links, without opening anything (a FIFO would block an open())."""
    try:
        return path.stat()
    except FileNotFoundError:
        reason = "broken link" if path.is_symlink() else "no such file or folder"
    except OSError as exc:
        reason = "looping link" if exc.errno == 40 else f"cannot read ({exc.strerror or exc})"
    report.rejected.append(Rejection(str(path), None, reason))
    return None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


# -- one file ------------------------------------------------------------------------------------


def _import_file(project: Project, path: Path, kind: str, options: CsvOptions, ticker: Ticker) -> FileTally:
    """Import one file in one transaction; a rejected file yields a tally holding only its rejection."""
    tally = FileTally(str(path))
    try:
        if kind == "txt":
            article, encoding = readers.read_txt(path, path.read_bytes())
            with project.write_session() as session:
                _ArticleWriter(session, path, encoding, tally).write([article])
            return tally
        for encoding in candidates(path):
            tally = FileTally(str(path))
            try:
                with project.write_session() as session:
                    _read_stream(project, session, path, kind, encoding, options, tally, ticker)
                return tally
            except UnicodeDecodeError:
                continue
        raise EncodingError(path, UNDECODABLE)
    except FileProblem as exc:
        tally = FileTally(str(path), whole_file_rejected=True)
        tally.reject(exc.line, exc.reason)
    except OSError as exc:
        tally = FileTally(str(path), whole_file_rejected=True)
        tally.reject(None, f"cannot read ({exc.strerror or exc})")
    return tally


def _read_stream(
    project: Project,
    session: Session,
    path: Path,
    kind: str,
    encoding: str,
    options: CsvOptions,
    tally: FileTally,
    ticker: Ticker,
) -> None:
    lines = open_lines(path, encoding)
    if kind == "csv":
        records = readers.read_csv(
            lines, path, text_column=options.text_column, id_column=options.id_column, title_column=options.title_column
        )
        _ArticleWriter(session, path, encoding, tally).write(records, ticker)
        return
    numbered = readers.jsonl_lines(lines, path)
    first = next(numbered, None)
    if first is None:
        raise FileRejected(path, "empty file (no records)")
    obj, _ = parse_json_line(first[1])
    rest = _chain(first, numbered)
    if readers.is_annotation_record(obj):
        AnnotationImporter(project, session, path, encoding, tally, ticker, utc_now()).run(rest)
    else:
        _ArticleWriter(session, path, encoding, tally).write(readers.read_article_jsonl(rest), ticker)


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


class _ArticleWriter:
    """Batches articles into documents rows: hash, de-duplicate, make ids unique, bulk insert."""

    def __init__(self, session: Session, path: Path, encoding: str, tally: FileTally) -> None:
        self.session, self.path, self.encoding, self.tally = session, path, encoding, tally
        self.now = utc_now()
        self.source = str(path)
        self.stem = path.stem
        self.shas: set[str] = set()
        self.ids: set[str] = set()
        self.pending: list[tuple[Article, str]] = []
        self.ticker: Ticker | None = None

    def write(self, records: Iterable[Record], ticker: Ticker | None = None) -> None:
        self.ticker = ticker
        for record in records:
            if ticker is not None:
                ticker.advance(len(record.text) if isinstance(record, Article) else 1)
            if isinstance(record, BadRecord):
                self.tally.reject(record.line, record.reason)
                continue
            sha = text_sha256(record.text)
            if sha in self.shas:
                self.tally.duplicate(record.line, record.ext_id or self._default_id(record))
                continue
            self.shas.add(sha)
            self.pending.append((record, sha))
            if len(self.pending) >= BATCH:
                self.flush()
        self.flush()

    def _default_id(self, article: Article) -> str:
        return self.stem if article.line is None else f"{self.stem}-{article.line}"

    def flush(self) -> None:
        if not self.pending:
            return
        if self.ticker is not None:
            self.ticker.check()
        batch, self.pending = self.pending, []
        wanted = [a.ext_id or self._default_id(a) for a, _ in batch]
        found_sha, found_ids = docs.existing_keys(self.session, [sha for _, sha in batch], wanted)
        rows: list[NewDocument] = []
        renamed: list[int] = []
        for (article, sha), ext_id in zip(batch, wanted, strict=True):
            if sha in found_sha:
                self.tally.duplicate(article.line, ext_id)
                continue
            if ext_id in found_ids or ext_id in self.ids:
                # Same id, different text: keep both, telling them apart by the text's hash.
                ext_id = f"{ext_id}_{sha[:8]}"
                renamed.append(len(rows))
            self.ids.add(ext_id)
            rows.append(
                NewDocument(
                    ext_id, sha, article.title or "", article.text, article.meta, self.encoding, self.source, self.now
                )
            )
        if renamed:
            _, clash = docs.existing_keys(self.session, [], [rows[i].ext_id for i in renamed])
            for i in renamed:
                if rows[i].ext_id in clash:
                    rows[i] = replace(rows[i], ext_id=f"{rows[i].ext_id[:-8]}{rows[i].sha256}")
        docs.insert_documents_fast(self.session, rows)
        self.tally.documents_added += len(rows)

"""CSV export: the tidy tables of PRODUCT.md (documents, spans, relations, stances, claims).

Every table is UTF-8 with a header row, written by `csv.writer` with QUOTE_MINIMAL and "\\r\\n" line
ends, so a cell holding CR or LF is quoted, and a row holding any other character some reader takes
for a line break (\\x0b, \\x0c, \\x1c-\\x1e, \\x85, \\u2028, \\u2029) has all its text cells quoted: every
reader gets one row per item. Ids join across tables: `doc_id` is the document's external id,
`span_id`/`claim_id` the span's integer id. Text cells from users are neutralised (`csv_safety`).
Columns that depend on the scheme are derived from it: one spans.csv column per attribute; in
claims.csv a "claim" is a span whose label is the `from` of a relation type, its own attributes keep
their names, the linked span's columns are
`<to label>_text` then its attributes prefixed `<to label>_` (free-text attributes before choice
attributes, each in scheme order), then one column per stance target with the claim's own stance.
The tables are written by `export_csv_tables.TableWriter`, one streamed query each; the project's
scheme (scheme.toml) and its guidelines (guidelines.md) are written beside them. On a big
read-only project a helper process writes stances.csv and claims.csv while this one writes the rest,
so the export uses both cores; every file appears only when all of them are complete.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

from annotator.io.export_csv_tables import TableWriter
from annotator.io.export_layers import Cancel, ExportReport, Progress, Ticker, resolve_annotator
from annotator.io.staged_files import StagedFiles
from annotator.model.errors import AnnotatorError, Cancelled
from annotator.model.scheme import parse_scheme
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q
from annotator.store.snapshots import Shared, reading, shared_reading

PARALLEL_MIN_ROWS = 200_000
"""Above this many annotation rows a read-only project's export uses a helper process."""
HELPER_TABLES = ("stances.csv", "claims.csv")
"""What the helper process writes; the rest (documents, spans, relations) is about as much work."""


def export_csv(
    project: Project,
    out_dir: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the five tables into `out_dir` (created if needed); `annotator` limits to one layer."""
    annotator_id = resolve_annotator(project, annotator)
    with shared_reading(project.store) as (s, shared), StagedFiles(Path(out_dir)) as staged:
        counts = q.layer_counts(s, annotator_id)
        total = docs.count_documents(s) + counts["spans"] + counts["relations"] + counts["stances"]
        ticker = Ticker(total, progress, cancel)
        ticker.check()
        # Only a read-only project is split across two processes (a writable one is being worked on
        # in this process). The helper reads the same moment as this process (store.snapshots); on a
        # file where someone committed before the helper's reading began, this process writes the
        # helper's tables itself after all.
        parallel = project.readonly and sum(counts.values()) >= PARALLEL_MIN_ROWS
        helper = _Helper.start(project, annotator_id, staged, shared.token) if parallel else None
        try:
            writer = TableWriter(project.scheme, s, annotator_id, ticker)
            rows = {}
            for table in TableWriter.TABLES:
                if helper is not None and table in HELPER_TABLES:
                    if helper.check_moment(shared):
                        continue  # the helper writes it
                    helper.stop()
                    helper = None
                rows[table.removesuffix(".csv")] = writer.write(table, staged.open(table))
            if helper is not None:
                rows.update(helper.wait(ticker))
                helper = None
        finally:
            if helper is not None:
                helper.stop()
        _write_scheme(project, staged)
        ticker.done = ticker.total
        ticker.check()
        paths = staged.commit()
    order = [t.removesuffix(".csv") for t in TableWriter.TABLES]
    return ExportReport(paths, {name: rows[name] for name in order})


def _write_scheme(project: Project, staged: StagedFiles) -> None:
    """The scheme the tables were made under, and its guidelines, go with them."""
    from annotator.services.schemes import current_toml

    staged.open("scheme.toml").write(current_toml(project))
    if project.scheme.guidelines.strip():
        staged.open("guidelines.md").write(project.scheme.guidelines.strip() + "\n")


class _Helper:
    """A process writing HELPER_TABLES to reserved temporary paths while this one writes the rest."""

    def __init__(self, process: multiprocessing.process.BaseProcess, results: Connection) -> None:
        self.process = process
        self.results = results
        self.same_moment: bool | None = None  # known once the helper's reading has begun

    @classmethod
    def start(cls, project: Project, annotator_id: int | None, staged: StagedFiles, moment: str) -> _Helper:
        # "spawn": a fresh interpreter, safe whatever threads (Qt, SQLite) this process runs.
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        targets = {table: str(staged.reserve(table)) for table in HELPER_TABLES}
        process = context.Process(
            target=_helper_main,
            name="annotator-export",
            daemon=True,
            args=(project.store.location, project.scheme.source_text, annotator_id, targets, moment, send),
        )
        process.start()
        send.close()
        return cls(process, receive)

    def check_moment(self, shared: Shared) -> bool:
        """Whether the helper reads this process's moment (waits until its reading has begun)."""
        if self.same_moment is None:
            message = self._next()
            if message != BEGAN:
                raise AnnotatorError(f"export failed: {message}")
            self.same_moment = shared.same_moment()
        return self.same_moment

    def wait(self, ticker: Ticker) -> dict[str, int]:
        while not self.results.poll(0.1):
            ticker.check()
            if not self.process.is_alive() and not self.results.poll():
                raise AnnotatorError(f"export helper process died (exit code {self.process.exitcode})")
        outcome = self._next()
        self.process.join()
        if isinstance(outcome, str):
            raise AnnotatorError(f"export failed: {outcome}")
        return outcome

    def _next(self) -> dict[str, int] | str:
        try:
            message: dict[str, int] | str = self.results.recv()
        except EOFError:
            self.process.join()
            raise AnnotatorError(f"export helper process died (exit code {self.process.exitcode})") from None
        return message

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


BEGAN = "began"
"""The helper's first message: its reading has begun (the moment it reads is fixed)."""


def _helper_main(
    location: str,
    scheme_text: str,
    annotator_id: int | None,
    targets: dict[str, str],
    moment: str,
    results: Connection,
) -> None:
    """Entry point of the helper process: write the given tables, send back row counts or an error."""
    try:
        project = Project.open(location, readonly=True)
        try:
            scheme = parse_scheme(scheme_text, origin=f"{location} (scheme)")
            with reading(project.store, joining=moment) as s:
                results.send(BEGAN)
                writer = TableWriter(scheme, s, annotator_id, Ticker(0, None, None))
                rows = {}
                for table, target in targets.items():
                    with open(target, "w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
                        rows[table.removesuffix(".csv")] = writer.write(table, handle)
        finally:
            project.close()
        results.send(rows)
    except Cancelled:
        results.send("cancelled")
    except Exception as exc:  # reported to the parent, which raises it as an export error
        results.send(f"{type(exc).__name__}: {exc}")
    finally:
        results.close()

"""Excel workbook export (`--format xlsx`): the CSV tables as one sheet each, in one .xlsx file.

The sheets are the tables of `export_csv` with the same columns and rows (documents, spans,
relations, stances, claims, comments). Every text cell is stored as a string (so `007` stays `007`,
and text starting with `=` is text, never a formula; no `'` guard is added as in CSV); ids, offsets
and counts are numbers. The header row is frozen, filters are on, and column widths follow the
content of the first rows. Written by xlsxwriter in constant-memory mode: each table is first written
as a CSV into a temporary folder by the same `TableWriter`, then streamed row by row into its sheet,
so memory stays flat whatever the project size. The workbook appears only when it is complete.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import xlsxwriter

from annotator.io.csv_safety import UNGUARDED
from annotator.io.export_csv_tables import TableWriter
from annotator.io.export_layers import Cancel, ExportReport, Progress, Ticker, resolve_annotator
from annotator.io.staged_files import StagedFiles
from annotator.model.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store import documents as docs
from annotator.store import streams as q

NUMBER_COLUMNS = frozenset(
    {
        "n_chars",
        "span_id",
        "start",
        "end",
        "relation_id",
        "from_span_id",
        "to_span_id",
        "claim_id",
        "comment_id",
        "seconds",
    }
)
"""Columns the exporter fills with its own integers (ids, offsets, counts): stored as numbers."""
MAX_ROWS = 1_048_576
"""Excel's row limit per sheet (header included)."""
MAX_CELL = 32_767
"""Excel's limit on the characters in one cell."""
WIDTH_SAMPLE = 500
MIN_WIDTH, MAX_WIDTH = 6, 60


def export_xlsx(
    project: Project,
    out_path: Path,
    *,
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportReport:
    """Write the workbook to `out_path`; `annotator` limits it to that layer."""
    out_path = Path(out_path)
    annotator_id = resolve_annotator(project, annotator)
    rows: dict[str, int] = {}
    with (
        project.reading() as s,
        StagedFiles(out_path.parent) as staged,
        tempfile.TemporaryDirectory(prefix="annotator-xlsx-") as tmp,
    ):
        counts = q.layer_counts(s, annotator_id)
        total = docs.count_documents(s) + counts["spans"] + counts["relations"] + counts["stances"]
        ticker = Ticker(total, progress, cancel)
        ticker.check()
        target = staged.reserve(out_path.name)
        workbook = xlsxwriter.Workbook(
            str(target), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        try:
            header_format = workbook.add_format({"bold": True, "bottom": 1})
            writer = TableWriter(project.scheme, s, annotator_id, ticker, guard=UNGUARDED)
            for table in TableWriter.TABLES:
                name = table.removesuffix(".csv")
                staged_csv = Path(tmp) / table
                with staged_csv.open("w", encoding="utf-8", newline="") as handle:
                    writer.write(table, handle)
                numbers = NUMBER_COLUMNS | writer.relation_cells.role_columns if name == "relations" else NUMBER_COLUMNS
                rows[name] = _sheet(workbook, name, staged_csv, header_format, numbers)
                staged_csv.unlink()
                ticker.check()
        finally:
            workbook.close()
        ticker.done = ticker.total
        ticker.check()
        paths = staged.commit()
    return ExportReport(paths, rows)


def _read(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def _sheet(
    workbook: xlsxwriter.Workbook, name: str, source: Path, header_format: object, number_columns: frozenset[str]
) -> int:
    """Stream one table's CSV into a new sheet; returns the data rows written."""
    sheet = workbook.add_worksheet(name)
    rows = _read(source)
    header = next(rows)
    head = list(itertools.islice(rows, WIDTH_SAMPLE))
    numeric = [column in number_columns for column in header]
    for col, title in enumerate(header):
        longest = max([len(title) + 2, *(len(row[col]) for row in head)])
        sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, longest + 1)))
    sheet.write_row(0, 0, header, header_format)
    sheet.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(itertools.chain(head, rows), start=1):
        if n >= MAX_ROWS:
            raise AnnotatorError(
                f"the {name} table has more rows than an Excel sheet holds ({MAX_ROWS - 1:,}); export csv instead"
            )
        for col, cell in enumerate(row):
            if numeric[col] and cell.isdigit():
                sheet.write_number(n, col, int(cell))
            elif cell:
                sheet.write_string(n, col, cell[:MAX_CELL])
    sheet.autofilter(0, 0, max(n, 1), max(len(header) - 1, 0))
    return n

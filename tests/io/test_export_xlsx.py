"""Excel export: one sheet per CSV table with the same rows, text kept as text, header frozen, filters."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from annotator import cli
from annotator.io.csv_safety import neutralise
from annotator.io.export_csv import export_csv
from annotator.io.export_xlsx import export_xlsx
from annotator.services.project import Project
from tests.io.test_export_csv import TABLES, add_document, seed


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def workbook(project: Project, tmp_path: Path) -> tuple[openpyxl.Workbook, Path]:
    seed(project)
    add_document(project, "007", "Leading zeros stay.", "007", code="0012")
    export_xlsx(project, tmp_path / "out.xlsx")
    export_csv(project, tmp_path / "tables")
    return openpyxl.load_workbook(tmp_path / "out.xlsx"), tmp_path / "tables"


def test_one_sheet_per_table_with_the_csv_rows(workbook: tuple[openpyxl.Workbook, Path]) -> None:
    book, tables = workbook
    assert book.sheetnames == [t.removesuffix(".csv") for t in TABLES]
    for table in TABLES:
        sheet = book[table.removesuffix(".csv")]
        got = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        want = _csv_rows(tables / table)
        assert len(got) == len(want) > 0, table
        assert got[0] == want[0], table
        for mine, theirs in zip(got[1:], want[1:], strict=True):
            # CSV guards formula-like text with a leading ' ; the workbook stores the text itself.
            assert len(mine) == len(theirs)
            assert all(c == t or neutralise(c) == t for c, t in zip(mine, theirs, strict=True)), (table, mine, theirs)


def test_text_stays_text_and_numbers_are_numbers(workbook: tuple[openpyxl.Workbook, Path]) -> None:
    book, _ = workbook
    documents = book["documents"]
    cells = {row[0].value: row for row in documents.iter_rows(min_row=2)}
    assert set(cells) == {"-doc1", "doc2", "doc3", "007"}
    assert cells["007"][0].data_type == "s" and cells["007"][1].value == "007"
    assert cells["-doc1"][1].value == '=HYPERLINK("x")' and cells["-doc1"][1].data_type == "s"
    header = [c.value for c in documents[1]]
    assert cells["007"][header.index("code")].value == "0012"
    assert isinstance(cells["007"][header.index("n_chars")].value, int)
    spans = book["spans"]
    header = [c.value for c in spans[1]]
    texts = [row[header.index("text")] for row in spans.iter_rows(min_row=2)]
    formula = [c for c in texts if c.value == "=SUM(A1)"]
    assert formula and all(c.data_type == "s" for c in formula)
    assert all(isinstance(row[header.index("start")].value, int) for row in spans.iter_rows(min_row=2))


def test_header_frozen_filters_on_widths_set(workbook: tuple[openpyxl.Workbook, Path]) -> None:
    book, _ = workbook
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(sheet.column_dimensions[c].width >= 6 for c in "AB"), sheet.title
    spans = book["spans"]
    assert spans.column_dimensions["G"].width > spans.column_dimensions["A"].width  # text wider than the id


def test_cli_export_xlsx_by_extension(project: Project, tmp_path: Path) -> None:
    seed(project)
    location = str(project.store.location)  # a file, or the server's URL on the PostgreSQL run
    project.close()
    out = tmp_path / "book.xlsx"
    assert cli.main(["--project", location, "export", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "documents"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

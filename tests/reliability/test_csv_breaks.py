"""Every character some reader takes for a line break, in every kind of user cell (document text
and title, metadata, span text, canonical name, comment, annotator name), leaves one CSV row per
item for Python's csv module, pandas' C and Python engines, and `str.splitlines` over quoted rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from annotator.io.export_csv import export_csv
from annotator.services import annotations as svc
from annotator.services import review
from annotator.services.project import Project
from tests.io.test_export_csv import add_document

BREAKS = ["\r", "\r\n", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def _seed(project: Project) -> None:
    for i, brk in enumerate(BREAKS):
        text = f"Before{brk}after said Zelensky{brk}Jr today."
        doc = add_document(project, f"d{i}", text, f"Title{brk}{i}", outlet=f"Kyiv{brk}Post")
        me = project.annotator(f"ann{i}").id
        start = text.index("Before")
        svc.add_span(project, doc, me, "claim", start, text.index(" said"), {"claim_type": "factual"})
        src = text.index("Zelensky")
        svc.add_span(
            project,
            doc,
            me,
            "source",
            src,
            text.index(" today"),
            {"source_type": "named_person", "canonical": f"Volodymyr{brk}Zelensky"},
        )
        review.add_comment(project, doc, me, f"span:0:5:claim{brk}x", f"check{brk}this")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("breaks")
    project = Project.open(base / "p.db")
    try:
        _seed(project)
        export_csv(project, base / "out")
    finally:
        project.close()
    return base / "out"


EXPECTED = {"documents.csv": 11, "spans.csv": 22, "claims.csv": 11, "comments.csv": 11}


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_csv_module_reads_one_row_per_item(out: Path, table: str) -> None:
    with (out / table).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == EXPECTED[table]
    if table == "spans.csv":
        texts = sorted(r["text"] for r in rows if r["label"] == "claim")
        assert texts == sorted(f"Before{brk}after" for brk in BREAKS)
        canon = sorted(r["canonical"] for r in rows if r["label"] == "source")
        assert canon == sorted(f"Volodymyr{brk}Zelensky" for brk in BREAKS)


@pytest.mark.parametrize("engine", ["c", "python"])
@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_pandas_reads_one_row_per_item(out: Path, table: str, engine: str) -> None:
    frame = pd.read_csv(out / table, dtype=str, keep_default_na=False, engine=engine)
    assert len(frame) == EXPECTED[table]
    if table == "documents.csv":
        assert sorted(frame["outlet"]) == sorted(f"Kyiv{brk}Post" for brk in BREAKS)


def test_every_cell_with_a_break_is_quoted(out: Path) -> None:
    """Readers that split lines first (str.splitlines, many editors' "lines") only ever split
    inside a quoted cell, never between two unquoted cells of one row."""
    for table in EXPECTED:
        with (out / table).open(encoding="utf-8", newline="") as fh:
            raw = fh.read()
        in_quotes = False
        for ch in raw:
            if ch == '"':
                in_quotes = not in_quotes
            elif ch in "".join(BREAKS) and not in_quotes:
                assert ch in "\r\n", f"{table}: unquoted {ch!r}"
        assert raw.endswith("\r\n")

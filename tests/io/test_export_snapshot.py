"""An export is one moment of the project, whatever another program commits while it runs.

A colleague (a second process on the same file, or a second client of the server) adds a document
with a claim, its source, their link, stances and a status while the export is between tables: the
written tables must either all hold it or none, and join (every doc_id, span id and annotator of
one table found in the tables it refers to). Before exports read one snapshot, the tables written
after the commit named a document documents.csv lacked, and claims.csv failed on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from annotator.io import export_csv as export_csv_module
from annotator.io.export_csv import export_csv
from annotator.io.export_jsonl import export_jsonl
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services.project import Project
from tests.io.test_export_csv import TEXT_1, add_document, seed, span_at

LATE_TEXT = TEXT_1 + " (a later version of the article)"


def _colleague_adds_a_document(location: str) -> None:
    other = Project.open(location)
    try:
        doc = add_document(other, "late", LATE_TEXT, "Added during the export")
        carol = other.annotator("carol").id
        claim = span_at(other, doc, carol, "claim", LATE_TEXT, "NATO membership is close", claim_type="prediction")
        source = span_at(other, doc, carol, "source", LATE_TEXT, "Zelensky", source_type="named_person")
        svc.link(other, "attributed_to", claim, source)
        svc.set_stance(other, doc, carol, "nato_membership", "favor")
        svc.set_stance(other, doc, carol, "security_guarantees", "against", span_id=claim)
        svc.set_status(other, doc, carol, Status.DONE)
    finally:
        other.close()


class CommitDuringExport:
    """A progress callback that lets the colleague commit at its `at`-th call (mid-export)."""

    def __init__(self, location: str, at: int) -> None:
        self.location, self.at, self.calls, self.committed = location, at, 0, False

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        if self.calls == self.at:
            _colleague_adds_a_document(self.location)
            self.committed = True


def _read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(out / table, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("readonly", "helper_process", "at"),
    [(False, False, 2), (True, False, 2), (True, True, 2), (True, True, 1)],
    ids=["writable", "readonly", "helper-after-it-began", "helper-before-it-began"],
)
def test_csv_tables_are_one_moment_while_a_colleague_commits(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, readonly: bool, helper_process: bool, at: int
) -> None:
    """`at`: the progress call at which the colleague commits. Call 1 is the start, after this
    export's reading began and before the helper process starts (on a file the helper then reads a
    later moment, so this process writes its tables itself); call 2 comes while status.csv is
    written, after documents, spans, relations and stances, before claims and comments."""
    seed(project)
    location = project.store.location
    moments: list[bool] = []
    if helper_process:
        monkeypatch.setattr(export_csv_module, "PARALLEL_MIN_ROWS", 0)
        check = export_csv_module._Helper.check_moment

        def spied(helper: export_csv_module._Helper, shared: object) -> bool:
            moments.append(check(helper, shared))  # type: ignore[arg-type]
            return moments[-1]

        monkeypatch.setattr(export_csv_module._Helper, "check_moment", spied)
    exporter = Project.open(location, readonly=True) if readonly else project
    commit = CommitDuringExport(location, at=at)
    out = tmp_path / "out"
    try:
        export_csv(exporter, out, progress=commit)
    finally:
        if readonly:
            exporter.close()
    assert commit.committed, "the colleague's commit did not happen during the export"
    if helper_process:
        # the helper read this process's moment, except on a file committed to before it began
        same = project.store.dialect == "postgresql" or at == 2
        assert moments and set(moments) == {same}
    documents = set(_read(out, "documents.csv")["doc_id"])
    spans = _read(out, "spans.csv")
    for table in ("spans.csv", "relations.csv", "stances.csv", "status.csv", "claims.csv"):
        assert set(_read(out, table)["doc_id"]) <= documents, table
    relations = _read(out, "relations.csv")
    assert set(relations["from_span_id"]) | set(relations["to_span_id"]) <= set(spans["span_id"])
    # the export began before the colleague's commit: none of it is in any table
    assert "late" not in documents
    for table in ("spans.csv", "relations.csv", "stances.csv", "status.csv", "claims.csv"):
        assert "carol" not in set(_read(out, table)["annotator"]), table
    # and the next export has all of it
    again = tmp_path / "again"
    export_csv(project, again)
    assert "late" in set(_read(again, "documents.csv")["doc_id"])
    assert "carol" in set(_read(again, "claims.csv")["annotator"])


def test_jsonl_is_one_moment_while_a_colleague_commits(project: Project, tmp_path: Path) -> None:
    seed(project)
    commit = CommitDuringExport(project.store.location, at=2)
    out = tmp_path / "out.jsonl"
    export_jsonl(project, out, progress=commit)
    text = out.read_text(encoding="utf-8")
    assert commit.committed
    assert "carol" not in text and '"late"' not in text

"""`annotator search`: keyword-in-context lines, --json read back, filters, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from annotator import cli
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services.project import Project
from tests.services.test_search import _add_docs

TEXT = "Officials said NATO talks stalled.\nLater, NATO talks resumed in Kyiv."


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _project(location: Path | str) -> int:
    project = Project.open(location)
    try:
        (doc,) = _add_docs(project, [TEXT, "Nothing to see."])[:1]
        alice = project.annotator("alice").id
        A.add_span(project, doc, alice, "claim", TEXT.index("Later"), len(TEXT), {"claim_type": "factual"})
        A.set_stance(project, doc, alice, "nato_membership", "favor")
    finally:
        project.close()
    return doc


def test_search_prints_keyword_in_context(project_location: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    _project(project_location)
    code, out, err = _run(capsys, "--project", str(project_location), "search", "nato talks", "--width", "8")
    assert code == 0
    assert out.splitlines() == [
        f"doc-0  {TEXT.index('NATO'):>7}  ls said [NATO talks] stalled",
        f"doc-0  {TEXT.index('NATO', 20):>7}   Later, [NATO talks] resumed",
    ]
    assert err == "2 results\n"


def test_search_json_with_filters(
    project_location: Path | str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = _project(project_location)
    argv = ["--project", str(project_location), "search", "NATO talks", "--label", "claim", "--json"]
    code, out, _ = _run(capsys, *argv, "--annotator", "alice", "--stance", "nato_membership=favor")
    assert code == 0
    data = json.loads(out)
    start = TEXT.index("NATO", 20)
    assert data["words"] == ["nato", "talks"] and data["more"] is False
    assert [(h["doc_id"], h["start"], h["end"], h["match"]) for h in data["hits"]] == [
        ("doc-0", start, start + 10, "NATO talks")
    ]
    # doc_id joins with the exports' doc_id column (it was the internal integer id)
    code, _, _ = _run(capsys, "--project", str(project_location), "export", "--out", str(tmp_path / "csv"))
    documents = pd.read_csv(tmp_path / "csv" / "documents.csv", dtype=str, keep_default_na=False)
    assert code == 0 and set(documents["doc_id"]) >= {h["doc_id"] for h in data["hits"]}
    assert data["hits"][0]["ext_id"] == "doc-0" and isinstance(doc, int)
    assert data["hits"][0]["spans"] == [
        {"annotator": "alice", "label": "claim", "start": TEXT.index("Later"), "end": len(TEXT)}
    ]
    code, out, _ = _run(capsys, *argv, "--stance", "nato_membership=against")
    assert code == 0 and json.loads(out)["hits"] == []
    code, out, _ = _run(
        capsys, "--project", str(project_location), "search", "--label", "claim", "--limit", "1", "--json"
    )
    assert [h["match"] for h in json.loads(out)["hits"]] == [TEXT[TEXT.index("Later") :].replace("\n", " ")]


def test_search_refusals(project_location: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    _project(project_location)
    where = ["--project", str(project_location), "search"]
    code, out, err = _run(capsys, *where, "nato", "--annotator", "nobody")
    assert code == 1 and out == "" and err.startswith("annotator: no annotator called 'nobody'")
    code, _, err = _run(capsys, *where)
    assert code == 2 and "needs a QUERY" in err
    code, _, err = _run(capsys, *where, "nato", "--attribute", "claim_type")
    assert code == 2 and "NAME=VALUE" in err
    code, _, err = _run(capsys, *where, "?!")
    assert code == 1 and "no words" in err


def test_a_filter_only_search_lists_the_documents(
    project_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`search --status done` with no QUERY: one line per document done (id and title), not an
    empty `[]` match at offset 0."""
    doc = _project(project_location)
    project = Project.open(project_location)
    try:
        A.set_status(project, doc, project.annotator("alice").id, Status.DONE)
    finally:
        project.close()
    code, out, err = _run(capsys, "--project", str(project_location), "search", "--status", "done")
    assert (code, out.splitlines(), err) == (0, ["doc-0  Title 0"], "1 document\n")
    code, out, err = _run(capsys, "--project", str(project_location), "search", "--status", "not_started")
    assert (code, out.splitlines(), err) == (0, ["doc-1  Title 1"], "1 document\n")
    code, out, _ = _run(capsys, "--project", str(project_location), "search", "--status", "done", "--json")
    assert [(h["doc_id"], h["title"], h["match"]) for h in json.loads(out)["hits"]] == [("doc-0", "Title 0", "")]

"""A desk's own scheme end to end: an FNC-1 stance project from the shipped scheme, annotated by two
people, exported and measured, with none of the default scheme's names anywhere in the output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from annotator import cli
from annotator.model.scheme import load_scheme_file
from annotator.paths import CORPUS_DIR, DEFAULT_SCHEME
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project

STANCES = {
    "ann": ["agree", "disagree", "discuss", "unrelated", "agree"],
    "ben": ["agree", "disagree", "discuss", "agree", "agree"],
}


def _default_names() -> set[str]:
    scheme = load_scheme_file(DEFAULT_SCHEME)
    names = {*scheme.label_names, *scheme.target_names, *scheme.stance_values, *(r.name for r in scheme.relations)}
    for lab in scheme.labels:
        names |= {a.name for a in lab.attributes} | {v for a in lab.attributes for v in a.values}
    return names - {"document"}  # a source_type value, and also the JSONL record's own key


def _strip_texts(value: object) -> object:
    """A JSONL record without the article and span texts (the corpus may say "claim" in prose)."""
    if isinstance(value, dict):
        return {k: _strip_texts(v) for k, v in value.items() if k not in ("text", "title", "meta")}
    if isinstance(value, list):
        return [_strip_texts(v) for v in value]
    return value


def test_an_fnc1_project_has_no_default_name_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fnc1.db"
    assert cli.main(["init", str(path), "--scheme", "fnc1"]) == 0
    assert cli.main(["--project", str(path), "import", str(CORPUS_DIR)]) == 0
    project = Project.open(path)
    for who, values in STANCES.items():
        me = project.annotator(who)
        for doc, value in zip(D.document_ids(project), values, strict=True):
            A.set_stance(project, doc, me.id, "headline", value)
            A.add_span(project, doc, me.id, "evidence", 0, 12, {"direction": "supports"})
    project.close()
    out_jsonl, out_csv = tmp_path / "out.jsonl", tmp_path / "tables"
    assert cli.main(["--project", str(path), "export", "--out", str(out_jsonl)]) == 0
    assert cli.main(["--project", str(path), "export", "--out", str(out_csv)]) == 0
    capsys.readouterr()
    assert cli.main(["--project", str(path), "agreement", "--json"]) == 0
    report_text = capsys.readouterr().out
    report = json.loads(report_text)
    assert report["spans"]["evidence"]["ann|ben"]["exact_f1"] == 1.0
    assert set(report["stance"]) == {"headline"}

    words: set[str] = set(re.findall(r"[A-Za-z_]+", report_text))
    for line in out_jsonl.read_text(encoding="utf-8").splitlines():
        words |= set(re.findall(r"[A-Za-z_]+", json.dumps(_strip_texts(json.loads(line)))))
    for table in sorted(out_csv.glob("*.csv")):
        frame = pd.read_csv(table, dtype=str, keep_default_na=False)
        words |= set(frame.columns)
        for column in frame.columns:
            if column not in ("text", "title", "document_title", "span_text") and not column.endswith("_text"):
                words |= {w for cell in frame[column] for w in re.findall(r"[A-Za-z_]+", cell)}
    assert {"evidence", "headline", "agree", "disagree", "discuss", "unrelated", "direction"} <= words
    assert not _default_names() & words, _default_names() & words

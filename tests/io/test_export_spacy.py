"""spaCy DocBin export: with spaCy, spans and stances read back from the DocBin; without it, one sentence."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from annotator import cli
from annotator.services.project import Project
from tests.io.test_labelstudio import TEXT, _at, _seed

HAVE_SPACY = importlib.util.find_spec("spacy") is not None


@pytest.mark.skipif(not HAVE_SPACY, reason="spaCy is not installed (pip install 'annotator[spacy]')")
def test_docbin_holds_spans_pieces_and_stances(tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    from annotator.io.export_spacy import export_spacy

    project = Project.open(tmp_path / "a.db")
    try:
        _seed(project)
        report = export_spacy(project, tmp_path / "out.spacy", annotator="alice")
    finally:
        project.close()
    assert report.rows["docs"] == 1
    (doc,) = DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("xx").vocab)
    assert doc.text == TEXT and doc.user_data["annotator"] == "alice"
    got = sorted((s.label_, s.start_char, s.end_char, s.kb_id_) for s in doc.spans["sc"])
    pieces = [g for g in got if g[0] == "claim"]
    assert [(a, b) for _, a, b, _ in pieces] == [_at("NATO membership is close"), _at("talks went well")]
    assert len({kb for *_, kb in pieces}) == 1
    assert ("source", *_at("Zelensky")) in [g[:3] for g in got]
    assert doc.cats["nato_membership=favor"] == 1.0 and doc.cats["nato_membership=against"] == 0.0


@pytest.mark.skipif(HAVE_SPACY, reason="checks the message shown when spaCy is absent")
def test_without_spacy_the_export_says_how_to_install_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.db"
    project = Project.open(db)
    try:
        _seed(project)
    finally:
        project.close()
    assert cli.main(["--project", str(db), "export", "--format", "spacy", "--out", str(tmp_path / "o.spacy")]) == 1
    err = capsys.readouterr().err
    assert "pip install 'annotator[spacy]'" in err and "Traceback" not in err
    assert not (tmp_path / "o.spacy").exists()

"""spaCy DocBin export: with spaCy, spans and stances read back from the DocBin (CI installs the extra);
without it, one sentence saying how to install it (checked whether or not spaCy is installed)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from annotator import cli
from annotator.services.project import Project
from tests.io.test_labelstudio import TEXT, _at, _seed

HAVE_SPACY = importlib.util.find_spec("spacy") is not None


def _needs_spacy() -> None:
    """Skip with one line when spaCy is absent; under CI=true (.ci/run installs it) fail instead."""
    if HAVE_SPACY:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but spaCy is not installed: .ci/run installs the annotator[spacy] extra for this test")
    pytest.skip("spaCy is not installed (pip install 'annotator[spacy]' to run the DocBin export test)")


def _seeded(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    project = Project.open(db)
    try:
        _seed(project)
    finally:
        project.close()
    return db


def test_docbin_holds_spans_pieces_and_stances(tmp_path: Path) -> None:
    _needs_spacy()
    import spacy
    from spacy.tokens import DocBin

    db = _seeded(tmp_path)
    out = tmp_path / "out.spacy"
    assert (
        cli.main(["--project", str(db), "export", "--format", "spacy", "--annotator", "alice", "--out", str(out)]) == 0
    )
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("xx").vocab)
    assert doc.text == TEXT and doc.user_data["annotator"] == "alice"
    # Offsets are code points on both sides: the emoji and 𝔘 before the spans shift nothing.
    assert all(s.text == TEXT[s.start_char : s.end_char] for s in doc.spans["sc"])
    got = sorted((s.label_, s.start_char, s.end_char, s.kb_id_) for s in doc.spans["sc"])
    pieces = [g for g in got if g[0] == "claim"]
    assert [(a, b) for _, a, b, _ in pieces] == [_at("NATO membership is close"), _at("talks went well")]
    assert len({kb for *_, kb in pieces}) == 1
    assert ("source", *_at("Zelensky")) in [g[:3] for g in got]
    assert doc.cats["nato_membership=favor"] == 1.0 and doc.cats["nato_membership=against"] == 0.0


def test_without_spacy_the_export_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import spacy` fail as if it were not installed.
    for name in [m for m in sys.modules if m == "spacy" or m.startswith("spacy.")] + ["spacy"]:
        monkeypatch.setitem(sys.modules, name, None)
    db = _seeded(tmp_path)
    assert cli.main(["--project", str(db), "export", "--format", "spacy", "--out", str(tmp_path / "o.spacy")]) == 1
    err = capsys.readouterr().err
    assert "pip install 'annotator[spacy]'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.spacy").exists()

"""`annotator init` and `annotator scheme show|check|apply`, end to end on real project files.

The evolution test renames one element of every kind, then imports an old JSONL file, merges an
old project, measures agreement (an exact copy under the old names scores 1.0) and exports (only
current names anywhere).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from annotator import cli
from annotator.model.errors import ProjectFileError
from annotator.paths import CORPUS_DIR, DEFAULT_SCHEME, shipped_schemes
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.store.engine import open_store
from tests.model.test_scheme_diff import RENAMED

OLD_NAMES = {"claim", "claim_type", "factual", "attributed_to", "nato_membership", "favor"}
NEW_NAMES = {"assertion", "kind", "fact", "said_by", "nato", "pro"}


def _digest(folder: Path, stem: str) -> dict[str, str]:
    """The project's bytes: the file and its write-ahead log (absent and empty are the same; the -shm
    index SQLite makes even for read-only readers holds no data)."""
    files = [folder / stem, folder / f"{stem}-wal"]
    return {p.name: hashlib.sha256(p.read_bytes() if p.exists() else b"").hexdigest() for p in files}


@pytest.mark.parametrize("scheme", shipped_schemes(), ids=lambda p: p.stem)
def test_init_with_each_shipped_scheme(tmp_path: Path, scheme: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.db"
    assert cli.main(["init", str(path), "--scheme", str(scheme)]) == 0
    assert "Created" in capsys.readouterr().out
    assert cli.main(["--project", str(path), "scheme", "show", "--toml"]) == 0
    (tmp_path / "shown.toml").write_text(capsys.readouterr().out, encoding="utf-8")
    assert cli.main(["scheme", "check", str(tmp_path / "shown.toml")]) == 0
    assert cli.main(["--project", str(path), "scheme", "show"]) == 0
    shown = capsys.readouterr().out
    project = Project.open(path, readonly=True)
    assert project.scheme.version_hash in shown
    assert all(f"[{lab.key}] {lab.name}" in shown for lab in project.scheme.labels)
    project.close()
    before = _digest(tmp_path, "p.db")
    assert cli.main(["init", str(path), "--scheme", scheme.stem]) == 2
    assert "exists" in capsys.readouterr().err
    assert _digest(tmp_path, "p.db") == before


def test_a_broken_scheme_leaves_no_file_and_names_every_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[labels]]\nname = "a"\ncolor = "red"\n[[labels]]\nname = "b"\nkey = "A"\n', encoding="utf-8")
    assert cli.main(["init", str(tmp_path / "p.db"), "--scheme", str(bad)]) == 1
    assert list(tmp_path.glob("p.db*")) == []
    assert cli.main(["scheme", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3: label 'a': color" in err and f"{bad}:6: duplicate label key 'A'" in err


def test_a_project_without_a_scheme_is_refused_not_given_the_default(tmp_path: Path) -> None:
    path = tmp_path / "half.db"
    open_store(path).close()
    with pytest.raises(ProjectFileError, match="has no scheme"):
        Project.open(path)
    with pytest.raises(ProjectFileError, match="has no scheme"):
        Project.open(path, readonly=True)


def _annotate(path: Path, who: str) -> None:
    """One claim (with attributes) attributed to a source, and a document stance, on every document."""
    project = Project.open(path)
    me = project.annotator(who)
    for doc in D.document_ids(project):
        text = D.load_view(project, doc, me.id).document.text
        claim, _ = A.add_span(project, doc, me.id, "claim", 0, 10, {"claim_type": "factual", "checkworthy": "yes"})
        source, _ = A.add_span(project, doc, me.id, "source", 12, 20, {"source_type": "official"})
        A.link(project, "attributed_to", claim.id, source.id)
        A.set_stance(project, doc, me.id, "nato_membership", "favor")
        assert len(text) > 20
    project.close()


def _new_project(path: Path) -> Path:
    assert cli.main(["init", str(path), "--scheme", str(DEFAULT_SCHEME)]) == 0
    assert cli.main(["--project", str(path), "import", str(CORPUS_DIR)]) == 0
    return path


def test_renames_of_every_kind_keep_old_files_working(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = _annotate_new(tmp_path / "desk.db", "alice")
    carol_old = _annotate_new(tmp_path / "carol.db", "carol")
    old_jsonl = tmp_path / "alice-old.jsonl"
    assert cli.main(["--project", str(main), "export", "--out", str(old_jsonl)]) == 0
    bob_old = tmp_path / "bob-old.jsonl"
    records = [json.loads(line) for line in old_jsonl.read_text(encoding="utf-8").splitlines()]
    bob_old.write_text("".join(json.dumps({**r, "annotator": "bob", "annotator_uid": ""}) + "\n" for r in records))
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(RENAMED, encoding="utf-8")
    capsys.readouterr()

    before = _digest(tmp_path, "desk.db")
    assert cli.main(["--project", str(main), "scheme", "apply", str(renamed), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert _digest(tmp_path, "desk.db") == before
    n_docs = len(list((CORPUS_DIR / "articles.jsonl").read_text(encoding="utf-8").splitlines()))
    assert f"would rename label claim -> assertion ({n_docs} annotations)" in out
    assert (
        f"would rename stance_value favor -> pro ({n_docs} annotations)".replace("stance_value", "stance value") in out
    )

    assert cli.main(["--project", str(main), "scheme", "apply", str(renamed), "--author", "editor"]) == 0
    assert "applied" in capsys.readouterr().out
    assert cli.main(["--project", str(main), "import", str(bob_old)]) == 0
    assert cli.main(["--project", str(main), "merge", str(carol_old)]) == 0
    capsys.readouterr()

    assert cli.main(["--project", str(main), "agreement", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "claim" not in report["spans"]
    for pair in ("alice|bob", "alice|carol"):
        assert report["spans"]["assertion"][pair]["exact_f1"] == 1.0
    assert set(report["stance"]) == {"nato", "security_guarantees"}

    out_jsonl, out_csv = tmp_path / "now.jsonl", tmp_path / "tables"
    assert cli.main(["--project", str(main), "export", "--out", str(out_jsonl)]) == 0
    assert cli.main(["--project", str(main), "export", "--out", str(out_csv)]) == 0
    names: set[str] = set()
    project = Project.open(main, readonly=True)
    for line in out_jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["scheme"] == project.scheme.version_hash
        for span in record["spans"]:
            names |= {span["label"], *span["attributes"], *span["attributes"].values()}
        names |= {r["type"] for r in record["relations"]}
        names |= {s["target"] for s in record["stances"]} | {s["value"] for s in record["stances"]}
    project.close()
    assert names >= NEW_NAMES and not OLD_NAMES & names
    spans = pd.read_csv(out_csv / "spans.csv", dtype=str, keep_default_na=False)
    stances = pd.read_csv(out_csv / "stances.csv", dtype=str, keep_default_na=False)
    relations = pd.read_csv(out_csv / "relations.csv", dtype=str, keep_default_na=False)
    cells = set(spans["label"]) | set(spans.columns) | set(spans.get("attr_kind", spans.get("kind", [])))
    cells |= set(stances["target"]) | set(stances["value"]) | set(relations["type"])
    assert {"assertion", "fact", "said_by", "nato", "pro"} <= cells and not OLD_NAMES & cells

    assert cli.main(["--project", str(main), "scheme", "show"]) == 0
    shown = capsys.readouterr().out
    assert "editor" in shown and "(was: claim)" in shown


def _annotate_new(path: Path, who: str) -> Path:
    _new_project(path)
    _annotate(path, who)
    return path


def test_removing_a_used_element_is_refused_with_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = _annotate_new(tmp_path / "desk.db", "alice")
    removed = DEFAULT_SCHEME.read_text(encoding="utf-8").replace('"official", ', "")
    removed = removed.replace(
        '  [[stance.targets]]\n  name = "nato_membership"\n  description = "Ukraine joining NATO"\n', ""
    )
    (tmp_path / "removed.toml").write_text(removed, encoding="utf-8")
    before = _digest(tmp_path, "desk.db")
    capsys.readouterr()
    assert cli.main(["--project", str(main), "scheme", "apply", str(tmp_path / "removed.toml")]) == 1
    out = capsys.readouterr().out
    n_docs = len(D.document_ids(Project.open(main, readonly=True)))
    assert f"remove attribute value source.source_type.official ({n_docs} annotations): REFUSED" in out
    assert f"remove stance target nato_membership ({n_docs} annotations): REFUSED" in out
    assert _digest(tmp_path, "desk.db") == before
    archived = DEFAULT_SCHEME.read_text(encoding="utf-8").replace(
        '  name = "nato_membership"\n', '  name = "nato_membership"\n  archived = true\n'
    )
    (tmp_path / "archived.toml").write_text(archived, encoding="utf-8")
    assert cli.main(["--project", str(main), "scheme", "apply", str(tmp_path / "archived.toml")]) == 0
    assert "archive stance target nato_membership" in capsys.readouterr().out


def test_merge_of_a_file_made_under_another_scheme_names_what_does_not_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = _new_project(tmp_path / "desk.db")
    other = tmp_path / "other.db"
    assert cli.main(["init", str(other), "--scheme", "fnc1"]) == 0
    assert cli.main(["--project", str(other), "import", str(CORPUS_DIR)]) == 0
    project = Project.open(other)
    me = project.annotator("dana")
    doc = D.document_ids(project)[0]
    A.add_span(project, doc, me.id, "evidence", 0, 5, {"direction": "supports"})
    project.close()
    jsonl = tmp_path / "other.jsonl"
    assert cli.main(["--project", str(other), "export", "--out", str(jsonl)]) == 0
    capsys.readouterr()
    assert cli.main(["--project", str(main), "import", str(jsonl)]) == 1
    err = capsys.readouterr().err
    assert "label 'evidence' is not in the scheme" in err and "made under scheme" in err
    assert cli.main(["--project", str(main), "merge", str(other)]) == 1
    err = capsys.readouterr().err
    assert "these do not map through its aliases: label 'evidence'" in err and "Nothing was merged" in err

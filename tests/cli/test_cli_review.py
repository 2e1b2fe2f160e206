"""`annotator merge` and `annotator agreement` on real project files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import cli
from annotator.paths import CORPUS_DIR
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project

ALICE = ["favor", "against", "neutral", "favor", "favor"]
BOB = ["favor", "against", "favor", "favor", "neutral"]


def _annotated(path: Path, name: str, values: list[str], extra: int) -> Path:
    assert cli.main(["--project", str(path), "import", str(CORPUS_DIR)]) == 0
    project = Project.open(path)
    me = project.annotator(name)
    for doc, value in zip(D.document_ids(project), values, strict=True):
        A.set_stance(project, doc, me.id, "nato_membership", value)
        text = D.load_view(project, doc, me.id).document.text
        start = text.index("NATO")
        A.add_span(project, doc, me.id, "claim", start, start + 4 + extra)
    project.close()
    return path


@pytest.fixture
def colleagues(tmp_path: Path) -> tuple[Path, Path]:
    return (_annotated(tmp_path / "alice.db", "alice", ALICE, 0), _annotated(tmp_path / "bob.db", "bob", BOB, 5))


def test_merge_twice_then_agreement_json(
    tmp_path: Path, colleagues: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    review = str(tmp_path / "review.db")
    assert cli.main(["--project", review, "merge", *map(str, colleagues)]) == 0
    capsys.readouterr()
    assert cli.main(["--project", review, "merge", str(colleagues[0])]) == 0
    assert "nothing new" in capsys.readouterr().out
    assert cli.main(["--project", review, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["documents"], stats["annotators"], stats["spans"], stats["stances"]) == (5, 2, 10, 10)
    assert cli.main(["--project", review, "agreement", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # alice/bob agree on 3 of 5 documents: po = 0.6, pe = (3*3 + 1*1 + 1*1 ... ) computed by hand:
    # alice: favor 3, against 1, neutral 1; bob: favor 3, against 1, neutral 1 -> pe = (9+1+1)/25 = 0.44
    assert report["stance"]["nato_membership"]["kappa"]["alice|bob"] == pytest.approx((0.6 - 0.44) / 0.56)
    assert report["stance"]["security_guarantees"]["alpha"] is None
    claim = report["spans"]["claim"]["alice|bob"]
    assert (claim["exact_f1"], claim["overlap_f1"]) == (0.0, 1.0)


def test_merge_refuses_a_namesake_until_renamed(
    tmp_path: Path, colleagues: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    other_alice = _annotated(tmp_path / "alice2.db", "alice", BOB, 0)
    review = str(tmp_path / "review.db")
    assert cli.main(["--project", review, "merge", str(colleagues[0])]) == 0
    capsys.readouterr()
    assert cli.main(["--project", review, "merge", str(other_alice)]) == 1
    err = capsys.readouterr().err
    assert "different person" in err and "--rename" in err
    assert cli.main(["--project", review, "merge", str(other_alice), "--rename", "alice=alice_b"]) == 0
    assert cli.main(["--project", review, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["annotators"] == 2


def test_agreement_table_and_bad_rename(
    tmp_path: Path, colleagues: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    review = str(tmp_path / "review.db")
    assert cli.main(["--project", review, "merge", *map(str, colleagues)]) == 0
    assert cli.main(["--project", review, "agreement"]) == 0
    out = capsys.readouterr().out
    assert "nato_membership" in out and "alice|bob" in out
    assert "Fleiss" in out and "AC1" in out and "alpha_U" in out
    # every figure of a coefficient table ends where its heading ends (right-aligned columns)
    lines = out.splitlines()
    title = next(i for i, x in enumerate(lines) if x.startswith("Document stance"))
    header, row = lines[title + 1], next(x for x in lines[title + 2 :] if x.strip().startswith("nato_membership"))
    for heading in ("n", "alpha", "Fleiss", "AC1", "observed"):
        end = header.index(f" {heading} ") + 1 + len(heading)
        assert row[end - 1] != " " and row[end] == " ", (heading, header, row)
    assert cli.main(["--project", review, "merge", str(colleagues[0]), "--rename", "nonsense"]) == 2


def test_jsonl_export_carries_identity_so_merging_it_after_the_project_changes_nothing(
    tmp_path: Path, colleagues: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    alice_jsonl = tmp_path / "alice.jsonl"
    assert cli.main(["--project", str(colleagues[0]), "export", "--out", str(alice_jsonl)]) == 0
    review = str(tmp_path / "review.db")
    assert cli.main(["--project", review, "merge", str(colleagues[0])]) == 0
    capsys.readouterr()
    assert cli.main(["--project", review, "merge", str(alice_jsonl)]) == 0
    assert "nothing new" in capsys.readouterr().out
    # The same file imported into a fresh project keeps alice's uid: merging alice.db there is a no-op too.
    fresh = str(tmp_path / "fresh.db")
    assert cli.main(["--project", fresh, "import", str(alice_jsonl)]) == 0
    capsys.readouterr()
    assert cli.main(["--project", fresh, "merge", str(colleagues[0])]) == 0
    assert "nothing new" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["krippendorff_2011", "textbook_kappa", "perfect"])
def test_agreement_json_reproduces_published_values(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`annotator agreement --json` on fixture projects with known answers (to 3 decimals)."""
    from tests.services.test_agreement_service import FIXTURES, PUBLISHED, _paper_ratings, _stances

    path = tmp_path / "fixture.db"
    project = Project.open(path, scheme_path=FIXTURES / "scheme.toml")
    if case == "krippendorff_2011":  # four observers, twelve units, missing values
        _stances(project, _paper_ratings())
    elif case == "textbook_kappa":  # 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no
        example = PUBLISHED["cohen_kappa_wikipedia"]
        table, value = example["table"], example["values"]
        cells = (
            [("yes", "yes")] * table["yes_yes"]
            + [("yes", "no")] * table["yes_no"]
            + [("no", "yes")] * table["no_yes"]
            + [("no", "no")] * table["no_no"]
        )
        _stances(project, {"A": [value[a] for a, _ in cells], "B": [value[b] for _, b in cells]})
    else:
        row: list[str | None] = ["favor", "against", "neutral", "favor"]
        _stances(project, {"amy": row, "bob": row})
    project.close()
    assert cli.main(["--project", str(path), "agreement", "--json"]) == 0
    stance = json.loads(capsys.readouterr().out)["stance"]["policy"]
    if case == "krippendorff_2011":
        assert round(stance["alpha"], 3) == 0.743
    elif case == "textbook_kappa":
        assert round(stance["kappa"]["A|B"], 3) == 0.4
    else:
        assert (stance["alpha"], stance["fleiss_kappa"], stance["gwet_ac1"]) == (1.0, 1.0, 1.0)
        assert (stance["kappa"], stance["kappa_items"], stance["items"]) == ({"amy|bob": 1.0}, {"amy|bob": 4}, 4)


def test_merge_refuses_renaming_into_gold_and_renames_that_name_nobody(
    tmp_path: Path, colleagues: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    review = str(tmp_path / "review.db")
    assert cli.main(["--project", review, "merge", str(colleagues[0]), "--rename", "alice=gold"]) == 1
    assert "adjudicated layer" in capsys.readouterr().err
    assert cli.main(["--project", review, "merge", str(colleagues[0]), "--rename", "bob=zed"]) == 1
    err = capsys.readouterr().err
    assert "names no annotator" in err and "bob" in err and not err.startswith("annotator: annotator:")
    assert cli.main(["--project", review, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["spans"] == 0  # nothing of either attempt was kept

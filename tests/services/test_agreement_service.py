"""The agreement use-case on real project files built to reproduce published worked examples.

The fixture scheme (tests/fixtures/agreement/scheme.toml) has one stance target and five values, so
Krippendorff's (2011) reliability data, four observers by twelve units with missing values, is
written as document-level stances; tests/fixtures/agreement/published.json holds the data and the
published answers.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.model.errors import Cancelled, NotFoundError
from annotator.model.types import GOLD, Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.agreement import agreement
from annotator.services.project import Project
from annotator.store import documents as store_docs
from annotator.store.engine import utc_now
from tests.helpers import add_texts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "agreement"
PUBLISHED = json.loads((FIXTURES / "published.json").read_text(encoding="utf-8"))


@pytest.fixture
def fixture_project(tmp_path: Path) -> Iterator[Project]:
    proj = Project.open(tmp_path / "agreement.db", scheme_path=FIXTURES / "scheme.toml")
    yield proj
    proj.close()


def _docs(project: Project, n: int) -> list[int]:
    texts = [f"Unit {i:03d}: the policy is discussed at some length in this article." for i in range(1, n + 1)]
    with project.session() as s:
        store_docs.insert_documents(
            s,
            [
                dict(
                    ext_id=f"u{i:03d}",
                    sha256=hashlib.sha256(t.encode()).hexdigest(),
                    title=f"Unit {i}",
                    text=t,
                    n_chars=len(t),
                    meta={},
                    encoding="utf-8",
                    source=None,
                    imported_at=utc_now(),
                )
                for i, t in enumerate(texts, start=1)
            ],
        )
    return D.document_ids(project)


def _stances(project: Project, ratings: dict[str, list[str | None]], target: str = "policy") -> None:
    docs = _docs(project, max(len(row) for row in ratings.values()))
    for name, row in ratings.items():
        who = project.annotator(name).id
        for doc_id, value in zip(docs, row, strict=False):
            if value is not None:
                A.set_stance(project, doc_id, who, target, value)


def _paper_ratings() -> dict[str, list[str | None]]:
    example = PUBLISHED["krippendorff_2011"]
    return {
        name: [None if v == "." else example["values"][v] for v in row.split()]
        for name, row in example["observers"].items()
    }


def test_krippendorff_2011_reliability_data_with_missing_values(fixture_project: Project) -> None:
    _stances(fixture_project, _paper_ratings())
    report: dict[str, Any] = json.loads(json.dumps(agreement(fixture_project).to_json()))  # plain JSON
    stance = report["stance"]["policy"]
    assert round(stance["alpha"], 3) == PUBLISHED["krippendorff_2011"]["alpha"] == 0.743
    assert set(stance["kappa"]) == {"A|B", "A|C", "A|D", "B|C", "B|D", "C|D"}
    # Kappa uses only the units both observers rated: A and B share units 1-9 and agree on 8.
    # Marginals over those: A 1:3 2:3 3:2 4:1, B 1:2 2:4 3:2 4:1, so chance agreement is 23/81.
    assert stance["kappa"]["A|B"] == pytest.approx((9 * 8 - (3 * 2 + 3 * 4 + 2 * 2 + 1 * 1)) / (81 - 23))
    assert report["annotators"] == ["A", "B", "C", "D"]
    assert len(report["documents"]) == 12
    assert report["per_annotator"]["A"]["documents"] == 9  # A rated units 1-9 only


def test_textbook_kappa_two_annotators_fifty_documents(fixture_project: Project) -> None:
    example = PUBLISHED["cohen_kappa_wikipedia"]
    table, value = example["table"], example["values"]
    cells = (
        [("yes", "yes")] * table["yes_yes"]
        + [("yes", "no")] * table["yes_no"]
        + [("no", "yes")] * table["no_yes"]
        + [("no", "no")] * table["no_no"]
    )
    _stances(fixture_project, {"A": [value[a] for a, _ in cells], "B": [value[b] for _, b in cells]})
    stance = agreement(fixture_project).stance["policy"]
    assert stance.kappa["A|B"].kappa is not None
    assert round(stance.kappa["A|B"].kappa, 3) == example["kappa"] == 0.4
    assert stance.kappa["A|B"].items == 50
    # Nominal alpha by hand from the coincidence matrix: 1 - (n-1) * o_yn / (n_y * n_n).
    assert stance.alpha == pytest.approx(1 - 99 * 15 / (55 * 45))


def test_perfect_agreement(fixture_project: Project) -> None:
    row: list[str | None] = ["favor", "against", "neutral", "mixed", "favor", "not_addressed"]
    _stances(fixture_project, {"amy": row, "bob": row, "cat": row})
    stance = agreement(fixture_project).stance["policy"]
    assert (stance.alpha, stance.fleiss_kappa, stance.gwet_ac1, stance.observed) == (1.0, 1.0, 1.0, 1.0)
    assert {pair: k.kappa for pair, k in stance.kappa.items()} == {"amy|bob": 1.0, "amy|cat": 1.0, "bob|cat": 1.0}


def test_missing_values_drop_out_of_kappa(fixture_project: Project) -> None:
    _stances(
        fixture_project,
        {"amy": ["favor", "against", None, "favor"], "bob": ["favor", "against", "favor", None]},
    )
    stance = agreement(fixture_project).stance["policy"]
    assert stance.kappa["amy|bob"].kappa == 1.0
    assert stance.kappa["amy|bob"].items == 2  # the two documents both judged
    assert stance.alpha == pytest.approx(1.0)
    assert stance.units == 2


def test_spans_exact_and_overlap_f1_and_attribution(fixture_project: Project) -> None:
    (doc,) = _docs(fixture_project, 1)
    amy, bob = fixture_project.annotator("amy").id, fixture_project.annotator("bob").id
    claims = {}
    for who, spans in ((amy, [(0, 8), (10, 20)]), (bob, [(0, 8), (12, 20)])):
        for start, end in spans:
            claims[(who, start)] = A.add_span(fixture_project, doc, who, "claim", start, end)[0].id
    source = A.add_span(fixture_project, doc, amy, "source", 30, 36)[0].id
    A.link(fixture_project, "attributed_to", claims[(amy, 0)], source)
    report = agreement(fixture_project).to_json()
    spans: dict[str, Any] = report["spans"]  # type: ignore[assignment]
    assert spans["claim"]["amy|bob"]["exact_f1"] == 0.5
    assert spans["claim"]["amy|bob"]["overlap_f1"] == 1.0
    assert spans["source"]["amy|bob"]["exact_f1"] == 0.0 == spans["source"]["amy|bob"]["overlap_f1"]
    # amy named a source for a claim bob left unsourced
    assert report["attribution"]["amy|bob"]["f1"] == 0.0  # type: ignore[index]


def test_documents_marked_done_count_and_gold_is_left_out(fixture_project: Project) -> None:
    first, second = _docs(fixture_project, 2)
    amy, bob = fixture_project.annotator("amy").id, fixture_project.annotator("bob").id
    gold = fixture_project.annotator(GOLD).id
    A.add_span(fixture_project, first, amy, "claim", 0, 8)
    A.set_status(fixture_project, first, bob, Status.DONE)  # bob read it and found nothing to mark
    A.add_span(fixture_project, second, gold, "claim", 0, 8)
    report = agreement(fixture_project)
    assert report.annotators == ("amy", "bob")
    assert report.pair_documents == {"amy|bob": 1}  # bob's done document counts, gold's does not
    assert report.spans["claim"]["amy|bob"].overlap.f1 == 0.0
    with_gold = agreement(fixture_project, ["amy", GOLD])
    assert with_gold.annotators == ("amy", GOLD)
    assert agreement(fixture_project, include_gold=True).annotators == ("amy", "bob", GOLD)
    with pytest.raises(NotFoundError, match="'zed'"):
        agreement(fixture_project, ["amy", "zed"])


def test_progress_and_cancel(fixture_project: Project) -> None:
    _stances(fixture_project, {"amy": ["favor"], "bob": ["against"]})
    seen: list[tuple[int, int]] = []
    agreement(fixture_project, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    with pytest.raises(Cancelled):
        agreement(fixture_project, cancel=lambda: True)


def test_discontinuous_spans_agree_by_their_pieces(project: Project) -> None:
    """Exact agreement needs the same pieces, not the same bounds; overlap counts the pieces'
    characters (issue 13). On both back ends: the pieces come from the store's fragments column."""
    (doc,) = _docs(project, 1)
    amy, bob = project.annotator("amy").id, project.annotator("bob").id
    quote = A.add_span(project, doc, amy, "claim", 0, 4)[0].id
    A.set_fragments(project, quote, ((0, 4), (10, 20)))
    A.add_span(project, doc, bob, "claim", 0, 20)  # the quote's bounds, gap included
    for who in (amy, bob):
        same = A.add_span(project, doc, who, "claim", 30, 33)[0].id
        A.set_fragments(project, same, ((30, 33), (37, 40)))
    report = agreement(project).to_json()
    claim = report["spans"]["claim"]["amy|bob"]  # type: ignore[index]
    assert (claim["exact_f1"], claim["overlap_f1"]) == (0.5, 1.0)


def test_the_cyclic_collector_is_back_as_it_was_after_a_report(fixture_project: Project) -> None:
    """The report pauses Python's cyclic garbage collector while it runs (speed): afterwards it is on
    again, also when the report was cancelled, and stays off when it was off before. (In a test
    process where a window started a worker, ui.gc_collector has switched it off: put back after.)"""
    _docs(fixture_project, 3)
    before = gc.isenabled()
    gc.enable()
    try:
        agreement(fixture_project)
        assert gc.isenabled()
        with pytest.raises(Cancelled):
            agreement(fixture_project, cancel=lambda: (gc.isenabled() and pytest.fail("collector on")) or True)
        assert gc.isenabled()
        gc.disable()
        agreement(fixture_project)
        assert not gc.isenabled()
    finally:
        (gc.enable if before else gc.disable)()


def test_titles_map_each_external_id_to_its_document(project: Project) -> None:
    ids = add_texts(project, "One text.", "Another text.", "A third one.", ext_id="ext-{}", title="Title {}")
    me = project.annotator("alice").id
    expected = {row.info.ext_id: (doc_id, row.info.title) for doc_id, row in D.list_rows(project, ids, me).items()}
    assert D.titles(project) == expected == {f"ext-{n}": (doc_id, f"Title {n}") for n, doc_id in enumerate(ids)}

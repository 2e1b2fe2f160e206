"""No lost update: shared rows carry a version, and a write based on an older read is refused.

Two `Project` handles on one project are two people (two connections, on a file or on the server):
one changes a row, the other then writes from what it read before. The second write is refused with
StaleWriteError carrying both versions, nothing of it is saved, and writing again from the stored
version ("keep mine") goes through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.io.importer import import_paths
from annotator.model.errors import StaleWriteError
from annotator.model.scheme import Scheme, parse_scheme
from annotator.model.scheme_toml import scheme_to_toml
from annotator.model.types import Stance
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import review as R
from annotator.services import schemes as S
from annotator.services.merge import merge_jsonl
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "Zelensky said NATO must act, and Stoltenberg agreed."


@pytest.fixture
def colleague(project: Project, project_location: Path | str) -> Iterator[Project]:
    """A second person on the same project, through a connection of their own."""
    other = Project.open(project_location)
    yield other
    other.close()


def _gold_span(project: Project) -> tuple[int, int, int]:
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold")
    span, _ = A.add_span(project, doc, gold.id, "claim", 0, 28, {"claim_type": "factual"})
    return doc, gold.id, span.id


def test_a_stale_gold_span_edit_is_refused_with_both_versions(project: Project, colleague: Project) -> None:
    doc, gold, span_id = _gold_span(project)
    seen = D.load_view(project, doc, gold).spans[0]
    assert seen.version == 1

    A.set_attribute(colleague, span_id, "claim_type", "opinion", expected_version=seen.version)

    with pytest.raises(StaleWriteError) as refused:
        A.set_attribute(project, span_id, "checkworthy", "yes", expected_version=seen.version)
    stored, mine = refused.value.stored, refused.value.mine
    assert "someone else changed" in str(refused.value)
    assert stored is not None and mine is not None
    assert dict(stored.attributes) == {"claim_type": "opinion"} and stored.version == 2  # type: ignore[attr-defined]
    assert dict(mine.attributes) == {"claim_type": "opinion", "checkworthy": "yes"}  # type: ignore[attr-defined]
    # Nothing of the refused write was saved.
    assert dict(D.load_view(colleague, doc, gold).spans[0].attributes) == {"claim_type": "opinion"}

    # Keep mine: write again from the version now stored.
    _before, after, _ = A.set_attribute(project, span_id, "checkworthy", "yes", expected_version=2)
    assert after.version == 3
    assert dict(D.load_view(colleague, doc, gold).spans[0].attributes) == {
        "claim_type": "opinion",
        "checkworthy": "yes",
    }


def test_a_label_change_from_a_stale_read_is_refused(project: Project, colleague: Project) -> None:
    doc, gold, span_id = _gold_span(project)
    A.update_span(colleague, span_id, start=0, end=8)
    with pytest.raises(StaleWriteError):
        A.update_span(project, span_id, label="source", attributes={}, expected_version=1)
    span = D.load_view(project, doc, gold).spans[0]
    assert (span.label, span.end, span.version) == ("claim", 8, 2)


def test_a_stance_someone_set_meanwhile_is_not_overwritten(project: Project, colleague: Project) -> None:
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold").id
    # I saw no stance (version 0); a colleague sets one; my write from that read is refused.
    A.set_stance(colleague, doc, gold, "nato_membership", "favor", expected_version=0)
    with pytest.raises(StaleWriteError) as refused:
        A.set_stance(project, doc, gold, "nato_membership", "against", expected_version=0)
    assert refused.value.stored is not None and refused.value.stored.value == "favor"  # type: ignore[attr-defined]
    assert [s.value for s in D.load_view(project, doc, gold).stances] == ["favor"]
    # Clearing it from a stale version is refused too; from the stored one it goes through.
    stance = D.load_view(project, doc, gold).stances[0]
    A.set_stance(colleague, doc, gold, "nato_membership", "neutral", expected_version=stance.version)
    with pytest.raises(StaleWriteError):
        A.set_stance(project, doc, gold, "nato_membership", None, expected_version=stance.version)
    A.set_stance(project, doc, gold, "nato_membership", None, expected_version=stance.version + 1)
    assert D.load_view(colleague, doc, gold).stances == ()


def test_a_stance_cleared_and_set_again_does_not_restart_at_the_version_i_saw(
    project: Project, colleague: Project
) -> None:
    """A reads the stance at version 1; B clears it and sets it again. The stance stored now is not
    the one A saw, so A's write naming version 1 is refused (versions never start over at 1)."""
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold").id
    A.set_stance(project, doc, gold, "nato_membership", "favor", expected_version=0)
    (seen,) = D.load_view(project, doc, gold).stances
    assert seen.version == 1

    A.set_stance(colleague, doc, gold, "nato_membership", None, expected_version=1)
    A.set_stance(colleague, doc, gold, "nato_membership", "against", expected_version=0)
    (now,) = D.load_view(colleague, doc, gold).stances
    assert now.version > seen.version

    with pytest.raises(StaleWriteError) as refused:
        A.set_stance(project, doc, gold, "nato_membership", "neutral", expected_version=seen.version)
    assert refused.value.stored is not None and refused.value.stored.value == "against"  # type: ignore[attr-defined]
    with pytest.raises(StaleWriteError):
        A.set_stance(project, doc, gold, "nato_membership", None, expected_version=seen.version)
    assert [s.value for s in D.load_view(project, doc, gold).stances] == ["against"]
    # Keeping mine names the version now stored; and so on through further clears and sets.
    A.set_stance(project, doc, gold, "nato_membership", "neutral", expected_version=now.version)
    (kept,) = D.load_view(colleague, doc, gold).stances
    assert kept.value == "neutral" and kept.version == now.version + 1
    A.set_stance(colleague, doc, gold, "nato_membership", None, expected_version=kept.version)
    _previous, again, _ = A.write_stance(colleague, doc, gold, "nato_membership", "favor", expected_version=0)
    assert again > kept.version


def test_a_claim_stance_cleared_and_set_again_is_refused_from_the_old_version(
    project: Project, colleague: Project
) -> None:
    doc, gold, span_id = _gold_span(project)
    _p, seen, _ = A.write_stance(project, doc, gold, "nato_membership", "favor", span_id, expected_version=0)
    A.set_stance(colleague, doc, gold, "nato_membership", None, span_id, expected_version=seen)
    A.set_stance(colleague, doc, gold, "nato_membership", "against", span_id, expected_version=0)
    with pytest.raises(StaleWriteError):
        A.set_stance(project, doc, gold, "nato_membership", "neutral", span_id, expected_version=seen)
    assert [s.value for s in D.load_view(project, doc, gold).stances] == ["against"]


def _described(scheme_project: Project, text: str) -> Scheme:
    toml = scheme_to_toml(scheme_project.scheme)
    return parse_scheme(re.sub(r"^description = .*$", f'description = "{text}"', toml, count=1, flags=re.M))


def test_two_scheme_changes_from_the_same_scheme_cannot_both_land(project: Project, colleague: Project) -> None:
    S.apply(colleague, _described(colleague, "theirs"), "bob")
    with pytest.raises(StaleWriteError) as refused:
        S.apply(project, _described(project, "mine"), "alice")
    assert refused.value.stored == colleague.scheme
    assert [v.author for v in S.versions(project)][-1] == "bob"
    # Opened again (their scheme now), the change applies.
    reopened = Project.open(project.store.location)
    try:
        S.apply(reopened, _described(reopened, "mine"), "alice")
        assert [v.author for v in S.versions(reopened)][-1] == "alice"
        assert reopened.scheme.description == "mine"
    finally:
        reopened.close()


def test_after_a_refused_scheme_change_reload_takes_theirs_and_mine_applies_on_top(
    project: Project, colleague: Project
) -> None:
    S.apply(colleague, _described(colleague, "theirs"), "bob")
    with pytest.raises(StaleWriteError):
        S.apply(project, _described(project, "mine"), "alice")
    assert S.reload(project) == colleague.scheme == project.scheme
    S.apply(project, _described(project, "mine"), "alice")
    assert [v.author for v in S.versions(colleague)][-2:] == ["bob", "alice"]
    assert project.scheme.description == "mine"


# -- the stance clock on every path that makes a stance anew ----------------------------------------


def _line(project: Project, doc: int, annotator: str, target: str, value: str) -> str:
    """One annotation-JSONL line: `annotator`'s stance on the stored document `doc`."""
    info = D.load_view(project, doc, project.annotator(annotator).id).document
    document = {"id": info.info.ext_id, "sha256": info.info.sha256, "text": info.text}
    line = {"document": document, "annotator": annotator, "stances": [{"target": target, "value": value}]}
    return json.dumps(line) + "\n"


def _again_by_merge(colleague: Project, doc: int, value: str, tmp_path: Path) -> None:
    (tmp_path / "offline.jsonl").write_text(_line(colleague, doc, "alice", "nato_membership", value))
    assert merge_jsonl(colleague, tmp_path / "offline.jsonl").counts.stances_added == 1


def _again_by_import(colleague: Project, doc: int, value: str, tmp_path: Path) -> None:
    (tmp_path / "annotations.jsonl").write_text(_line(colleague, doc, "alice", "nato_membership", value))
    report = import_paths(colleague, [tmp_path / "annotations.jsonl"])
    assert report.annotations_added.stances == 1, report


def _again_by_set(colleague: Project, doc: int, value: str, _tmp_path: Path) -> None:
    A.set_stance(colleague, doc, colleague.annotator("alice").id, "nato_membership", value, expected_version=0)


@pytest.mark.parametrize("again", [_again_by_set, _again_by_merge, _again_by_import])
def test_a_stance_cleared_and_made_again_by_a_merge_or_an_import_is_not_the_version_i_saw(
    project: Project, colleague: Project, tmp_path: Path, again: Callable[[Project, int, str, Path], None]
) -> None:
    """Set, clear, set again (by hand, by merging an offline copy, by importing a file), then a
    write naming the version first seen is refused: the stance made again starts above it."""
    doc = add_texts(project, TEXT)[0]
    alice = project.annotator("alice").id
    A.set_stance(project, doc, alice, "nato_membership", "favor", expected_version=0)
    (seen,) = D.load_view(project, doc, alice).stances
    A.set_stance(colleague, doc, alice, "nato_membership", None, expected_version=seen.version)
    again(colleague, doc, "against", tmp_path)
    (now,) = D.load_view(colleague, doc, alice).stances
    assert now.value == "against" and now.version > seen.version

    with pytest.raises(StaleWriteError) as refused:
        A.set_stance(project, doc, alice, "nato_membership", "neutral", expected_version=seen.version)
    assert isinstance(refused.value.stored, Stance) and refused.value.stored.value == "against"
    assert [s.value for s in D.load_view(project, doc, alice).stances] == ["against"]


def test_a_gold_stance_rejected_and_accepted_again_is_not_the_version_i_saw(
    project: Project, colleague: Project
) -> None:
    doc = add_texts(project, TEXT)[0]
    alice, bob, gold = (project.annotator(name).id for name in ("alice", "bob", "gold"))
    for who in (alice, bob):
        A.set_stance(project, doc, who, "nato_membership", "favor")
    key = "stance:nato_membership"
    R.accept(project, doc, R.align_document(project, doc, [alice, bob]).item(key), alice)
    (seen,) = D.load_view(project, doc, gold).stances

    R.reject(colleague, doc, R.align_document(colleague, doc, [alice, bob]).item(key))  # gold's stance goes
    R.clear_rejection(colleague, doc, key)
    R.accept(colleague, doc, R.align_document(colleague, doc, [alice, bob]).item(key), bob)  # and comes anew
    (now,) = D.load_view(colleague, doc, gold).stances
    assert now.version > seen.version

    with pytest.raises(StaleWriteError):
        A.set_stance(project, doc, gold, "nato_membership", "against", expected_version=seen.version)
    assert [s.value for s in D.load_view(project, doc, gold).stances] == ["favor"]


def test_a_gold_stance_undone_away_and_set_again_is_not_the_version_i_saw(project: Project, colleague: Project) -> None:
    """An undo of a decision puts gold back whole (its stances removed with the layer): a stance
    set afterwards starts above every version the layer had."""
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold").id
    before = R.gold_snapshot(project, doc)
    A.set_stance(project, doc, gold, "nato_membership", "favor", expected_version=0)
    (seen,) = D.load_view(project, doc, gold).stances

    A.set_stance(colleague, doc, gold, "nato_membership", "against", expected_version=seen.version)
    R.restore_gold(colleague, before, expected=R.gold_snapshot(colleague, doc))  # an undo: no stance
    A.set_stance(colleague, doc, gold, "nato_membership", "neutral", expected_version=0)
    (now,) = D.load_view(colleague, doc, gold).stances
    assert now.version > seen.version + 1

    with pytest.raises(StaleWriteError):
        A.set_stance(project, doc, gold, "nato_membership", "favor", expected_version=seen.version)
    assert [s.value for s in D.load_view(project, doc, gold).stances] == ["neutral"]


def test_a_claim_stance_removed_with_its_span_raises_the_clock(project: Project) -> None:
    doc = add_texts(project, TEXT)[0]
    alice = project.annotator("alice").id
    span, _ = A.add_span(project, doc, alice, "claim", 0, 28, {"claim_type": "factual"})
    A.set_stance(project, doc, alice, "nato_membership", "favor", span.id)
    A.set_stance(project, doc, alice, "nato_membership", "against", span.id)  # version 2
    A.delete_span(project, span.id)  # the claim stance goes with its span
    _previous, version, _ = A.write_stance(project, doc, alice, "nato_membership", "favor")
    assert version == 3

"""Changes: what a union of two changes says about the count of documents done."""

from __future__ import annotations

from annotator.model.changes import Changes

KEPT = Changes(frozenset({1}), spans=True, status=True, done_kept=True)  # a span added: in progress
MARKED = Changes(frozenset({2}), status=True)  # Ctrl+Enter: marked done


def test_the_done_count_stands_only_while_every_part_keeps_it() -> None:
    assert KEPT.done_count_kept and Changes(frozenset({1}), spans=True).done_count_kept
    assert not MARKED.done_count_kept
    assert (KEPT | Changes(frozenset({3}), relations=True)).done_count_kept
    assert not (KEPT | MARKED).done_count_kept and not (MARKED | KEPT).done_count_kept
    assert not (KEPT | Changes(documents=True)).done_count_kept  # an import: the total moves
    assert not Changes(annotators=True).done_count_kept  # another layer is "mine" now

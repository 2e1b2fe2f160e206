from __future__ import annotations

from annotator.model.search import find_matches, next_match

TEXT = "😀 NATO said: nato must act. NATO!"


def test_find_matches_is_case_insensitive_in_code_points() -> None:
    matches = find_matches(TEXT, " nato ")
    assert [TEXT[a:b] for a, b in matches] == ["NATO", "nato", "NATO"]
    assert matches[0] == (2, 6)  # the emoji is one code point
    assert find_matches(TEXT, "  ") == [] and find_matches(TEXT, "absent") == []
    assert find_matches("a.b a-b", ".") == [(1, 2)]  # the term is literal, not a pattern


def test_next_match_steps_and_wraps_both_ways() -> None:
    matches = find_matches(TEXT, "nato")
    assert next_match(matches, -1, True) == matches[0]
    assert next_match(matches, matches[0][0], True) == matches[1]
    assert next_match(matches, matches[2][0], True) == matches[0]
    assert next_match(matches, matches[0][0], False) == matches[2]
    assert next_match(matches, matches[2][0], False) == matches[1]
    assert next_match([], 0, True) is None

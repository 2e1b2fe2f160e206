from __future__ import annotations

import random

from annotator.model.search import find_matches, find_phrase, keyword_in_context, next_match, word_spans, words

TEXT = "😀 NATO said: nato must act. NATO!"


def test_find_matches_is_case_insensitive_in_code_points() -> None:
    matches = find_matches(TEXT, " nato ")
    assert [TEXT[a:b] for a, b in matches] == ["NATO", "nato", "NATO"]
    assert matches[0] == (2, 6)  # the emoji is one code point
    assert find_matches(TEXT, "  ") == [] and find_matches(TEXT, "absent") == []
    assert find_matches("a.b a-b", ".") == [(1, 2)]  # no words: the term as typed, not a pattern
    assert find_matches("x 😀 y😀", "😀") == [(2, 3), (5, 6)]


def test_find_matches_takes_words_the_last_one_unfinished() -> None:
    text = "Forewarned, the warden spoke of war: warfare, a reward. War-time talks; war talk"
    assert [text[a:b] for a, b in find_matches(text, "war")] == ["warden", "war", "warfare", "War", "war"]
    assert [text[a:b] for a, b in find_matches(text, "WAR ti")] == ["War-time"]
    assert [text[a:b] for a, b in find_matches(text, "war talk")] == ["war talk"]
    assert [text[a:b] for a, b in find_matches(text, "time tal")] == ["time talks"]
    assert find_matches(text, "arden") == []  # inside a word: not a match, as in the list


def test_next_match_steps_and_wraps_both_ways() -> None:
    matches = find_matches(TEXT, "nato")
    assert next_match(matches, -1, True) == matches[0]
    assert next_match(matches, matches[0][0], True) == matches[1]
    assert next_match(matches, matches[2][0], True) == matches[0]
    assert next_match(matches, matches[0][0], False) == matches[2]
    assert next_match(matches, matches[2][0], False) == matches[1]
    assert next_match([], 0, True) is None


def _phrase_by_tokens(text: str, phrase: list[str]) -> list[tuple[int, int]]:
    """The definition spelled out: consecutive words (runs of letters and digits), compared lower-cased."""
    tokens = word_spans(text)
    n = len(phrase)
    return [
        (tokens[i][0], tokens[i + n - 1][1])
        for i in range(len(tokens) - n + 1)
        if [t[2] for t in tokens[i : i + n]] == phrase
    ]


def test_find_phrase_is_consecutive_whole_words_in_any_case() -> None:
    rng = random.Random(3)
    vocab = ["nato", "NATO", "Nato", "talks", "talk", "a", "Київ", "x1", "1"]
    seps = [" ", ", ", "\n", "-", "_", "😀", "'", ""]
    for _ in range(300):
        text = "".join(rng.choice(vocab) + rng.choice(seps) for _ in range(rng.randint(1, 30)))
        for query in ("nato", "nato talks", "a a", "talk", "київ x1", "1", "nato nato nato"):
            assert find_phrase(text, words(query)) == _phrase_by_tokens(text, words(query)), (text, query)
    assert find_phrase("a a a", ["a", "a"]) == [(0, 3), (2, 5)]
    assert find_phrase("NATO's talks", words("NATO talks")) == []
    assert find_phrase("nato-talks", words("NATO talks")) == [(0, 10)]
    assert words("  NATO's, talks! ") == ["nato", "s", "talks"] and words("?!") == []


def test_keyword_in_context_flattens_line_breaks() -> None:
    assert keyword_in_context("ab\ncd NATO ef\tgh", 6, 10, width=4) == (" cd ", "NATO", " ef ")

from __future__ import annotations

import pytest

from annotator.model.snapping import move_edge, snap_selection

TEXT = "Zelensky said: “NATO must act now.” 😀 Done."


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (2, 6, "Zelensky"),  # inside a word grows to the word
        (0, 14, "Zelensky said"),  # trailing colon trimmed
        (14, 36, "NATO must act now"),  # leading space/quote and trailing punctuation trimmed
        (13, 16, None),  # only punctuation and space
        (38, 44, "Done"),  # after a non-BMP emoji
    ],
)
def test_snap_selection(start: int, end: int, expected: str | None) -> None:
    result = snap_selection(TEXT, start, end)
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert TEXT[result[0] : result[1]] == expected


def test_reversed_and_out_of_range_selection_is_clamped() -> None:
    assert snap_selection(TEXT, 8, 0) == (0, 8)
    clamped = snap_selection(TEXT, 39, 500)
    assert clamped is not None and TEXT[clamped[0] : clamped[1]] == "Done"


ISSUE = "President Volodymyr Zelenskiy has said that allies must act."


def test_a_drag_one_letter_into_the_next_word_does_not_take_it() -> None:
    """Issue 10: "Volodymyr Zelenskiy h" used to snap out to "Volodymyr Zelenskiy has"."""
    start = ISSUE.index("Volodymyr")
    end = ISSUE.index("has") + 1
    assert snap_selection(ISSUE, start, end) == (start, ISSUE.index(" has"))


@pytest.mark.parametrize(
    ("start_word", "start_off", "end_word", "end_off", "expected"),
    [
        ("Volodymyr", 5, "Zelenskiy", 9, "Zelenskiy"),  # 4 of 9 letters of Volodymyr: dropped
        ("Volodymyr", 4, "Zelenskiy", 9, "Volodymyr Zelenskiy"),  # 5 of 9: kept
        ("Volodymyr", 0, "Zelenskiy", 4, "Volodymyr"),  # 4 of 9 letters of Zelenskiy: dropped
        ("Volodymyr", 0, "Zelenskiy", 5, "Volodymyr Zelenskiy"),  # 5 of 9: kept
        ("has", 1, "has", 3, "has"),  # two thirds of one word
        ("has", 2, "has", 3, None),  # one third of the only word: nothing
    ],
)
def test_snapping_keeps_a_cut_word_only_when_half_of_it_is_covered(
    start_word: str, start_off: int, end_word: str, end_off: int, expected: str | None
) -> None:
    result = snap_selection(ISSUE, ISSUE.index(start_word) + start_off, ISSUE.index(end_word) + end_off)
    assert (ISSUE[result[0] : result[1]] if result else None) == expected


def test_move_edge_by_character_and_word() -> None:
    start, end = ISSUE.index("Volodymyr"), ISSUE.index(" has")
    assert move_edge(ISSUE, start, end, "end", -1, "char") == (start, end - 1)
    assert move_edge(ISSUE, start, end, "end", 1, "char") == (start, end + 1)
    assert move_edge(ISSUE, start, end, "start", 1, "char") == (start + 1, end)
    assert move_edge(ISSUE, start, end, "end", 1, "word") == (start, ISSUE.index(" said"))
    assert move_edge(ISSUE, start, end, "end", -1, "word") == (start, ISSUE.index(" Zelenskiy"))
    assert move_edge(ISSUE, start, end, "start", -1, "word") == (0, end)
    assert move_edge(ISSUE, start, end, "start", 1, "word") == (ISSUE.index("Zelenskiy"), end)
    # from the middle of a word, a word move goes to that word's own edge
    assert move_edge(ISSUE, start + 3, end, "start", -1, "word") == (start, end)


def test_move_edge_refuses_an_empty_span_or_leaving_the_text() -> None:
    one = ISSUE.index("has")
    assert move_edge(ISSUE, one, one + 3, "start", 1, "word") is None
    assert move_edge(ISSUE, one, one + 1, "end", -1, "char") is None
    assert move_edge(ISSUE, 0, 9, "start", -1, "char") is None
    assert move_edge(ISSUE, 0, len(ISSUE), "end", 1, "char") is None

from __future__ import annotations

import pytest

from annotator.model.snapping import snap_selection

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

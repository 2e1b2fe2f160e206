"""Formula neutralising for CSV cells, so a spreadsheet never executes what a user typed.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading
`'` (the OWASP "CSV injection" rule). Only text that came from users or input files is neutralised
(span text, attribute values, titles, metadata, annotator names, document ids); the integers and
timestamps the exporter writes itself (ids, offsets, counts, times) are left alone, so a negative
number stays a number. Document ids are neutralised the same way in every table, so joins hold.
"""

from __future__ import annotations

import json
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")
"""First characters that make spreadsheets evaluate a cell."""


def neutralise(cell: str) -> str:
    """`cell` with a leading `'` when it would start a formula."""
    # frozenset membership rather than `in "=+-@..."`: the empty string is "in" every string.
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def neutralise_value(value: Any) -> Any:
    """A metadata value as a cell: numbers stay numbers, strings are neutralised, the rest is JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return neutralise(value)
    return neutralise(json.dumps(value, ensure_ascii=False))


class CellGuard:
    """Neutralising as a value, so one table writer serves CSV (guarded) and formats that store text
    cells as text and need no guard (xlsx: `CellGuard(frozenset())` leaves every value as it is)."""

    def __init__(self, starts: frozenset[str] = FORMULA_STARTS) -> None:
        self.starts = starts

    def text(self, cell: str) -> str:
        return "'" + cell if cell[:1] in self.starts else cell

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if value is None or isinstance(value, bool | int | float):
            return neutralise_value(value)
        return self.text(json.dumps(value, ensure_ascii=False))


GUARDED = CellGuard()
UNGUARDED = CellGuard(frozenset())

"""OffsetMap: code points <-> UTF-16 units, checked against Python's own UTF-16 encoding and Qt's."""

from __future__ import annotations

import random

import pytest
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.ui.offsets import OffsetMap


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


MIXED = "Kyiv 😀 said “no” 🇺🇦—𝔘𝔨𝔯𝔞𝔦𝔫𝔢 é ü 中文 👩‍👩‍👧 end 𝄞"


@pytest.mark.parametrize("text", ["", "plain ascii", "accents é ü ß and CJK 中文 and “quotes”"])
def test_bmp_text_takes_the_identity_path(text: str) -> None:
    offsets = OffsetMap(text)
    assert offsets.identity
    assert offsets.utf16_length == offsets.cp_length == len(text)
    for cp in range(len(text) + 1):
        assert offsets.to_utf16(cp) == cp
        assert offsets.to_cp(cp) == cp


def test_every_position_matches_python_utf16_encoding() -> None:
    offsets = OffsetMap(MIXED)
    assert not offsets.identity
    assert offsets.utf16_length == utf16_len(MIXED)
    for cp in range(len(MIXED) + 1):
        u16 = offsets.to_utf16(cp)
        assert u16 == utf16_len(MIXED[:cp])
        assert offsets.to_cp(u16) == cp


def test_position_inside_a_surrogate_pair_maps_to_the_character_start() -> None:
    text = "a😀b"
    offsets = OffsetMap(text)
    assert [offsets.to_utf16(cp) for cp in range(4)] == [0, 1, 3, 4]
    assert [offsets.to_cp(u) for u in range(5)] == [0, 1, 1, 2, 3]


def test_text_starting_and_ending_with_non_bmp_and_adjacent_pairs() -> None:
    text = "😀😀x😀"
    offsets = OffsetMap(text)
    assert [offsets.to_utf16(cp) for cp in range(5)] == [0, 2, 4, 5, 7]
    assert offsets.to_cp(7) == 4


def test_out_of_range_positions_are_clamped() -> None:
    offsets = OffsetMap("a😀")
    assert offsets.to_utf16(-5) == 0
    assert offsets.to_utf16(99) == 3
    assert offsets.to_cp(-1) == 0
    assert offsets.to_cp(99) == 2


def test_random_texts_round_trip() -> None:
    rng = random.Random(7)
    alphabet = ["a", " ", "\n", "é", "中", "😀", "🇺", "𝔘", "\u200d", "𐍈"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        offsets = OffsetMap(text)
        for cp in range(len(text) + 1):
            assert offsets.to_utf16(cp) == utf16_len(text[:cp])
            assert offsets.to_cp(offsets.to_utf16(cp)) == cp


def test_qt_cursor_at_converted_positions_selects_the_same_substring(qapp: object) -> None:
    doc = QTextDocument()
    doc.setPlainText(MIXED)
    offsets = OffsetMap(MIXED)
    assert doc.characterCount() - 1 == offsets.utf16_length
    for start, end in [(0, 4), (5, 6), (12, 20), (20, 29), (30, len(MIXED))]:
        cursor = QTextCursor(doc)
        cursor.setPosition(offsets.to_utf16(start))
        cursor.setPosition(offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        assert cursor.selectedText() == MIXED[start:end]
        assert (offsets.to_cp(cursor.selectionStart()), offsets.to_cp(cursor.selectionEnd())) == (start, end)

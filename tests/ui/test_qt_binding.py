"""Guard against the PySide6 6.12.0 bug that drops a reference to None on every void Qt call.

On CPython < 3.12 None is not immortal, so a long session aborts with "none_dealloc". pyproject.toml
excludes the broken release; this test fails if a broken binding is ever installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_alive() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100

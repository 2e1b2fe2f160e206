"""SpanChoiceModel: the entries of the span editor's link combos ("(none)", then the spans a link may
go to), in a real QComboBox: qtmodeltester, the texts and ids the combo shows, a refill in one reset."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from annotator.ui.models.span_choice_model import NONE_TEXT, SpanChoiceModel


def test_a_combo_over_the_model_offers_none_then_each_span(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    combo = QComboBox()
    qtbot.addWidget(combo)
    model = SpanChoiceModel(combo)
    combo.setModel(model)
    assert [combo.itemText(i) for i in range(combo.count())] == [NONE_TEXT]
    assert combo.currentData() == 0
    model.set_items([("Zelensky  (0)", 7), ("Stoltenberg  (40)", 9)])
    qtmodeltester.check(model)
    assert [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == [
        (NONE_TEXT, 0),
        ("Zelensky  (0)", 7),
        ("Stoltenberg  (40)", 9),
    ]
    assert model.items == (("Zelensky  (0)", 7), ("Stoltenberg  (40)", 9))
    assert [model.row_of(i) for i in (0, 7, 9, 8)] == [0, 1, 2, -1]
    combo.setCurrentIndex(model.row_of(9))
    assert combo.currentText() == "Stoltenberg  (40)" and combo.currentData() == 9
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_items([("Kuleba  (80)", 11)])
    assert resets == [True] and combo.count() == 2 and combo.itemData(1) == 11

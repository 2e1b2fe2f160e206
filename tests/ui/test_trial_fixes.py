"""What a new-user trial of the real window found: status-bar hints that outlived their mode, the
link-pick button that widened the panel at 1366x768, the export's hidden default folder, the
search window opening a document the list's filter hid, and review mode at 1920x1080."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QFormLayout, QLineEdit, QScrollArea
from pytestqt.qtbot import QtBot

from annotator.ui.main_window import MainWindow
from tests.ui.test_keyboard_only import CLAIM_1, SOURCE_2, back_in_article, focus, press, search, type_text, window
from tests.ui.test_main_window import click_cp

__all__ = ["window"]  # the fixture, shared with the keyboard-only tests


def shows_hint(win: MainWindow) -> bool:
    message = win.status.currentMessage()
    return "Esc back" in message


def test_an_attribute_hint_goes_when_its_field_is_chosen_escaped_or_entered(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, CLAIM_1)
    press(qtbot, "c")
    press(qtbot, "w")  # check-worthiness: the status bar lists the choices
    assert isinstance(focus(), QComboBox)
    assert window.status.currentMessage().startswith("Checkworthy: 1 ")
    press(qtbot, "1")  # chosen: the hint goes with the mode
    back_in_article(qtbot, window)
    assert not shows_hint(window)
    press(qtbot, "y")
    assert shows_hint(window)
    press(qtbot, Qt.Key.Key_Escape)
    back_in_article(qtbot, window)
    assert not shows_hint(window)

    search(qtbot, window, SOURCE_2)
    press(qtbot, "s")
    back_in_article(qtbot, window)
    press(qtbot, "n")  # canonical name: type, Enter keeps it
    assert isinstance(focus(), QLineEdit)
    assert "Tab/↓ completes" in window.status.currentMessage()
    type_text(qtbot, "Kyiv")
    press(qtbot, Qt.Key.Key_Return)
    back_in_article(qtbot, window)
    assert not shows_hint(window)


def test_an_attribute_hint_goes_when_another_span_is_clicked(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, SOURCE_2)
    press(qtbot, "s")
    source_id = window.ctx.selected_span_id
    search(qtbot, window, CLAIM_1)
    press(qtbot, "c")
    press(qtbot, "w")
    assert shows_hint(window)
    start = window.article_view.document_text().index(SOURCE_2)
    click_cp(qtbot, window.article_view, start + 3)
    qtbot.waitUntil(lambda: window.ctx.selected_span_id == source_id)
    assert not shows_hint(window)


def test_other_messages_are_not_withdrawn_with_a_hint(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, CLAIM_1)
    press(qtbot, "c")
    press(qtbot, "w")
    window.status.post("Exported to somewhere")
    press(qtbot, "1")
    back_in_article(qtbot, window)
    assert window.status.currentMessage() == "Exported to somewhere"


def grab(win: MainWindow, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    win.grab().save(str(path))
    return path


def test_picking_a_source_keeps_the_panel_inside_a_1366x768_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    search(qtbot, window, CLAIM_1)
    press(qtbot, "c")
    button = window.tag_panel.span_editor.pick_buttons["attributed_to"]
    outer = window.tagging_dock.widget()
    assert isinstance(outer, QScrollArea)
    before = (button.width(), outer.width())
    press(qtbot, "a")  # link: pick a source on the text
    assert window.ctx.link_pending
    QApplication.processEvents()
    grab(window, tmp_path, "picking-1366x768")
    assert (button.width(), outer.width()) == before
    assert outer.horizontalScrollBar().maximum() == 0
    assert "source" in button.toolTip() and "Esc" in button.toolTip() and button.isChecked()
    assert window.status.currentMessage() == "Source: click it on the text (Esc back)"  # no source yet to choose
    form = window.tag_panel.span_editor._links  # noqa: SLF001 - the row's own label
    row_label = form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget()
    assert row_label.text() == "Attributed to" and row_label.isVisible()
    assert row_label.width() >= row_label.sizeHint().width()
    viewport = outer.viewport()
    for shown in window.tag_panel.findChildren(QAbstractButton):
        if shown.isVisible():
            right = shown.mapTo(viewport, QPoint(shown.width(), 0)).x()
            assert right <= viewport.width(), shown.text()

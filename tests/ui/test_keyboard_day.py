"""What a new user missed or found confusing in a full keyboard day with the real window: no key to
select a span already tagged, a nested claim made without a word, find highlights hiding span
colours, the Search window hiding the match it opened, duplicate menu mnemonics."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.services import annotations as svc
from annotator.services import documents
from annotator.ui.dialogs.agreement_report import AgreementReportWindow
from annotator.ui.dialogs.search_window import SearchWindow, aside_of
from annotator.ui.main_window import MainWindow
from annotator.ui.models.agreement_chart_data import ChartData
from annotator.ui.widgets.agreement_charts import AgreementBarChartView
from annotator.ui.widgets.search_highlight import MATCH_COLOR
from annotator.ui.widgets.span_painter import SELECTED_ALPHA
from tests.ui.test_keyboard_only import CLAIM_1, SOURCE_2, focus, press, search, type_text, window
from tests.ui.test_main_window import stored

__all__ = ["window"]  # the fixture, shared with the keyboard-only tests
ALT, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ShiftModifier


def tag(qtbot: QtBot, win: MainWindow, words: str, key: str) -> int:
    search(qtbot, win, words)
    press(qtbot, key)
    assert win.ctx.selected_span_id is not None
    return win.ctx.selected_span_id


def shown(win: MainWindow) -> int | None:
    span = win.tag_panel.span_editor.span
    return span.id if span is not None else None


def test_alt_n_and_alt_shift_n_select_the_next_and_previous_span_in_document_order(
    qtbot: QtBot, window: MainWindow
) -> None:
    claim = tag(qtbot, window, CLAIM_1, "c")
    source = tag(qtbot, window, SOURCE_2, "s")
    text = window.article_view.document_text()
    first, second = (claim, source) if text.index(CLAIM_1) < text.index(SOURCE_2) else (source, claim)
    press(qtbot, Qt.Key.Key_Escape)  # nothing selected: the walk starts from the caret
    assert window.ctx.selected_span_id is None
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_N, ALT)
    assert window.ctx.selected_span_id == first and shown(window) == first
    assert window.status.currentMessage().startswith("Span 1 of 2: ")
    press(qtbot, Qt.Key.Key_N, ALT)
    assert window.ctx.selected_span_id == second and shown(window) == second
    press(qtbot, Qt.Key.Key_N, ALT)  # past the last: wraps, and says so
    assert window.ctx.selected_span_id == first
    assert "back to the first" in window.status.currentMessage()
    press(qtbot, Qt.Key.Key_N, ALT | SHIFT)  # before the first: on to the last
    assert window.ctx.selected_span_id == second
    assert "on to the last" in window.status.currentMessage()
    press(qtbot, Qt.Key.Key_N, ALT | SHIFT)
    assert window.ctx.selected_span_id == first
    press(qtbot, Qt.Key.Key_Delete)  # the keys act on the span selected this way
    assert {s.id for s in stored(window).spans} == {second}
    action = window.action_map["next_span"]
    assert action in window.menus["Go"].actions() and "Alt+N" in action.toolTip()
    assert "Alt+Shift+N" in window.action_map["prev_span"].toolTip()


def test_alt_return_selects_the_span_under_the_caret_and_a_label_key_relabels_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    claim = tag(qtbot, window, SOURCE_2, "c")  # the wrong label
    press(qtbot, Qt.Key.Key_Escape)
    start = window.article_view.document_text().index(SOURCE_2)
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Return, ALT)
    assert window.ctx.selected_span_id is None
    assert window.status.currentMessage().startswith("No span at the caret")
    window.article_view.select_cp(start + 5, start + 5)  # the caret inside the span
    press(qtbot, Qt.Key.Key_Return, ALT)
    assert window.ctx.selected_span_id == claim and shown(window) == claim
    press(qtbot, "s")
    assert [(s.id, s.label) for s in stored(window).spans] == [(claim, "source")]
    assert "Alt+Return" in window.action_map["span_at_caret"].toolTip()


def test_c_on_a_claim_selects_it_and_c_inside_a_claim_says_it_nests(qtbot: QtBot, window: MainWindow) -> None:
    claim = tag(qtbot, window, CLAIM_1, "c")
    start = window.article_view.document_text().index(CLAIM_1)
    press(qtbot, Qt.Key.Key_Escape)
    window.article_view.select_cp(start, start + len(CLAIM_1))  # exactly the claim again
    press(qtbot, "c")
    assert window.ctx.selected_span_id == claim and len(stored(window).spans) == 1
    assert "already tagged" in window.status.currentMessage()
    press(qtbot, Qt.Key.Key_Escape)
    inner = CLAIM_1.index("Ukraine is safe")
    window.article_view.select_cp(start + inner, start + inner + len("Ukraine is safe"))
    press(qtbot, "c")  # nesting is allowed (PRODUCT.md does not forbid it), and said
    spans = stored(window).spans
    assert len(spans) == 2 and window.ctx.selected_span_id not in (None, claim)
    message = window.status.currentMessage()
    assert message.startswith("New claim inside claim “The US and its allies"), message


def _share_near(image: QImage, rect: QRect, colour: QColor, tolerance: int = 24) -> float:
    """The share of the pixels in `rect` within `tolerance` of `colour` on every channel."""
    near = total = 0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            pixel = image.pixelColor(x, y)
            total += 1
            channels = ((pixel.red(), colour.red()), (pixel.green(), colour.green()), (pixel.blue(), colour.blue()))
            near += all(abs(a - b) <= tolerance for a, b in channels)
    return near / max(total, 1)


def match_rect(win: MainWindow, start: int, end: int) -> QRect:
    view = win.article_view
    left, right = QTextCursor(view.document()), QTextCursor(view.document())
    left.setPosition(view.offsets().to_utf16(start))
    right.setPosition(view.offsets().to_utf16(end))
    a, b = view.cursorRect(left), view.cursorRect(right)
    return QRect(a.left() + 3, a.top() + 3, b.left() - a.left() - 6, a.height() - 6)


def test_find_frames_keep_span_colours_visible_and_esc_clears_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    search(qtbot, window, "guarantees")  # Ctrl+F, the word, Enter: its first match selected
    matches = window.search.matches
    assert len(matches) >= 2
    press(qtbot, "c")  # the match becomes a claim; its find highlight stays
    claim = QColor(window.ctx.project.scheme.label("claim").color)  # type: ignore[union-attr]
    fill = QColor(*(round((c * SELECTED_ALPHA + 255 * (255 - SELECTED_ALPHA)) / 255) for c in claim.getRgb()[:3]))
    window.resize(1366, 768)
    qtbot.wait(50)
    image = window.article_view.viewport().grab().toImage()
    image.save(str(tmp_path / "find-over-claim.png"))
    inside = match_rect(window, *matches[0])
    assert _share_near(image, inside, fill) > 0.3  # the claim's colour shows under the match
    assert _share_near(image, inside, MATCH_COLOR, 40) < 0.1
    frame = inside.adjusted(-4, -4, 4, 4)
    assert _share_near(image, frame, MATCH_COLOR, 40) > 0.02  # and the match is framed
    assert window.article_view.find_ranges() == matches
    press(qtbot, Qt.Key.Key_Escape)  # deselects the span and clears the frames
    assert window.ctx.selected_span_id is None and window.article_view.find_ranges() == []
    assert window.status.currentMessage().startswith("Find highlights cleared")
    press(qtbot, Qt.Key.Key_F3)  # the term is kept: F3 frames the matches again
    assert window.article_view.find_ranges() == matches
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Escape)  # Esc in the search box closes the find: frames cleared
    assert focus() is window.article_view and window.article_view.find_ranges() == []
    press(qtbot, Qt.Key.Key_F3)
    assert window.article_view.find_ranges() == matches
    window.documents_dock.toggleViewAction().trigger()  # View › Documents off: the search box goes
    assert not window.documents_dock.isVisible() and window.article_view.find_ranges() == []


def test_a_result_opened_from_the_search_window_is_not_hidden_by_it(qtbot: QtBot, window: MainWindow) -> None:
    window.setGeometry(0, 0, 1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | SHIFT)
    search_window = window.findChild(SearchWindow, "search_window")
    assert isinstance(search_window, SearchWindow)
    qtbot.waitUntil(search_window.query_edit.hasFocus)
    type_text(qtbot, "completely safe")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not search_window.searching and search_window.model.rowCount() > 0)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    hit = search_window.hit(0)
    assert hit is not None and window.ctx.current_doc_id == hit.doc_id
    qtbot.waitUntil(window.article_view.hasFocus)  # the keys go to the article
    assert QApplication.activeWindow() is window
    match = window.article_view.global_rect_of(hit.start, hit.end)
    assert search_window.isVisible()  # still open, for the next result
    assert not search_window.frameGeometry().intersects(match), (search_window.frameGeometry(), match)


def test_the_search_window_goes_above_or_below_the_match_on_a_1366x768_screen() -> None:
    screen = QRect(0, 0, 1366, 768)
    frame = QRect(183, 104, 1000, 560)  # centred over a maximised main window
    line = QRect(300, 380, 700, 22)  # the match, centred in the article
    placed = aside_of(frame, line, screen, 250)
    assert not placed.intersects(line) and screen.contains(placed)
    assert placed.height() >= 250 and placed.width() == 1000
    assert aside_of(QRect(0, 500, 400, 200), line, screen, 100) == QRect(0, 500, 400, 200)  # not in the way
    low = aside_of(QRect(0, 300, 400, 200), line, screen, 100)  # fits whole on both sides: the nearer
    assert low == QRect(0, 410, 400, 200)


def test_no_menu_has_two_entries_with_the_same_mnemonic(window: MainWindow) -> None:
    def mnemonic(text: str) -> str | None:
        found = re.search(r"&([^&])", text.replace("&&", ""))
        return found.group(1).lower() if found else None

    menus = [window.menuBar(), *window.menus.values(), window.recent_menu]
    for menu in menus:
        keys = [mnemonic(a.text()) for a in menu.actions() if not a.isSeparator()]
        letters = [k for k in keys if k]
        assert len(letters) == len(set(letters)), (menu.title() if hasattr(menu, "title") else "bar", keys)


def test_the_chart_value_axis_reads_0_0_under_negative_bars(qtbot: QtBot) -> None:
    chart = AgreementBarChartView("Stance", "κ")
    qtbot.addWidget(chart)
    chart.set_data(ChartData(("nato", "guarantees"), (("κ", (-0.35, 0.6)),)))
    assert chart.value_labels() == ["-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    chart.set_data(ChartData(("nato",), (("κ", (0.5,)),)))
    assert chart.value_labels() == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]


def test_ctrl_tab_and_ctrl_shift_tab_move_between_the_agreement_reports_tabs(qtbot: QtBot, window: MainWindow) -> None:
    project = window.ctx.project
    target = project.scheme.target_names[0]
    for name, values in (("alice", ("favor", "against", "favor")), ("bob", ("favor", "favor", "against"))):
        who = project.annotator(name).id
        for doc_id, value in zip(documents.document_ids(project), values, strict=False):
            svc.set_stance(project, doc_id, who, target, value)
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | SHIFT)
    report = window.findChild(AgreementReportWindow)
    assert report is not None
    qtbot.waitUntil(lambda: report.report() is not None and not report.task.is_running(), timeout=20000)
    report.activateWindow()
    report.stance_table.setFocus()
    qtbot.waitUntil(report.stance_table.hasFocus)
    assert report.tabs.currentIndex() == 0
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert report.tabs.currentIndex() == 1
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert report.tabs.currentIndex() == 2
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | SHIFT)
    assert report.tabs.currentIndex() == 1
    report.close()


def test_alt_n_walks_only_the_layer_i_edit_not_a_colleagues_shown_beside_it(qtbot: QtBot, window: MainWindow) -> None:
    """Trial 2: Alt+N stopped on bob's read-only spans ("Span 2 of 6"), then Delete said "No span
    selected" and S "Select some text first"."""
    from annotator.model.changes import Changes

    claim = tag(qtbot, window, CLAIM_1, "c")
    doc = window.ctx.current_doc_id
    assert doc is not None
    text = window.article_view.document_text()
    bob = window.ctx.project.annotator("bob")
    start = text.index(SOURCE_2)
    bobs, _ = svc.add_span(window.ctx.project, doc, bob.id, "source", start, start + len(SOURCE_2))
    window.ctx.notify(Changes(frozenset({doc}), spans=True, annotators=True))
    window.layers_panel.set_checked(bob.id, True)
    qtbot.waitUntil(lambda: bobs.id in {s.id for s in window.article_view.spans()})
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(3):
        press(qtbot, Qt.Key.Key_N, ALT)
        assert window.ctx.selected_span_id == claim
        assert window.status.currentMessage().startswith("Span 1 of 1: ")
    press(qtbot, Qt.Key.Key_Escape)
    window.article_view.select_cp(start + 2, start + 2)  # the caret inside bob's span only
    press(qtbot, Qt.Key.Key_Return, ALT)
    assert window.ctx.selected_span_id is None
    assert "colleague's span" in window.status.currentMessage()


def test_ctrl_f_enter_finds_words_in_the_open_article_even_when_the_filter_no_longer_lists_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Trial 2: working through a "Not started" list, the open article left the list with its first
    tag; then Ctrl+F, words, Enter framed them but left the keys in the search box, silently, and the
    next Shift+Ctrl+Left and S edited the search text."""
    from annotator.model.types import Status

    window.document_list.set_status_filter(Status.NOT_STARTED)
    tag(qtbot, window, CLAIM_1, "c")  # the article is in progress now: the filter hides it
    opened = window.ctx.current_doc_id
    tag(qtbot, window, SOURCE_2, "s")  # Ctrl+F, words, Enter, S: in the article still open
    assert opened not in window.document_list.model.doc_ids()  # the search applied the filter again
    assert window.ctx.current_doc_id == opened
    assert {s.label for s in stored(window).spans} == {"claim", "source"}
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "words in no article at all")
    press(qtbot, Qt.Key.Key_Return)
    assert "no document the filtered list shows has it" in window.status.currentMessage()

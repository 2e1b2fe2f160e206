"""ArticleViewWidget against a real project: text, highlights, clicks, selection offsets, zoom, layers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from annotator.model.changes import Changes
from annotator.model.types import Annotator, Span
from annotator.services import annotations as ann
from annotator.services.project import Project
from annotator.ui.context import AppContext
from annotator.ui.settings import qsettings
from annotator.ui.widgets.article_page import LONG_PARAGRAPH, unshaped_text
from annotator.ui.widgets.article_view import (
    DEFAULT_FONT_SIZE,
    FONT_SIZE_KEY,
    MIN_FONT_SIZE,
    ArticleViewWidget,
)
from tests.helpers import add_texts

MakeView = Callable[[], ArticleViewWidget]

EMOJI_TEXT = (
    "President 😀 Zelensky 🇺🇦 said the 𝔘𝔫𝔦𝔬𝔫 must act.\n\nNATO officials 👩‍👩‍👧 replied that talks would continue."
)


def span_on(
    project: Project,
    doc_id: int,
    who: Annotator,
    label: str,
    text: str,
    phrase: str,
    attrs: dict[str, str] | None = None,
) -> Span:
    start = text.index(phrase)
    return ann.add_span(project, doc_id, who.id, label, start, start + len(phrase), attrs)[0]


@pytest.fixture
def me(project: Project) -> Annotator:
    return project.annotator("me")


@pytest.fixture
def ctx(project: Project, me: Annotator) -> AppContext:
    return AppContext(project, me)


@pytest.fixture
def make_view(qtbot: QtBot, ctx: AppContext) -> Callable[[], ArticleViewWidget]:
    def make() -> ArticleViewWidget:
        view = ArticleViewWidget(ctx)
        qtbot.addWidget(view)
        view.resize(900, 600)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def point_of_cp(view: ArticleViewWidget, cp: int, *, edge: bool = False) -> QPoint:
    """The viewport point over the middle (or just inside the left edge) of the character at `cp`."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.offsets().to_utf16(cp))
    left = view.cursorRect(cursor)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    right = view.cursorRect(cursor)
    x = left.left() + 1 if edge else (left.left() + right.left()) // 2
    return QPoint(x, left.center().y())


def click_cp(qtbot: QtBot, view: ArticleViewWidget, cp: int) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of_cp(view, cp))


# -- empty state and loading ------------------------------------------------------------------------


def test_empty_state_hints_at_import_then_at_picking(make_view: MakeView, ctx: AppContext, project: Project) -> None:
    view = make_view()
    assert view.empty_hint() == "Import articles with File > Import…"
    view.grab()  # paints the hint without a document
    add_texts(project, "Some text.")
    ctx.notify(Changes(documents=True))
    assert view.empty_hint() == "Pick a document on the left"


def test_opening_a_document_shows_its_text_and_my_spans(
    make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    claim = span_on(project, doc, me, "claim", EMOJI_TEXT, "the 𝔘𝔫𝔦𝔬𝔫 must act")
    view = make_view()
    ctx.open_document(doc)
    assert view.doc_id == doc
    assert view.empty_hint() is None
    assert view.document_text() == EMOJI_TEXT
    assert view.toPlainText() == EMOJI_TEXT
    assert [s.id for s in view.spans()] == [claim.id]


def test_crlf_text_keeps_positions(make_view: MakeView, ctx: AppContext, project: Project, me: Annotator) -> None:
    text = "First line 😀\r\nSecond line says hello.\r\nThird."
    (doc,) = add_texts(project, text)
    view = make_view()
    ctx.open_document(doc)
    assert view.document().characterCount() - 1 == view.offsets().utf16_length
    start = text.index("says hello")
    view.select_cp(start, start + len("says hello"))
    assert view.textCursor().selectedText() == "says hello"
    assert view.selection_cp() == (start, start + len("says hello"))


# -- offsets across emoji ---------------------------------------------------------------------------


def test_selection_cp_counts_code_points_after_emoji(make_view: MakeView, ctx: AppContext, project: Project) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    view = make_view()
    ctx.open_document(doc)
    assert view.selection_cp() is None
    for phrase in ("Zelensky", "𝔘𝔫𝔦𝔬𝔫", "replied that talks"):
        start = EMOJI_TEXT.index(phrase)
        # Select the way Qt does: in UTF-16 units, computed independently of OffsetMap.
        u16 = len(EMOJI_TEXT[:start].encode("utf-16-le")) // 2
        cursor = view.textCursor()
        cursor.setPosition(u16)
        cursor.setPosition(u16 + len(phrase.encode("utf-16-le")) // 2, QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        assert cursor.selectedText() == phrase
        assert view.selection_cp() == (start, start + len(phrase))
        assert EMOJI_TEXT[slice(*view.selection_cp())] == phrase


def test_keyboard_selection_maps_to_code_points(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    view = make_view()
    ctx.open_document(doc)
    view.setFocus()
    view.select_cp(EMOJI_TEXT.index("😀"), EMOJI_TEXT.index("😀"))
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection_cp() == (EMOJI_TEXT.index("😀"), EMOJI_TEXT.index("😀") + 1)


def test_clicking_a_span_after_emoji_selects_it(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    source = span_on(project, doc, me, "source", EMOJI_TEXT, "NATO officials")
    view = make_view()
    ctx.open_document(doc)
    assert view.cp_at_point(point_of_cp(view, source.start)) == source.start
    with qtbot.waitSignal(ctx.span_selected) as blocker:
        click_cp(qtbot, view, source.start + 2)
    assert blocker.args == [source.id]
    assert ctx.selected_span_id == source.id
    # Clicking plain text clears the selection.
    with qtbot.waitSignal(ctx.span_selected) as blocker:
        click_cp(qtbot, view, EMOJI_TEXT.index("replied") + 1)
    assert blocker.args == [0]
    assert ctx.selected_span_id is None


def test_click_picks_the_innermost_of_nested_spans(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    outer = span_on(project, doc, me, "claim", EMOJI_TEXT, "President 😀 Zelensky 🇺🇦 said the 𝔘𝔫𝔦𝔬𝔫 must act")
    inner = span_on(project, doc, me, "source", EMOJI_TEXT, "President 😀 Zelensky")
    view = make_view()
    ctx.open_document(doc)
    click_cp(qtbot, view, EMOJI_TEXT.index("Zelensky") + 3)
    assert ctx.selected_span_id == inner.id
    click_cp(qtbot, view, EMOJI_TEXT.index("said") + 1)
    assert ctx.selected_span_id == outer.id


def test_click_past_the_end_of_a_line_is_not_on_a_span(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    claim = span_on(project, doc, me, "claim", EMOJI_TEXT, "the 𝔘𝔫𝔦𝔬𝔫 must act.")
    view = make_view()
    ctx.open_document(doc)
    ctx.select_span(claim.id)
    end_of_line = point_of_cp(view, claim.end - 1)
    assert view.cp_at_point(end_of_line + QPoint(300, 0)) is None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=end_of_line + QPoint(300, 0))
    assert ctx.selected_span_id is None


def test_click_while_link_pending_chooses_the_target(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    source = span_on(project, doc, me, "source", EMOJI_TEXT, "NATO officials")
    view = make_view()
    ctx.open_document(doc)
    ctx.set_link_pending(True)
    assert view.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    with qtbot.waitSignal(ctx.link_target_chosen) as blocker:
        click_cp(qtbot, view, source.start + 1)
    assert blocker.args == [source.id]
    assert view.viewport().cursor().shape() == Qt.CursorShape.IBeamCursor


def test_dragging_selects_text_without_clicking_a_span(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    span_on(project, doc, me, "source", EMOJI_TEXT, "Zelensky")
    view = make_view()
    ctx.open_document(doc)
    start, end = EMOJI_TEXT.index("Zelensky"), EMOJI_TEXT.index(" must")
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of_cp(view, start, edge=True))
    qtbot.mouseMove(view.viewport(), point_of_cp(view, end, edge=True))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of_cp(view, end, edge=True))
    assert ctx.selected_span_id is None
    assert view.selection_cp() == (start, end)
    assert view.textCursor().selectedText() == "Zelensky 🇺🇦 said the 𝔘𝔫𝔦𝔬𝔫"


# -- drawing ------------------------------------------------------------------------------------------


def test_spans_are_painted_in_their_label_colour(
    make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    source = span_on(project, doc, me, "source", EMOJI_TEXT, "NATO officials")
    view = make_view()
    ctx.open_document(doc)
    colour = QColor(project.scheme.label("source").color)

    def tint_at(cp: int) -> QColor:
        cursor = QTextCursor(view.document())
        cursor.setPosition(view.offsets().to_utf16(cp))
        rect = view.cursorRect(cursor)
        image = view.viewport().grab().toImage()
        return image.pixelColor(rect.left() + 2, rect.top() + 1)

    plain, tinted = tint_at(EMOJI_TEXT.index("replied")), tint_at(source.start)
    assert plain == view.palette().base().color()
    assert tinted != plain
    assert tinted.blue() > tinted.red()  # the default scheme's source colour is a blue
    ctx.select_span(source.id)
    selected = tint_at(source.start + 1)
    assert abs(selected.red() - colour.red()) < abs(tinted.red() - colour.red())


def test_tooltip_shows_label_attributes_and_link(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    claim = span_on(project, doc, me, "claim", EMOJI_TEXT, "the 𝔘𝔫𝔦𝔬𝔫 must act", {"claim_type": "demand"})
    source = span_on(project, doc, me, "source", EMOJI_TEXT, "Zelensky")
    ann.link(project, "attributed_to", claim.id, source.id)
    view = make_view()
    ctx.open_document(doc)
    tip = view.tooltip_for_cp(claim.start + 5)
    assert "<b>claim</b>" in tip and "claim_type: demand" in tip and "“Zelensky”" in tip
    point = point_of_cp(view, claim.start + 5)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    view.viewportEvent(event)
    assert "claim_type: demand" in QToolTip.text()
    assert view.tooltip_for_cp(EMOJI_TEXT.index("replied")) == ""


# -- following the context ----------------------------------------------------------------------------


def test_changes_to_this_document_refresh_the_spans(
    ctx: AppContext, project: Project, me: Annotator, make_view: MakeView
) -> None:
    doc, other = add_texts(project, EMOJI_TEXT, "Another article.")
    view = make_view()
    ctx.open_document(doc)
    span, changes = ann.add_span(project, doc, me.id, "claim", 0, 9)
    ctx.notify(changes)
    assert [s.id for s in view.spans()] == [span.id]
    view.select_cp(3, 5)
    _removed, changes = ann.delete_span(project, span.id)
    ctx.notify(changes)
    assert view.spans() == ()
    assert view.selection_cp() == (3, 5)  # a refresh leaves the reader's selection alone
    _span, changes = ann.add_span(project, other, me.id, "claim", 0, 7)
    ctx.notify(changes)
    assert view.spans() == ()


def test_selecting_a_span_far_down_scrolls_to_it(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    text = "".join(f"Paragraph {i} 😀 with some words in it.\n\n" for i in range(300)) + "The final claim."
    (doc,) = add_texts(project, text)
    claim = span_on(project, doc, me, "claim", text, "The final claim")
    view = make_view()
    ctx.open_document(doc)
    assert view.verticalScrollBar().value() == 0
    ctx.select_span(claim.id)
    assert view.verticalScrollBar().value() > 0
    assert view.viewport().rect().contains(point_of_cp(view, claim.start))
    assert view.cp_at_point(point_of_cp(view, claim.start)) == claim.start


def test_selecting_a_span_replaces_the_text_selection(
    make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    view = make_view()
    ctx.open_document(doc)
    view.select_cp(EMOJI_TEXT.index("NATO"), EMOJI_TEXT.index(" officials"))
    span, changes = ann.add_span(project, doc, me.id, "source", *view.selection_cp())
    ctx.notify(changes)
    ctx.select_span(span.id)
    assert view.selection_cp() is None


def test_other_layers_are_hidden_until_made_visible(
    qtbot: QtBot, make_view: MakeView, ctx: AppContext, project: Project, me: Annotator
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    colleague = project.annotator("colleague")
    theirs = span_on(project, doc, colleague, "claim", EMOJI_TEXT, "NATO officials 👩‍👩‍👧 replied")
    mine = span_on(project, doc, me, "source", EMOJI_TEXT, "NATO officials")
    view = make_view()
    ctx.open_document(doc)
    assert view.visible_layers == [me.id]
    assert [s.id for s in view.spans()] == [mine.id]
    view.set_visible_layers([me.id, colleague.id])
    assert {s.id for s in view.spans()} == {mine.id, theirs.id}
    assert "(colleague)" in view.tooltip_for_cp(mine.start)
    click_cp(qtbot, view, mine.start + 1)
    assert ctx.selected_span_id == mine.id  # mine wins over a shorter-or-longer colleague span
    click_cp(qtbot, view, EMOJI_TEXT.index("replied") + 1)
    assert ctx.selected_span_id == theirs.id
    view.grab()


def test_project_replaced_clears_the_view(
    make_view: MakeView, ctx: AppContext, project: Project, me: Annotator, tmp_path: object
) -> None:
    (doc,) = add_texts(project, EMOJI_TEXT)
    view = make_view()
    ctx.open_document(doc)
    other = Project.open(tmp_path / "other.db")  # type: ignore[operator]
    ctx.replace_project(other, other.annotator("me"))
    try:
        assert view.doc_id is None
        assert view.document_text() == ""
        assert view.empty_hint() == "Import articles with File > Import…"
    finally:
        other.close()


# -- zoom ---------------------------------------------------------------------------------------------


def test_zoom_is_remembered(make_view: MakeView) -> None:
    view = make_view()
    assert view.font_size() == DEFAULT_FONT_SIZE
    view.zoom_in()
    view.zoom_in()
    assert view.font_size() == DEFAULT_FONT_SIZE + 2
    assert int(qsettings().value(FONT_SIZE_KEY)) == DEFAULT_FONT_SIZE + 2
    assert make_view().font_size() == DEFAULT_FONT_SIZE + 2
    view.zoom_out()
    assert view.font_size() == DEFAULT_FONT_SIZE + 1
    view.zoom_reset()
    assert view.font_size() == DEFAULT_FONT_SIZE
    for _ in range(DEFAULT_FONT_SIZE):
        view.zoom_out()
    assert view.font_size() == MIN_FONT_SIZE


def test_text_column_is_centred_and_limited(make_view: MakeView, ctx: AppContext, project: Project) -> None:
    (doc,) = add_texts(project, "word " * 400)
    view = make_view()
    view.resize(1600, 600)
    ctx.open_document(doc)
    margins = view.viewportMargins()
    assert margins.left() > 100 and abs(margins.left() - margins.right()) <= 1
    first_line = view.document().firstBlock().layout().lineAt(0)
    assert 60 <= first_line.textLength() <= 90


# -- shaping of very long paragraphs ------------------------------------------------------------------


def _no_shaping(view: ArticleViewWidget) -> bool:
    return bool(view.document().defaultFont().styleStrategy() & QFont.StyleStrategy.PreferNoShaping)


def test_unshaped_text_rule() -> None:
    latin = "Café naïve œuvre — “Ελλάδα” и Россия, 12 € ½ ™; " * 300  # 15,000 chars, one paragraph
    assert len(latin) > LONG_PARAGRAPH and unshaped_text(latin)
    assert not unshaped_text(latin.replace("; ", ";\n"))  # the same text in paragraphs
    assert unshaped_text(latin.replace("; ", ";\n", 50))  # one paragraph still too long
    assert not unshaped_text("word " * 1000)  # short
    for needs_shaping in ("مرحبا", "नमस्ते", "שלום", "e\u0301", "😀", "a\u200db", "\u202eabc", "→", "漢字", "\x85"):
        assert not unshaped_text(latin + needs_shaping), repr(needs_shaping)


def test_a_long_unbroken_latin_article_is_laid_out_without_shaping(
    make_view: MakeView, ctx: AppContext, project: Project
) -> None:
    unbroken = "The quick brown fox jumps over the lazy dog, naïvely. " * 400  # 21,600 chars, one paragraph
    arabic = "قال الرئيس إن المفاوضات ستستمر. " * 500
    flat, paragraphs, arabic_doc = add_texts(project, unbroken, unbroken.replace(". ", ".\n"), arabic)
    view = make_view()
    ctx.open_document(flat)
    assert view.unshaped and _no_shaping(view)
    assert view.document().toPlainText() == unbroken
    view.zoom_in()  # the page's new font reaches the text with the strategy kept
    assert _no_shaping(view) and view.document().defaultFont().pointSize() == DEFAULT_FONT_SIZE + 1
    view.zoom_reset()
    ctx.open_document(paragraphs)
    assert not view.unshaped and not _no_shaping(view)
    assert view.document().toPlainText() == unbroken.replace(". ", ".\n")
    ctx.open_document(flat)
    assert _no_shaping(view)
    ctx.open_document(arabic_doc)
    assert not view.unshaped and not _no_shaping(view)
    assert view.document().toPlainText() == arabic
    assert view.document().defaultFont().pointSize() == DEFAULT_FONT_SIZE


def test_the_layout_of_a_long_paragraph_is_kept_for_repaints(
    make_view: MakeView, ctx: AppContext, project: Project
) -> None:
    unbroken = "The quick brown fox jumps over the lazy dog. " * 400  # 18,000 chars, one paragraph
    mixed = "A short paragraph.\n" + unbroken + "\nAnother short one."
    flat, paragraphs, both = add_texts(project, unbroken, unbroken.replace(". ", ".\n"), mixed)
    view = make_view()

    def kept() -> list[bool]:
        block, out = view.document().firstBlock(), []
        while block.isValid():
            out.append(block.layout().cacheEnabled())
            block = block.next()
        return out

    ctx.open_document(flat)
    assert kept() == [True]
    ctx.open_document(paragraphs)
    assert not any(kept())
    ctx.open_document(both)
    assert kept() == [False, True, False]
    assert view.document().toPlainText() == mixed

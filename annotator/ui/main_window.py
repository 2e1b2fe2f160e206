"""`MainWindow`: composes the workspace and wires the action table to the widgets.

Left docks: the document list and the layers list. Centre: the article. Right dock: the tagging
panel in a scroll area. Bottom dock (review mode only): the review panel; review and layer rules live
in `review_mode.py`.
The window builds menus from `ui/actions.py`, routes each action to the widget that owns the
behaviour, and keeps only shell state: the per-document timer and the status bar (its place, size
and dock layout are `dock_layout.LaidOutWindow`'s). File operations live in `file_operations.py`, which
document or span comes next in `document_navigation.py` and `span_navigation.py`, dialogs under
`dialogs/`, long jobs in `workers.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import QDockWidget, QMenu, QScrollArea, QWidget

from annotator.ui import dock_layout, settings
from annotator.ui.actions import EDGE_MOVES, MENUS, action_specs, attribute_keys, build_actions
from annotator.ui.dock_layout import LaidOutWindow

if TYPE_CHECKING:  # the workspace's modules load in `attach`, after the frame is on screen
    from annotator.model.changes import Changes
    from annotator.ui.context import AppContext, Conflict
    from annotator.ui.dialogs.conflict_dialog import ConflictDialog
    from annotator.ui.dialogs.search_window import SearchWindow
    from annotator.ui.first_page import FirstPage

_LAST_DOC_KEY = "session/last_doc"
ARTICLE_MIN_LINES = 14  # in review mode, beside the review dock
REVIEW_DOCK_SHARE = 0.4  # of the window's height, when review mode starts
_REVIEW_ACTIONS = ("accept_item", "reject_item", "edit_item", "accept_agreed")


def _last_doc_key(project_path: Path) -> str:
    """The settings key under which the document I had open in that project is remembered."""
    return f"{_LAST_DOC_KEY}/{project_path.name}"


def last_document(project_path: Path) -> int | None:
    """The document I had open last in the project at `project_path` (the settings remember it)."""
    last = settings.value(_last_doc_key(project_path))
    return int(last) if isinstance(last, (str, int)) and str(last).isdigit() else None


class MainWindow(LaidOutWindow):
    """The main window. `MainWindow(ctx)` composes the whole workspace at once; `MainWindow()` is
    only its frame (restored size and place, menu titles, a status bar), shown while the project
    opens, and `attach(ctx)` fills that same window (app.run_gui: the frame is on screen before
    SQLAlchemy, the project or any workspace module is loaded)."""

    def __init__(self, ctx: AppContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self._closed = False
        self._shown_once = False
        self.composing = False  # attach has begun (a failed one leaves a window to throw away)
        self.attached = False
        self.action_map: dict[str, QAction] = {}
        for name in MENUS:  # titles only until attach: the bar does not jump when the workspace arrives
            self.menuBar().addMenu(f"&{name}")
        self._restore_geometry()
        self.setWindowTitle("annotator")
        if ctx is not None:
            self.attach(ctx)

    def show_opening(self, what: str) -> None:
        """The frame's state while a project opens: its name in the title and the status bar."""
        self.setWindowTitle(f"{what} — annotator")
        self.statusBar().showMessage(f"Opening {what}…")

    def show_first_page(self, first: FirstPage, what: str) -> None:
        """The document I left, as I left it (`ui.first_page`), in the frame while the project opens;
        read-only: the article view replaces it in `attach`."""
        from annotator.ui.first_page import FirstPageView

        page = FirstPageView(first)
        self.setCentralWidget(page)
        page.setFocus()
        self.setWindowTitle(first.title)
        self.statusBar().showMessage(f"Opening {what}… (shown as you left it; editing starts once it is open)")

    def drop_first_page(self) -> None:
        """Take the first page away again (the project could not be opened)."""
        page = self.takeCentralWidget() if not self.composing else None
        if page is not None:
            page.deleteLater()

    def attach(self, ctx: AppContext) -> None:
        """Compose the workspace on `ctx` (once). A window already on screen opens its first document."""
        from annotator.ui.curator_lock import CuratorLock
        from annotator.ui.doc_timer import DocumentTimer
        from annotator.ui.document_navigation import DocumentNavigation
        from annotator.ui.file_operations import FileOperations
        from annotator.ui.keyboard_path import KeyboardPath
        from annotator.ui.live_updates import LiveUpdates
        from annotator.ui.review_mode import ReviewController
        from annotator.ui.span_navigation import SpanNavigation
        from annotator.ui.status_bar import ShellStatusBar
        from annotator.ui.widgets.article_view import ArticleViewWidget
        from annotator.ui.widgets.document_list import DocumentListWidget
        from annotator.ui.widgets.guidelines_view import GuidelinesViewWidget
        from annotator.ui.widgets.layers_panel import LayersPanelWidget
        from annotator.ui.widgets.review_panel import ReviewPanelWidget
        from annotator.ui.widgets.search_highlight import ArticleSearch
        from annotator.ui.widgets.tag_panel import TagPanelWidget

        assert not self.composing, "a main window is attached to one context, once"
        self.composing = True
        self.ctx = ctx
        self.article_view = ArticleViewWidget(ctx)
        self.document_list = DocumentListWidget(ctx)
        self.tag_panel = TagPanelWidget(ctx, self.article_view.selection_cp, self.article_view.document_text)
        self.setCentralWidget(self.article_view)
        self.documents_dock = self._dock(
            "documents_dock", "Documents", self.document_list, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        scroll = QScrollArea(self)
        scroll.setWidget(self.tag_panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tagging_dock = self._dock("tagging_dock", "Tagging", scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.layers_panel = LayersPanelWidget(ctx, ctx.annotator)
        self.layers_dock = self._dock("layers_dock", "Layers", self.layers_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.documents_dock, self.layers_dock, Qt.Orientation.Vertical)
        self.review_panel = ReviewPanelWidget(ctx, ctx.annotator)
        # The side docks keep the bottom corners, so the review dock sits under the article only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.review_dock = self._dock(
            "review_dock", "Review", self.review_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.review_dock.hide()
        self.guidelines_view = GuidelinesViewWidget(ctx)
        self.guidelines_dock = self._dock(
            "guidelines_dock", "Guidelines", self.guidelines_view, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.tagging_dock, self.guidelines_dock)
        self.tagging_dock.raise_()
        self.review = ReviewController(ctx, self.article_view, self.layers_panel, self.review_panel, self)
        self.status = ShellStatusBar(ctx, self)
        self.setStatusBar(self.status)
        self.conflict_dialog: ConflictDialog | None = None  # the last one asked (tests press its buttons)
        self.keyboard = KeyboardPath(ctx, self.article_view, self.tag_panel, self)
        self.search = ArticleSearch(ctx, self.article_view, self)
        self.span_navigation = SpanNavigation(ctx, self.article_view, self)
        self.navigation = DocumentNavigation(
            ctx, self.document_list, self.open_document, self.tag_panel.save_note, self
        )
        self.files = FileOperations(ctx, self)
        self.files.my_name = lambda: self.review.me.name
        self.timer = DocumentTimer(ctx, self)
        self.live = LiveUpdates(ctx, self)
        self.curator = CuratorLock(ctx, lambda: self.review.active, lambda: self.review.me.name, self)
        self.review_panel.guard = self.curator.check
        self.ctx.edit_guard = self.curator.check
        self.live.my_layers = lambda: {self.ctx.annotator.id, self.review.me.id}
        # What a switch leaves for the next turn of the event loop, once the document is shown:
        # remembering it, and reading the next one in the list ahead (`ctx.read_ahead`).
        self._after_switch = QTimer(self)
        self._after_switch.setSingleShot(True)
        self._after_switch.setInterval(0)
        self._after_switch.timeout.connect(self._on_after_switch_timeout)
        self._install_actions()
        self._connect_signals()
        self._restore_docks()
        self.attached = True
        self._update_title()
        if self.isVisible():  # the frame was shown first: open the first document now, keys in it
            self._shown_once = True
            self.open_first_document()
            self.article_view.setFocus()

    # --- composition ------------------------------------------------------------------------

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _handlers(self) -> dict[str, Callable[[], object]]:
        tag, view, files = self.tag_panel, self.article_view, self.files
        handlers: dict[str, Callable[[], object]] = {
            "new_project": files.new_project,
            "open_project": files.open_project,
            "connect_server": files.connect_server,
            "import_files": files.import_files,
            "import_folder": files.import_folder,
            "import_other": files.import_other,
            "export": files.export,
            "save_copy": files.save_copy,
            "merge": files.merge,
            "change_name": files.change_name,
            "quit": self.close,
            "delete_span": tag.delete_selected_span,
            "add_fragment": tag.add_fragment_from_selection,
            "cancel": self.cancel,
            "find": self.focus_search,
            "find_next": partial(self.search.step, True),
            "find_prev": partial(self.search.step, False),
            "corpus_search": self.show_corpus_search,
            "same_text": self.search_same_text,
            "pick_source": self.pick_source,
            "claim_stance": self.keyboard.arm_claim_stance,
            "cycle_target": tag.cycle_active_target,
            "done_next": self.navigation.done_and_next,
            "prev_doc": self.navigation.previous,
            "next_doc": self.navigation.next,
            "next_span": partial(self.span_navigation.step, True),
            "prev_span": partial(self.span_navigation.step, False),
            "span_at_caret": self.span_navigation.select_at_caret,
            "zoom_in": view.zoom_in,
            "zoom_out": view.zoom_out,
            "zoom_reset": view.zoom_reset,
            "reset_layout": self.reset_layout,
            "show_links": lambda: view.set_show_links(self.action_map["show_links"].isChecked()),
            "sources": self.show_sources,
            "shortcuts": self.show_shortcuts,
            "about": self.show_about,
            "review_mode": lambda: self.review.set_review_mode(self.action_map["review_mode"].isChecked()),
            "blind_mode": lambda: self.review.set_blind(self.action_map["blind_mode"].isChecked()),
            "accept_item": self.review_panel.accept_current,
            "reject_item": self.review_panel.reject_current,
            "edit_item": self.review_panel.edit_current,
            "accept_agreed": self.review_panel.accept_all_agreed,
            "agreement_report": self.show_agreement_report,
            "scheme_editor": self.show_scheme_editor,
        }
        for lab in self.ctx.project.scheme.active_labels:
            handlers[f"label.{lab.name}"] = partial(tag.add_span_from_selection, lab.name)
        for key in set(attribute_keys(self.ctx.project.scheme).values()):
            handlers[f"attr.{key}"] = partial(self.keyboard.arm_attribute, key)
        for action_id, (edge, step, unit) in EDGE_MOVES.items():
            handlers[action_id] = partial(tag.corrections.move_edge, edge, step, unit)  # type: ignore[arg-type]
        for i in range(1, len(self.ctx.project.scheme.stance_values) + 1):
            handlers[f"stance.{i}"] = partial(self.press_digit, i)
        for i in range(1, 10):
            handlers[f"version.{i}"] = partial(self.review_panel.pick_version, i)
        return handlers

    def _install_actions(self) -> None:
        """(Re)build actions and menus; the label and stance rows depend on the project's scheme."""
        for action in self.action_map.values():
            self.removeAction(action)
            action.deleteLater()
        self.menuBar().clear()
        scheme = self.ctx.project.scheme
        self.action_map = build_actions(self, scheme, self.ctx.undo_stack)
        handlers = self._handlers()
        menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENUS}
        for spec in action_specs(scheme):
            action = self.action_map[spec.id]
            self.addAction(action)  # shortcuts work even with the menu bar hidden
            if spec.id in handlers:
                action.triggered.connect(lambda _checked=False, fn=handlers[spec.id]: fn())
            menu = menus[spec.menu]
            if spec.separator_before:
                menu.addSeparator()
            menu.addAction(action)
            if spec.id == "open_project":
                self.recent_menu = menu.addMenu("Open &recent")
                self.recent_menu.setObjectName("recent_menu")
                self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        menus["View"].addSeparator()
        menus["View"].addAction(self.documents_dock.toggleViewAction())
        menus["View"].addAction(self.tagging_dock.toggleViewAction())
        menus["View"].addAction(self.layers_dock.toggleViewAction())
        menus["View"].addAction(self.review_dock.toggleViewAction())
        menus["View"].addAction(self.guidelines_dock.toggleViewAction())
        menus["Project"].addAction(self.guidelines_dock.toggleViewAction())
        self.menus: dict[str, QMenu] = menus
        self.action_map["show_links"].setChecked(self.article_view.show_links)
        self._sync_review_actions(self.review.active)

    def _connect_signals(self) -> None:
        self.ctx.document_opened.connect(self._on_ctx_document_opened)
        self.ctx.project_replaced.connect(self._on_ctx_project_replaced)
        self.ctx.changed.connect(self._on_ctx_changed)
        self.ctx.span_selected.connect(self._on_ctx_span_selected)
        self.ctx.write_refused.connect(self._on_ctx_write_refused)
        self.ctx.message_posted.connect(self.status.post)
        self.tag_panel.message_posted.connect(self.status.post)
        self.keyboard.message_posted.connect(self.status.post)
        self.keyboard.message_withdrawn.connect(self.status.withdraw)
        self.search.message_posted.connect(self.status.post)
        self.span_navigation.message_posted.connect(self.status.post)
        self.navigation.message_posted.connect(self.status.post)
        self.document_list.search_applied.connect(self.search.set_query)
        self.documents_dock.toggleViewAction().toggled.connect(self._on_documents_dock_toggled)
        self.document_list.first_match_opened.connect(self._on_document_list_first_match_opened)
        self.document_list.nothing_found.connect(self._on_document_list_nothing_found)
        self.document_list.keeps_open_document = lambda: bool(self.search.matches)
        self.article_view.span_edge_dragged.connect(self.tag_panel.corrections.drag_edge)
        self.files.message_posted.connect(self.status.post)
        self.status.name_change_requested.connect(self.files.change_name)
        self.files.project_replacing.connect(self._on_files_project_replacing)
        self.review.mode_changed.connect(self._on_review_mode_changed)
        self.review.mode_changed.connect(lambda _on: self.curator.update())
        self.curator.note_changed.connect(self.status.set_lock_note)
        self.files.merge_finished.connect(self.review.show_merged)
        self.review.layer_switching.connect(self.timer.flush)
        self.review.message_posted.connect(self.status.post)
        self.review_panel.message_posted.connect(self.status.post)
        self.review_panel.edit_requested.connect(self._on_review_panel_edit_requested)

    # --- behaviour routed from actions --------------------------------------------------------

    def open_document(self, doc_id: int | None) -> None:
        if doc_id is not None:
            self.ctx.open_document(doc_id)
            self.document_list.select_doc(doc_id)

    def open_first_document(self) -> None:
        """The document of my last session if it still exists, else the first unfinished one."""
        self.live.wait_listening()  # connected meanwhile in the feed's thread: no later change is missed
        self.open_document(self.navigation.first(last_document(self.ctx.project.path)))

    def cancel(self) -> None:
        if self.keyboard.in_panel():
            if self.ctx.link_pending:
                self.ctx.set_link_pending(False)
            self.keyboard.back_to_article()  # Esc from a field: back to the text, span still selected
            return
        if self.ctx.link_pending:
            self.ctx.set_link_pending(False)
        elif self.ctx.selected_span_id is not None:
            self.ctx.select_span(None)
        if self.search.clear_highlights():
            self.status.post("Find highlights cleared (F3 shows them again).")
        self.article_view.setFocus()

    def press_digit(self, number: int) -> None:
        """A digit outside a field. In review mode it picks whose version G accepts wherever the keys
        are, as in the review table: a key that wrote a gold stance unseen would be accepted with the
        item. Gold's document stance is set from its review item, or with the mouse in the panel."""
        if self.review.active:
            self.review_panel.pick_version(number)
        else:
            self.tag_panel.set_doc_stance_by_index(number)

    def pick_source(self) -> None:
        self.keyboard.arm_link()

    def focus_search(self) -> None:
        self.documents_dock.show()
        self.document_list.focus_search()

    def show_corpus_search(self, text: str | None = None) -> None:
        from annotator.ui.dialogs.search_window import SearchWindow  # loaded when first used

        window = SearchWindow.show_for(self.ctx, self, text)
        if not window.property("wired"):
            window.document_requested.connect(partial(self._on_search_window_document_requested, window))
            window.setProperty("wired", True)

    def search_same_text(self) -> None:
        """The Search window, searching for the selected span's text (or the selected text)."""
        selection = self.article_view.selection_cp()
        text = self.article_view.document_text()
        span_id = self.ctx.selected_span_id
        spans = [s for s in self.article_view.spans() if s.id == span_id] if span_id else []
        if spans:
            self.show_corpus_search(spans[0].text)
        elif selection is not None:
            self.show_corpus_search(text[selection[0] : selection[1]])
        else:
            self.status.post("Select a span (or some text) first, then Ctrl+Alt+F finds it elsewhere.")

    def open_at_match(self, doc_id: int, start: int, end: int) -> None:
        """Open a document with a search result selected and scrolled into view (and listed: a
        document-list filter that hides it is cleared)."""
        cleared = self.document_list.reveal(doc_id)
        self.open_document(doc_id)
        if cleared:
            self.status.post("The document list's filter hid this document: filter cleared.")
        if self.ctx.current_doc_id != doc_id:
            return
        self.article_view.select_cp(start, end)
        self.article_view.centerCursor()
        self.raise_()
        self.activateWindow()
        self.article_view.setFocus()

    def _on_search_window_document_requested(self, window: SearchWindow, doc_id: int, start: int, end: int) -> None:
        """A result opened from the Search window: the window steps aside from the match."""
        self.open_at_match(doc_id, start, end)
        if self.ctx.current_doc_id == doc_id:
            window.step_aside(self.article_view.global_rect_of(start, end))

    def show_scheme_editor(self) -> None:
        from annotator.ui.dialogs.scheme_editor import SchemeEditorDialog

        dialog = SchemeEditorDialog(self.ctx, self)
        dialog.finished.connect(dialog.deleteLater)
        self.scheme_editor = dialog
        dialog.open()

    def show_shortcuts(self) -> None:
        from annotator.ui.dialogs.help import ShortcutsDialog

        dialog = ShortcutsDialog(self.ctx.project.scheme, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def show_sources(self) -> None:
        from annotator.ui.dialogs.sources_dialog import SourcesDialog

        SourcesDialog.show_for(self.ctx, self)

    def show_agreement_report(self) -> None:
        from annotator.ui.dialogs.agreement_report import open_agreement_report  # loaded when first used

        open_agreement_report(self.ctx, self)

    def show_about(self) -> None:
        from annotator.ui.dialogs.help import show_about

        show_about(self)

    # --- slots ------------------------------------------------------------------------------

    def _on_ctx_document_opened(self, _doc_id: int) -> None:
        self._update_title()
        self._after_switch.start()

    def _remember_document(self) -> None:
        """Remember the open document for the next session of this project."""
        self._after_switch.stop()
        if self.ctx.current_doc_id is not None:
            settings.set_value(_last_doc_key(self.ctx.project.path), self.ctx.current_doc_id)

    def _on_after_switch_timeout(self) -> None:
        self._remember_document()
        doc_id = self.ctx.current_doc_id
        if doc_id is None:
            return
        # The next document in the list (wrapping round, as Ctrl+Enter's next unfinished one does):
        # Alt+Right and Ctrl+Enter then find it read, and only Qt's layout of its text is left.
        following = self.document_list.next_doc_id(doc_id)
        if following is None:
            following = self.document_list.next_doc_id(None)
        if following is None or following == doc_id:
            return
        # My layer alone: the live feed does not report colleagues' changes to documents not
        # shown, so a view holding their layers is read when the document opens.
        self.ctx.read_ahead(following)

    def _on_ctx_changed(self, changes: Changes) -> None:
        if changes.documents and self.ctx.current_doc_id is None:
            self.open_first_document()

    def _on_ctx_write_refused(self, conflict: Conflict) -> None:
        from annotator.ui.dialogs.conflict_dialog import ask_which_to_keep

        self.conflict_dialog = ask_which_to_keep(self, conflict, self.status.post)

    def _on_ctx_span_selected(self, span_id: int) -> None:
        # Moving through review items selects their spans; the keys stay with the review table.
        if span_id and self.ctx.current_doc_id is not None and not self.review_panel.has_table_focus():
            self.article_view.setFocus()

    def _on_document_list_first_match_opened(self) -> None:
        self.article_view.setFocus()
        self.article_view.moveCursor(QTextCursor.MoveOperation.Start)
        self.search.step(True)

    def _on_document_list_nothing_found(self, term: str) -> None:
        where = "no document the filtered list shows" if self.document_list.filtered() else "no document"
        self.status.post(f"“{term}”: {where} has it.")

    def _on_documents_dock_toggled(self, shown: bool) -> None:
        if not shown:  # the search box closed with its panel: its highlights go (F3 brings them back)
            self.search.clear_highlights()

    def _on_files_project_replacing(self) -> None:
        self._remember_document()
        self.tag_panel.save_note()
        self.timer.start(None)

    def _on_ctx_project_replaced(self) -> None:
        self._install_actions()
        self._update_title()
        self.open_first_document()

    def _on_review_mode_changed(self, on: bool) -> None:
        self._sync_review_actions(on)
        self.tag_panel.set_review_mode(on)
        self.review_dock.setVisible(on)
        self.status.refresh()
        # The article keeps ARTICLE_MIN_LINES lines however far the review dock is dragged up, and
        # starts with the larger share of the height.
        lines = self.article_view.fontMetrics().lineSpacing() * ARTICLE_MIN_LINES if on else 0
        self.article_view.setMinimumHeight(lines)
        if on:
            self.review_dock.raise_()
            self.resizeDocks([self.review_dock], [int(self.height() * REVIEW_DOCK_SHARE)], Qt.Orientation.Vertical)
            self.review_panel.table.setFocus()

    def _sync_review_actions(self, on: bool) -> None:
        self.action_map["review_mode"].setChecked(on)
        self.action_map["blind_mode"].setChecked(self.review.is_blind())
        for action_id in (*_REVIEW_ACTIONS, *(a for a in self.action_map if a.startswith("version."))):
            self.action_map[action_id].setEnabled(on)
        # The number keys pick whose version in review mode (`press_digit`): so do their menu rows.
        # (The actions are those of the scheme they were built for: a scheme change rebuilds them after.)
        texts = {spec.id: spec.text for spec in action_specs(self.ctx.project.scheme)}
        for action_id, action in self.action_map.items():
            if action_id.startswith("stance."):
                number = action_id.removeprefix("stance.")
                action.setText(f"Accept version of column {number}" if on else texts.get(action_id, action.text()))

    def _on_review_panel_edit_requested(self, _span_id: int) -> None:
        self.tagging_dock.show()
        self.tagging_dock.raise_()

    def _on_recent_menu_about_to_show(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in settings.recent_projects() if p != self.ctx.project.path.resolve()]
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.files.open_path(p))
        servers = [u for u in settings.recent_servers() if u != self.files.server_url()]
        if recent and servers:
            self.recent_menu.addSeparator()
        for url in servers:
            action = self.recent_menu.addAction(url)
            action.triggered.connect(lambda _checked=False, u=url: self.files.reopen_server(u))
        if not recent and not servers:
            self.recent_menu.addAction("No other recent projects").setEnabled(False)

    # --- window state -----------------------------------------------------------------------

    def _update_title(self) -> None:
        from annotator.model.errors import AnnotatorError

        parts = [self.ctx.project.path.name, "annotator"]
        if self.ctx.current_doc_id is not None:
            try:  # the document the article view has just read (no query of its own)
                info = self.ctx.view(self.ctx.current_doc_id).document.info
            except AnnotatorError:  # deleted meanwhile: the view shows the empty state
                info = None
            if info is not None:
                parts.insert(0, info.title or info.ext_id)
        self.setWindowTitle(" — ".join(parts))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown_once and self.attached:
            dock_layout.fit_docks(self, self.article_view)  # now the restored layout has its sizes
            # Opening the first document once the window has its size keeps the list view from
            # laying out every row of a 100,000-document list while it is still hidden.
            self._shown_once = True
            self.open_first_document()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.attached:  # the frame alone (a project that could not be opened): nothing to save
            super().closeEvent(event)
            return
        task = self.files.task
        if task is not None and task.is_running():
            # closing under a running import would close the project beneath it: stop it first
            task.ended.connect(self.close)
            task.cancel()
            self.status.post("Stopping the running job…")
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self._remember_document()
            self.tag_panel.save_note()
            self.timer.stop()
            self.save_layout()
            self.ctx.score_pending()
            self.ctx.project_closing.emit()  # the live feed stops, the curator lock is released
            self.ctx.project.close()
            self._keep_first_page()
        super().closeEvent(event)

    def _keep_first_page(self) -> None:
        """A project file's article, kept for the next start (`ui.first_page`) when it shows my
        layer only, as the next start will; the project is closed, so the file is as it stays."""
        if self.files.server_url() is not None:
            return
        from annotator.ui import first_page

        me = self.ctx.annotator.id
        mine_only = not self.review.active and self.article_view.visible_layers == [me]
        page = self.article_view.page_state() if mine_only else None
        first_page.save(self.ctx.project.path, self.ctx.annotator.name, self.windowTitle(), page)

"""The Agreement report window: computes `services.agreement.agreement` off the GUI thread and shows it.

Tabs: Overview (bar charts of document-stance α (with its 95% interval as an error bar), Fleiss' κ,
Gwet's AC1 and κ per target, and span F1 per label, plus the stance table), Spans (precision/recall/F1
per label and pair, unitizing α_U per label, and a per-pair confusion matrix),
Attribution & attributes (attribution F1, attribute and claim-stance coefficients), and Documents &
annotators (drill-down: a click on a document emits `document_requested(doc_id)` so the main window
opens it; a click on an annotator limits the documents table to that annotator's pairs). The
report keys documents by external id; the window maps them back to project ids through
`services.documents`. Every figure shows the number of items under it, and the conventions for
undefined values are stated under the tabs. With fewer than two annotators it shows what to do
instead of empty tables.

First figures, the rest after: the first job computes only what the Overview and Spans tabs show
(`agreement_overview`: document stance without α's bootstrap intervals, span scores, confusion,
attribution), shown at once (`figures_shown`); a second background job without a modal dialog then
computes attributes, claim stance, unitizing and the documents and annotators tables
(`sections_shown`), then the interval column and error bars, while the window stays usable
("computing…" in the cells and under the tabs, with a Stop button:
`agreement_intervals.IntervalFiller`); `report_computed` fires with the complete report. Copy and
Save wait for it, so a saved report is always the complete one, as `annotator agreement --json`
prints it. The tabs' layout is in `agreement_layout`.
Closing the window stops the second job; Recompute or a gold toggle drops it and starts over.
`open_agreement_report(ctx, parent)` is the entry point for the main window.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.context import AppContext
from annotator.ui.dialogs import agreement_layout
from annotator.ui.dialogs.agreement_intervals import IntervalFiller
from annotator.ui.dialogs.errors import describe, show_error
from annotator.ui.models import agreement_chart_data as chart_data
from annotator.ui.models import agreement_tables as tables
from annotator.ui.models.agreement_tables import ComputedReport, DocumentIndex, Report, compute_report
from annotator.ui.widgets.agreement_charts import AgreementBarChartView
from annotator.ui.widgets.report_table import ReportTableView
from annotator.ui.workers import BackgroundTask, run_in_background


class AgreementReportWindow(QDialog):
    """Non-modal. `compute()` starts the background job; `figures_shown` fires when the first figures
    are shown (the overview's sections), `sections_shown` when the other sections are, and
    `report_computed` when the intervals are in too (the complete report)."""

    document_requested = Signal(int)
    figures_shown = Signal(object)  # the AgreementReport, later sections and intervals pending
    sections_shown = Signal(object)  # the AgreementReport with every section, intervals maybe pending
    report_computed = Signal(object)  # the complete AgreementReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreement_report")
        self.setWindowTitle("Agreement report")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._ctx = ctx
        self._report: Report | None = None
        self._documents: DocumentIndex = {}
        self._annotator_filter: str | None = None
        self._idle: tuple[str, ...] = ()
        self.task: BackgroundTask | None = None
        self.intervals = IntervalFiller(self)
        self._build()
        self._connect_signals()
        self.resize(1100, 760)

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.stale_label = QLabel(self)
        self.stale_label.setObjectName("stale_label")
        self.stale_label.setStyleSheet("color: #a15c00")
        self.stale_label.hide()
        self.include_gold = QCheckBox("Include the gold layer", self)
        self.include_gold.setToolTip("Compare each annotator with the adjudicated (gold) layer as well")
        self.message = QLabel(self)
        self.message.setObjectName("empty_state")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(40)
        self.tabs = QTabWidget(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.tabs)
        self.stance_chart = AgreementBarChartView("Document stance: agreement per target", "α / κ", self)
        self.span_chart = AgreementBarChartView("Spans: F1 per label and pair", "F1", self)
        self.stance_table = ReportTableView("stance_table", self)
        self.span_table = ReportTableView("span_table", self)
        self.unitizing_table = ReportTableView("unitizing_table", self)
        self.conventions = QLabel(self)
        self.conventions.setObjectName("conventions")
        self.conventions.setWordWrap(True)
        self.conventions.setStyleSheet("color: #555; font-size: 11px")
        self.pair_combo = QComboBox(self)
        self.confusion_table = ReportTableView("confusion_table", self)
        self.confusion_table.setSortingEnabled(False)
        self.attribution_table = ReportTableView("attribution_table", self)
        self.attributes_table = ReportTableView("attributes_table", self)
        self.claim_stance_table = ReportTableView("claim_stance_table", self)
        self.annotator_table = ReportTableView("annotator_table", self)
        self.document_table = ReportTableView("document_table", self, stretch_column=0)
        self.filter_label = QLabel(self)
        self.show_all_button = QPushButton("Show all annotators", self)
        self.recompute_button = QPushButton("Recompute", self)
        self.copy_button = QPushButton("Copy as JSON", self)
        self.save_button = QPushButton("Save JSON…", self)
        self.close_button = QPushButton("Close", self)
        agreement_layout.add_tabs(self)
        # Ctrl+Tab / Ctrl+Shift+Tab step through the tabs wherever the keys are (a table keeps them).
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+Shift+Backtab", -1)):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda step=step: self._step_tab(step))
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.include_gold)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recompute_button)
        buttons.addWidget(self.interval_label)
        buttons.addWidget(self.stop_intervals_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.conventions)
        layout.addLayout(buttons)
        self._set_report_actions_enabled(False)

    def _step_tab(self, step: int) -> None:
        if self.tabs.isVisible() and self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _connect_signals(self) -> None:
        self.recompute_button.clicked.connect(self.compute)
        self.copy_button.clicked.connect(self.copy_json)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button.clicked.connect(self.close)
        self.intervals.sections_filled.connect(self._on_sections_done)
        self.intervals.filled.connect(self._on_intervals_done)
        self.include_gold.toggled.connect(self._on_include_gold_toggled)
        self.pair_combo.currentIndexChanged.connect(self._on_pair_combo_changed)
        self.annotator_table.clicked.connect(self._on_annotator_table_clicked)
        self.document_table.clicked.connect(self._on_document_table_activated)
        self.document_table.activated.connect(self._on_document_table_activated)
        self.show_all_button.clicked.connect(lambda: self.filter_documents(None))
        self._ctx.changed.connect(self._on_ctx_changed)
        self._ctx.project_replaced.connect(self._on_ctx_project_replaced)

    # --- computing ----------------------------------------------------------------------------

    def report(self) -> Report | None:
        return self._report

    @property
    def interval_task(self) -> BackgroundTask | None:
        return self.intervals.task

    @property
    def interval_label(self) -> QLabel:
        return self.intervals.label

    @property
    def stop_intervals_button(self) -> QPushButton:
        return self.intervals.stop_button

    def stop_intervals(self) -> None:
        """Stop computing the intervals (the figures stay; Recompute computes them again)."""
        self.intervals.stop()

    def annotator_names(self) -> list[str]:
        return [a.name for a in self._ctx.project.annotators() if self.include_gold.isChecked() or not a.is_gold]

    def compute(self) -> BackgroundTask | None:
        """Start computing (None when there is nothing to compare; the empty state says why)."""
        if self.task is not None and self.task.is_running():
            return self.task
        names = self.annotator_names()
        if len(names) < 2:
            self._show_empty(f"only one annotator ({names[0]})" if names else "no annotators yet")
            return None
        self.intervals.restart()
        project, me_id, gold = self._ctx.project, self._ctx.annotator.id, self.include_gold.isChecked()
        self.recompute_button.setEnabled(False)
        self.task = run_in_background(
            self,
            "Agreement report",
            f"Comparing {len(names)} annotators…",
            lambda progress, cancel: compute_report(
                project, me_id, gold, progress, cancel, intervals=False, overview=True
            ),
            self._on_task_done,
            self._on_task_failed,
            self._on_task_cancelled,
        )
        return self.task

    def _show_empty(self, who: str) -> None:
        """The empty state; `who` completes "this project has …"."""
        self._report = None
        self._set_report_actions_enabled(False)
        self.conventions.setText("")
        self.summary.setText("Agreement needs at least two annotators.")
        self.message.setText(agreement_layout.empty_text(who))
        self.stale_label.hide()
        self.stack.setCurrentWidget(self.message)

    def _on_task_done(self, result: ComputedReport) -> None:
        self.recompute_button.setEnabled(True)
        self._documents = result.documents
        if len(result.active) < 2:
            who = f"work from only {result.active[0]}" if result.active else "no annotations yet"
            self._show_empty(who + (f" ({', '.join(result.idle)}: no annotations)" if result.idle else ""))
            return
        self._idle = result.idle
        self.show_report(result.report)

    def _on_task_failed(self, exc: BaseException) -> None:
        self.recompute_button.setEnabled(True)
        message = (
            f"Could not compute agreement: {exc}"
            if isinstance(exc, ImportError)
            else describe(exc, "compute agreement")
        )
        show_error(self, "Agreement report", message)
        if self._report is None:
            self.message.setText(message)
            self.stack.setCurrentWidget(self.message)

    def _on_task_cancelled(self) -> None:
        self.recompute_button.setEnabled(True)
        if self._report is None:
            self.summary.setText("")
            self.message.setText("Computing the report was cancelled. Press <b>Recompute</b> to start again.")
            self.stack.setCurrentWidget(self.message)

    # --- showing ------------------------------------------------------------------------------

    def _show_sections(self, report: Report) -> None:
        """The tables of the sections after the overview: "computing…" while they are pending."""
        pending = report.sections_pending
        for table, make in (
            (self.unitizing_table, tables.unitizing_table),
            (self.attributes_table, tables.attributes_table),
            (self.claim_stance_table, tables.claim_stance_table),
            (self.annotator_table, tables.per_annotator_table),
        ):
            table.set_table(tables.pending(make(report)) if pending else make(report))

    def _on_sections_done(self, report: Report) -> None:
        self._report = report
        self._show_sections(report)
        self.filter_documents(self._annotator_filter)
        self.sections_shown.emit(report)

    def _on_intervals_done(self, full: Report) -> None:
        self._report = full
        self.stance_chart.set_data(chart_data.stance_chart(full))
        self.stance_table.set_table(tables.stance_table(full))
        self.attributes_table.set_table(tables.attributes_table(full))
        self.claim_stance_table.set_table(tables.claim_stance_table(full))
        self._set_report_actions_enabled(True)
        self.report_computed.emit(full)

    def show_report(self, report: Report) -> None:
        """Show `report`; when its intervals are pending, compute them in the background."""
        self._report = report
        names = tables.annotator_names(report)
        self.summary.setText(agreement_layout.summary_text(report, self._idle))
        self.conventions.setText(tables.CONVENTIONS_TEXT)
        self.stale_label.hide()
        self.stance_chart.set_data(chart_data.stance_chart(report))
        self.span_chart.set_data(chart_data.span_chart(report))
        self.stance_table.set_table(tables.stance_table(report))
        self.span_table.set_table(tables.span_table(report))
        self.attribution_table.set_table(tables.attribution_table(report))
        self._show_sections(report)
        previous = self.pair_combo.currentText()
        self.pair_combo.blockSignals(True)
        self.pair_combo.clear()
        self.pair_combo.addItems(tables.pairs(report))
        self.pair_combo.setCurrentIndex(max(0, self.pair_combo.findText(previous)))
        self.pair_combo.blockSignals(False)
        self._on_pair_combo_changed()
        keep = self._annotator_filter if self._annotator_filter in names else None
        self.filter_documents(keep)
        self.stack.setCurrentWidget(self.tabs)
        if report.sections_pending or report.intervals_pending:
            self._set_report_actions_enabled(False)
            self.intervals.show_pending(report)
            self.figures_shown.emit(report)
            self.intervals.start(report)
        else:
            self.intervals.hide()
            self._set_report_actions_enabled(True)
            self.figures_shown.emit(report)
            self.report_computed.emit(report)

    def filter_documents(self, annotator: str | None) -> None:
        """List only the pairs with `annotator` in the documents table (None: everyone)."""
        self._annotator_filter = annotator
        if self._report is None:
            return
        table = tables.per_document_table(self._report, self._documents, annotator)
        if self._report.sections_pending:
            self.document_table.set_table(tables.pending(table))
            self.filter_label.setText(tables.CI_PENDING)
            self.show_all_button.setEnabled(False)
            return
        self.document_table.set_table(table)
        rows = self.document_table.source.rowCount()
        if annotator is None:
            self.filter_label.setText(f"All pairs: {rows} rows.")
        else:
            self.filter_label.setText(f"Only pairs with <b>{annotator}</b>: {rows} rows.")
        self.show_all_button.setEnabled(annotator is not None)

    def _set_report_actions_enabled(self, enabled: bool) -> None:
        tip = "" if enabled or self._report is None else "Available once the whole report is computed"
        for button in (self.copy_button, self.save_button):
            button.setEnabled(enabled)
            button.setToolTip(tip)

    # --- JSON ---------------------------------------------------------------------------------

    def report_json(self) -> str:
        return json.dumps(None if self._report is None else self._report.to_json(), indent=2, ensure_ascii=False) + "\n"

    def copy_json(self) -> None:
        if self._report is not None:
            QApplication.clipboard().setText(self.report_json())
            self.stale_label.setText("The report was copied to the clipboard as JSON.")
            self.stale_label.show()

    def save_json(self, path: Path) -> None:
        path.write_text(self.report_json(), encoding="utf-8")

    def _on_save_button_clicked(self) -> None:
        if self._report is None:
            return
        project_path = self._ctx.project.path
        default = project_path.parent / f"{project_path.name.split('.')[0] or 'project'}-agreement.json"
        chosen, _ = QFileDialog.getSaveFileName(self, "Save agreement report", str(default), "JSON (*.json)")
        if not chosen:
            return
        try:
            self.save_json(Path(chosen))
        except OSError as exc:
            show_error(self, "Agreement report", describe(exc, "save the report"))
            return
        self.stale_label.setText(f"Saved to {chosen}.")
        self.stale_label.show()

    # --- slots --------------------------------------------------------------------------------

    def _on_include_gold_toggled(self, _checked: bool) -> None:
        self.compute()

    def _on_pair_combo_changed(self, _index: int = 0) -> None:
        if self._report is not None and self.pair_combo.currentText():
            self.confusion_table.set_table(tables.confusion_table(self._report, self.pair_combo.currentText()))
        else:
            self.confusion_table.set_table(tables.Table(()))

    def _on_annotator_table_clicked(self, index: QModelIndex) -> None:
        name = self.annotator_table.key_at(index)
        if isinstance(name, str):
            self.filter_documents(name)

    def _on_document_table_activated(self, index: QModelIndex) -> None:
        doc_id = self.document_table.key_at(index)
        if isinstance(doc_id, int):
            self.document_requested.emit(doc_id)

    def _on_ctx_changed(self, _changes: object) -> None:
        if self._report is not None:
            self.stale_label.setText(
                "Annotations changed since this report was computed: press Recompute to update it."
            )
            self.stale_label.show()

    def _on_ctx_project_replaced(self) -> None:
        self._report = None
        self._documents = {}
        if self.isVisible():
            self.compute()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.task is not None and self.task.is_running():
            self.task.cancel()
        self.stop_intervals()
        super().closeEvent(event)


def open_agreement_report(ctx: AppContext, parent: QWidget | None = None) -> AgreementReportWindow:
    """Show the report window (one per parent, reused) and compute it afresh.

    `document_requested` is connected to the parent's `open_document(doc_id)` when it has one (the
    main window does), else to `ctx.open_document`.
    """
    window = parent.findChild(AgreementReportWindow) if parent is not None else None
    if window is None:
        window = AgreementReportWindow(ctx, parent)
        opener = getattr(parent, "open_document", None)
        window.document_requested.connect(opener if callable(opener) else ctx.open_document)
    window.show()
    window.raise_()
    window.activateWindow()
    window.compute()
    return window

"""The later parts of the agreement report window's report, filled in after its first figures are shown.

The window shows the overview's sections (``model.agreement_compare.agreement_overview``, without
α's intervals) at once; this helper then computes the other sections
(``services.agreement.complete_report``: `sections_filled` carries that report) and then α's
bootstrap intervals, in background jobs without a modal progress dialog, so the window stays
usable. It owns the "Computing…" label and the Stop button that sit under the tabs, and a round
counter: each `restart()` (Recompute, the gold toggle) starts a new round, and the outcome of an
older round's job is dropped. `filled` carries the complete report.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from annotator.model.agreement_compare import with_intervals
from annotator.model.agreement_report import AgreementReport
from annotator.services.agreement import complete_report
from annotator.ui.dialogs.errors import describe, show_error
from annotator.ui.workers import BackgroundTask, run_in_background

COMPUTING = "Computing α's 95% intervals…"
COMPUTING_SECTIONS = "Computing attributes, claim stance, unitizing and the documents and annotators…"


class IntervalFiller(QObject):
    """The interval job of one report window (its parent, where the label and button live)."""

    sections_filled = Signal(object)  # the AgreementReport with every section, intervals maybe pending
    filled = Signal(object)  # the complete AgreementReport

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.label = QLabel(window)
        self.label.setObjectName("interval_label")
        self.label.hide()
        self.stop_button = QPushButton("Stop", window)
        self.stop_button.setToolTip("Stop computing the rest of the report (the figures shown stay)")
        self.stop_button.hide()
        self.stop_button.clicked.connect(self.stop)
        self.task: BackgroundTask | None = None
        self._round = 0  # counts restart() calls: an older round's intervals are dropped

    def restart(self) -> None:
        """A new report is being computed: stop the current job and forget its outcome."""
        self.stop()
        self._round += 1
        self.hide()

    def hide(self) -> None:
        self.label.hide()
        self.stop_button.hide()

    def show_pending(self, report: AgreementReport) -> None:
        """The label and the Stop button, before `start`."""
        self.label.setText(COMPUTING_SECTIONS if report.sections_pending else COMPUTING)
        self.label.show()
        self.stop_button.show()

    def start(self, report: AgreementReport) -> None:
        """Compute `report`'s pending sections, then its pending intervals, in the background."""
        done: Callable[[int, AgreementReport], None]
        if report.sections_pending:
            label, job, done = COMPUTING_SECTIONS, partial(complete_report, report), self._on_sections_done
        else:
            label, job, done = COMPUTING, partial(with_intervals, report), self._on_done
        self.label.setText(label)
        self.task = run_in_background(
            self._window,
            "Agreement report",
            label,
            lambda _progress, cancel: job(cancel),
            partial(done, self._round),
            partial(self._on_failed, self._round),
            partial(self._on_cancelled, self._round),
            modal=False,
        )

    def stop(self) -> None:
        """Stop computing the intervals (the figures stay; Recompute computes them again)."""
        if self.task is not None and self.task.is_running():
            self.task.cancel()

    def _on_sections_done(self, round_: int, report: AgreementReport) -> None:
        if round_ != self._round:  # recomputed meanwhile: these sections belong to an older report
            return
        self.sections_filled.emit(report)
        if report.intervals_pending:
            self.start(report)
        else:
            self.hide()
            self.filled.emit(report)

    def _on_done(self, round_: int, full: AgreementReport) -> None:
        if round_ != self._round:  # recomputed meanwhile: these intervals belong to an older report
            return
        self.hide()
        self.filled.emit(full)

    def _on_failed(self, round_: int, exc: BaseException) -> None:
        if round_ != self._round:
            return
        self.stop_button.hide()
        self.label.setText("The rest of the report could not be computed.")
        show_error(self._window, "Agreement report", describe(exc, "compute the rest of the report"))

    def _on_cancelled(self, round_: int) -> None:
        if round_ != self._round:
            return
        self.stop_button.hide()
        self.label.setText("The rest of the report was not computed: press Recompute for it.")

"""α's bootstrap intervals of the agreement report window, filled in after its figures are shown.

The window shows a report computed without the intervals (most of its time) at once; this helper
then computes them in a second background job without a modal progress dialog, so the window stays
usable. It owns the "Computing α's 95% intervals…" label and the Stop button that sit under the
tabs, and a round counter: each `restart()` (Recompute, the gold toggle) starts a new round, and the
outcome of an older round's job is dropped. `filled` carries the complete report.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from annotator.model.agreement_compare import with_intervals
from annotator.model.agreement_report import AgreementReport
from annotator.ui.dialogs.errors import describe, show_error
from annotator.ui.workers import BackgroundTask, run_in_background

COMPUTING = "Computing α's 95% intervals…"


class IntervalFiller(QObject):
    """The interval job of one report window (its parent, where the label and button live)."""

    filled = Signal(object)  # the complete AgreementReport

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.label = QLabel(window)
        self.label.setObjectName("interval_label")
        self.label.hide()
        self.stop_button = QPushButton("Stop", window)
        self.stop_button.setToolTip("Stop computing α's 95% intervals (the figures stay)")
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

    def show_pending(self) -> None:
        """The label and the Stop button, before `start`."""
        self.label.setText(COMPUTING)
        self.label.show()
        self.stop_button.show()

    def start(self, report: AgreementReport) -> None:
        """Compute `report`'s pending intervals in the background."""
        self.task = run_in_background(
            self._window,
            "Agreement report",
            COMPUTING,
            lambda _progress, cancel: with_intervals(report, cancel),
            partial(self._on_done, self._round),
            partial(self._on_failed, self._round),
            partial(self._on_cancelled, self._round),
            modal=False,
        )

    def stop(self) -> None:
        """Stop computing the intervals (the figures stay; Recompute computes them again)."""
        if self.task is not None and self.task.is_running():
            self.task.cancel()

    def _on_done(self, round_: int, full: AgreementReport) -> None:
        if round_ != self._round:  # recomputed meanwhile: these intervals belong to an older report
            return
        self.hide()
        self.filled.emit(full)

    def _on_failed(self, round_: int, exc: BaseException) -> None:
        if round_ != self._round:
            return
        self.stop_button.hide()
        self.label.setText("α's intervals could not be computed.")
        show_error(self._window, "Agreement report", describe(exc, "compute the intervals"))

    def _on_cancelled(self, round_: int) -> None:
        if round_ != self._round:
            return
        self.stop_button.hide()
        self.label.setText("α's intervals were not computed: press Recompute for them.")

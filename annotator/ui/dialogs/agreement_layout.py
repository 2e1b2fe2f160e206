"""The four tabs of the agreement report window, laid out around the widgets the window owns
(charts and report tables; `agreement_report.AgreementReportWindow` fills them), and the texts of its
summary line and empty state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from annotator.model.agreement_report import AgreementReport
from annotator.ui.widgets.report_table import group_box

if TYPE_CHECKING:
    from annotator.ui.dialogs.agreement_report import AgreementReportWindow


def add_tabs(w: AgreementReportWindow) -> None:
    """Overview, Spans, Attribution & attributes, Documents & annotators, into ``w.tabs``."""
    w.tabs.addTab(overview_tab(w.stance_chart, w.span_chart, w.stance_table), "Overview")
    w.tabs.addTab(spans_tab(w.span_table, w.unitizing_table, w.pair_combo, w.confusion_table), "Spans")
    w.tabs.addTab(links_tab(w.attribution_table, w.attributes_table, w.claim_stance_table), "Attribution && attributes")
    w.tabs.addTab(
        breakdown_tab(w.filter_label, w.show_all_button, w.annotator_table, w.document_table),
        "Documents && annotators",
    )


def overview_tab(stance_chart: QWidget, span_chart: QWidget, stance_table: QWidget) -> QWidget:
    charts = QSplitter(Qt.Orientation.Horizontal)
    charts.addWidget(stance_chart)
    charts.addWidget(span_chart)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(charts)
    split.addWidget(group_box("Document stance (items = documents)", stance_table))
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 1)
    split.setSizes([480, 160])
    return split


def spans_tab(span_table: QWidget, unitizing_table: QWidget, pair_combo: QWidget, confusion_table: QWidget) -> QWidget:
    pair_row = QHBoxLayout()
    pair_row.addWidget(QLabel("Pair:"))
    pair_row.addWidget(pair_combo)
    pair_row.addStretch(1)
    matrix = _row_above(pair_row, confusion_table)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(group_box("Span agreement per label (exact: same offsets; overlap: shared characters)", span_table))
    split.addWidget(
        group_box(
            "Unitizing α_U per label (Krippendorff: where the spans lie, character by character; "
            "all annotators on the documents all worked on, each pair on the documents both worked on)",
            unitizing_table,
        )
    )
    split.addWidget(group_box("Label confusion matrix (spans matched by overlap, whatever their label)", matrix))
    split.setSizes([250, 250, 170])
    return split


def links_tab(attribution_table: QWidget, attributes_table: QWidget, claim_stance_table: QWidget) -> QWidget:
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(group_box("Attribution (claim → source links among claims both marked)", attribution_table))
    split.addWidget(group_box("Span attributes (items = spans matched by overlap)", attributes_table))
    split.addWidget(group_box("Claim-level stance (items = claims matched by overlap)", claim_stance_table))
    return split


def breakdown_tab(
    filter_label: QWidget, show_all_button: QWidget, annotator_table: QWidget, document_table: QWidget
) -> QWidget:
    filter_row = QHBoxLayout()
    filter_row.addWidget(filter_label, 1)
    filter_row.addWidget(show_all_button)
    docs = _row_above(filter_row, document_table)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(group_box("Annotators (click one to see only their pairs below)", annotator_table))
    split.addWidget(group_box("Documents (click one to open it in the main window)", docs))
    split.setStretchFactor(1, 2)
    return split


def summary_text(report: AgreementReport, idle: tuple[str, ...]) -> str:
    """The line above the tabs: who is compared on how many documents; `idle` were left out."""
    names, n_docs = report.annotators, len(report.documents)
    compared = ", ".join(f"{p}: {n}" for p, n in report.pair_documents.items())
    return (
        f"<b>{len(names)} annotators</b> ({', '.join(names)}) on <b>{n_docs}</b> "
        f"document{'s' if n_docs != 1 else ''}. Pairs are compared on the documents "
        f"both worked on ({compared}); “–” marks a value that cannot be computed (hover it for "
        "why); “(n)” is the number of items under a figure."
        + (f" Left out (no annotations): {', '.join(idle)}." if idle else "")
    )


def empty_text(who: str) -> str:
    """The empty state; `who` completes "this project has …"."""
    return (
        f"<p><b>Nothing to compare: this project has {who}.</b></p>"
        "<p>Agreement is measured between annotators who worked on the same articles. Ask your "
        "colleagues for their project files (or JSONL exports) and bring them in with "
        "<b>File &gt; Merge colleague's work…</b>, then press <b>Recompute</b>.</p>"
    )


def _row_above(row: QHBoxLayout, below: QWidget) -> QWidget:
    """A row of controls over the widget they steer, without margins of its own."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(row)
    layout.addWidget(below)
    return box

"""The agreement report window on real projects: its charts and tables show what services.agreement
computes (and known hand-computed values), undefined values read "–" with a reason, drill-down by
document and annotator, JSON copy/save, the empty state, cancelling, and the main-window entry point."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import QRunnable, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from annotator.io.importer import import_paths
from annotator.model.agreement_report import AgreementReport
from annotator.model.changes import Changes
from annotator.model.types import GOLD
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.agreement import agreement
from annotator.services.project import Project
from annotator.ui import workers
from annotator.ui.context import AppContext
from annotator.ui.dialogs.agreement_report import AgreementReportWindow, open_agreement_report
from annotator.ui.models import agreement_tables as tables
from annotator.ui.models.agreement_chart_data import ChartData
from annotator.ui.models.agreement_table_model import AgreementTableModel
from annotator.ui.widgets.agreement_charts import AgreementBarChartView
from annotator.ui.widgets.report_table import ReportTableView
from annotator.ui.workers import job_pool

REPO = Path(__file__).resolve().parents[2]
ALICE_STANCES = ("favor", "against", "neutral", "favor", "against")
BOB_STANCES = ("favor", "against", "favor", "favor", "neutral")
# Cohen's kappa by hand: 3 of 5 agree; chance = (2*3 + 2*1 + 1*1) / 25; (15 - 9) / (25 - 9).
KAPPA_ALICE_BOB = 0.375
CLAIM_A = "The US and its allies must provide “legal” assurances that Ukraine is safe"
CLAIM_B = "it must still make sure the country is “completely safe,”"
SOURCE = "President Zelensky"


def span_at(project: Project, doc_id: int, who: int, label: str, text: str, trim: int = 0) -> int:
    body = documents.load_view(project, doc_id, who).document.text
    start = body.index(text)
    span, _ = svc.add_span(project, doc_id, who, label, start, start + len(text) - trim)
    return span.id


@pytest.fixture
def seeded(project: Project) -> list[int]:
    """The seed corpus; alice and bob set the first target on every document and mark claims on
    the first one (one claim exactly alike, one overlapping; a source only alice marked)."""
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    ids = documents.document_ids(project)
    target = project.scheme.target_names[0]
    alice, bob = project.annotator("alice").id, project.annotator("bob").id
    for doc_id, a, b in zip(ids, ALICE_STANCES, BOB_STANCES, strict=True):
        svc.set_stance(project, doc_id, alice, target, a)
        svc.set_stance(project, doc_id, bob, target, b)
    for who, trim in ((alice, 0), (bob, 3)):
        span_at(project, ids[0], who, "claim", CLAIM_A)
        span_at(project, ids[0], who, "claim", CLAIM_B, trim)
    span_at(project, ids[0], alice, "source", SOURCE)
    return ids


@pytest.fixture
def window(qtbot: QtBot, project: Project, seeded: list[int]) -> Iterator[AgreementReportWindow]:
    ctx = AppContext(project, project.annotator("alice"))
    win = AgreementReportWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win
    if win.task is not None and win.task.is_running():
        win.task.cancel()
        qtbot.waitUntil(lambda: not win.task.is_running(), timeout=20000)


def computed(qtbot: QtBot, win: AgreementReportWindow) -> AgreementReport:
    with qtbot.waitSignal(win.report_computed, timeout=20000) as blocker:
        assert win.compute() is not None
    report = blocker.args[0]
    assert isinstance(report, AgreementReport)
    return report


def column(table: ReportTableView, title: str) -> int:
    return table.source.table.columns.index(title)


def click_row(qtbot: QtBot, table: ReportTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_charts_and_tables_show_the_service_values(
    qtbot: QtBot, window: AgreementReportWindow, project: Project
) -> None:
    report = computed(qtbot, window)
    expected = agreement(project).to_json()
    assert json.loads(json.dumps(report.to_json())) == json.loads(json.dumps(expected))
    first, second = project.scheme.target_names[:2]
    stance = expected["stance"]
    assert stance[first]["kappa"]["alice|bob"] == pytest.approx(KAPPA_ALICE_BOB)
    assert window.stance_chart.series_values() == {
        "α (all)": [stance[first]["alpha"], None],
        "Fleiss κ": [stance[first]["fleiss_kappa"], None],
        "Gwet AC1": [stance[first]["gwet_ac1"], None],
        "κ alice|bob": [pytest.approx(KAPPA_ALICE_BOB), None],
    }
    assert window.stance_chart.error_bars() == {"α (all)": [tuple(stance[first]["alpha_ci95"]), None]}
    # The gap is marked, and every category says how many items it rests on.
    assert window.stance_chart.categories() == [f"{first}<br>n = 5", f"{second}<br>n = 0 *"]
    # Hovering a bar gives its value, its interval and the items under it (κ: the documents both rated).
    low, high = stance[first]["alpha_ci95"]
    assert window.stance_chart.tooltip_text(0, 0) == (
        f"{first}, n = 5 — α (all): {stance[first]['alpha']:.3f}, 95% interval [{low:.3f}, {high:.3f}] (n = 5)"
    )
    assert window.stance_chart.tooltip_text(3, 1).endswith(
        "κ alice|bob: undefined (see the table below for why) (n = 0)"
    )
    # Span F1 categories and bars say how many spans (both annotators') they rest on.
    claim = expected["spans"]["claim"]["alice|bob"]
    assert (
        window.span_chart.categories()[0] == f"claim<br>alice|bob<br>n = {claim['first_count'] + claim['second_count']}"
    )
    assert window.span_chart.tooltip_text(1, 0).endswith(f"(n = {claim['first_count'] + claim['second_count']})")
    spans = expected["spans"]
    assert window.span_chart.series_values() == {
        "exact F1": [spans["claim"]["alice|bob"]["exact_f1"], spans["source"]["alice|bob"]["exact_f1"]],
        "overlap F1": [spans["claim"]["alice|bob"]["overlap_f1"], spans["source"]["alice|bob"]["overlap_f1"]],
    }
    assert spans["claim"]["alice|bob"]["exact_f1"] == pytest.approx(0.5)  # 1 of 2 + 2 alike
    assert spans["claim"]["alice|bob"]["overlap_f1"] == pytest.approx(1.0)
    table = window.stance_table
    kappa = column(table, "κ alice|bob")
    assert table.source.cell(0, kappa).value == pytest.approx(KAPPA_ALICE_BOB)
    assert table.model().index(0, kappa).data() == "0.375 (5)"  # on 5 documents
    assert table.source.cell(0, column(table, "n")).value == 5
    undefined = table.model().index(1, kappa)
    assert undefined.data() == "– (0)" and undefined.data(Qt.ItemDataRole.ToolTipRole) == tables.KAPPA_WHY
    alpha = table.model().index(1, column(table, "α (all annotators)"))
    assert alpha.data() == "–" and "variation" in alpha.data(Qt.ItemDataRole.ToolTipRole)
    rows = {(r[0].value, r[1].value): r for r in window.span_table.source.table.rows}
    exact = column(window.span_table, "Exact F1")
    assert rows[("claim", "alice|bob")][exact].value == pytest.approx(0.5)
    assert rows[(tables.ALL_LABELS, "alice|bob")][exact].value == expected["spans_micro"]["alice|bob"]["exact_f1"]
    assert rows[("claim", "alice|bob")][column(window.span_table, "Documents")].value == 5
    unitizing = {(r[0].value, r[1].value): r for r in window.unitizing_table.source.table.rows}
    alpha_u = column(window.unitizing_table, "α_U")
    assert unitizing[("claim", "all annotators")][alpha_u].value == expected["unitizing"]["claim"]["alpha_u"]
    pair_alpha = expected["unitizing_pairs"]["claim"]["alice|bob"]["alpha_u"]
    assert unitizing[("claim", "alice|bob")][alpha_u].value == pair_alpha
    assert "one category" in window.conventions.text() and "(n)" in window.conventions.text()
    matrix = window.confusion_table.source.table
    assert window.pair_combo.currentText() == "alice|bob"
    assert matrix.columns[1:] == tuple(expected["span_confusion"]["alice|bob"]["claim"])
    assert [c.value for c in matrix.rows[0][1:]] == list(expected["span_confusion"]["alice|bob"]["claim"].values())
    attribution = window.attribution_table.source.cell(0, column(window.attribution_table, "Attribution F1"))
    assert attribution.value is None and attribution.why == tables.ATTRIBUTION_WHY
    annotators = window.annotator_table.source.table
    assert [r[0].value for r in annotators.rows] == ["alice", "bob"]
    assert annotators.rows[0][column(window.annotator_table, "Documents")].value == 5
    mean_f1 = window.annotator_table.model().index(0, column(window.annotator_table, "Mean overlap F1"))
    assert expected["per_annotator"]["alice"]["mean_overlap_f1_pairs"] == 1
    assert mean_f1.data() == f"{expected['per_annotator']['alice']['mean_overlap_f1']:.3f} (1)"
    # Per document and pair: attribution F1 over the links both made, stance agreement over the targets both judged.
    doc_rows = window.document_table.source.table.rows
    stance_col = column(window.document_table, "Stance agreement")
    first_doc = next(iter(expected["per_document"].values()))
    assert first_doc["stance_targets"] == {"alice|bob": 1} and first_doc["attribution_links"] == {"alice|bob": 0}
    assert [r[stance_col].n for r in doc_rows] == [1] * 5
    assert doc_rows[0][column(window.document_table, "Attribution F1")].n == 0
    assert window.stack.currentWidget() is window.tabs and window.copy_button.isEnabled()


def test_a_document_row_click_requests_that_document(
    qtbot: QtBot, window: AgreementReportWindow, project: Project, seeded: list[int]
) -> None:
    computed(qtbot, window)
    window.tabs.setCurrentIndex(3)
    table = window.document_table
    first_title = documents.load_view(project, seeded[0], project.annotator("alice").id).document.info.title
    assert table.model().index(0, 0).data() == first_title
    with qtbot.waitSignal(window.document_requested, timeout=5000) as blocker:
        click_row(qtbot, table, 0)
    assert blocker.args == [seeded[0]]


def test_an_annotator_click_keeps_only_their_pairs(
    qtbot: QtBot, window: AgreementReportWindow, project: Project, seeded: list[int]
) -> None:
    carol = project.annotator("carol").id
    svc.set_stance(project, seeded[1], carol, project.scheme.target_names[0], "favor")
    computed(qtbot, window)
    window.tabs.setCurrentIndex(3)
    pair = column(window.document_table, "Pair")
    everyone = window.document_table.source.table.rows
    assert {r[pair].value for r in everyone} == {"alice|bob", "alice|carol", "bob|carol"}
    names = [r[0].value for r in window.annotator_table.source.table.rows]
    click_row(qtbot, window.annotator_table, names.index("carol"))
    kept = window.document_table.source.table.rows
    assert kept and all("carol" in r[pair].value for r in kept)
    assert len(kept) == 2  # carol only worked on one document, paired with alice and bob
    assert "carol" in window.filter_label.text() and window.show_all_button.isEnabled()
    qtbot.mouseClick(window.show_all_button, Qt.MouseButton.LeftButton)
    assert len(window.document_table.source.table.rows) == len(everyone)


def test_copy_and_save_json(
    qtbot: QtBot, window: AgreementReportWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = computed(qtbot, window)
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert json.loads(QApplication.clipboard().text()) == json.loads(json.dumps(report.to_json()))
    out = tmp_path / "agreement.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["stance"] == json.loads(json.dumps(report.to_json()["stance"]))
    assert str(out) in window.stale_label.text()


def test_one_annotator_shows_what_to_do(qtbot: QtBot, project: Project) -> None:
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    ctx = AppContext(project, project.annotator("alice"))
    win = AgreementReportWindow(ctx)
    qtbot.addWidget(win)
    assert win.compute() is None
    assert win.stack.currentWidget() is win.message
    assert "Merge colleague's work" in win.message.text() and "alice" in win.message.text()
    assert not win.copy_button.isEnabled() and not win.save_button.isEnabled()


def test_an_idle_reviewer_is_left_out(qtbot: QtBot, window: AgreementReportWindow, project: Project) -> None:
    project.annotator("rita")  # the reviewer: merged the files, annotated nothing
    report = computed(qtbot, window)
    assert report.annotators == ("alice", "bob")
    assert "rita" in window.summary.text()


def test_a_colleague_without_work_gives_the_empty_state(qtbot: QtBot, project: Project) -> None:
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    alice = project.annotator("alice")
    project.annotator("bob")
    svc.set_stance(project, documents.document_ids(project)[0], alice.id, project.scheme.target_names[0], "favor")
    win = AgreementReportWindow(AppContext(project, alice))
    qtbot.addWidget(win)
    task = win.compute()
    assert task is not None
    qtbot.waitUntil(lambda: not task.is_running(), timeout=20000)
    assert win.stack.currentWidget() is win.message and "bob" in win.message.text()


def test_gold_is_compared_only_when_asked(
    qtbot: QtBot, window: AgreementReportWindow, project: Project, seeded: list[int]
) -> None:
    gold = project.annotator(GOLD).id
    svc.set_stance(project, seeded[0], gold, project.scheme.target_names[0], "favor")
    assert computed(qtbot, window).annotators == ("alice", "bob")
    with qtbot.waitSignal(window.report_computed, timeout=20000) as blocker:
        window.include_gold.setChecked(True)
    assert blocker.args[0].annotators == ("alice", "bob", GOLD)
    assert "κ alice|gold" in window.stance_chart.series_values()


def test_edits_mark_the_report_stale(qtbot: QtBot, window: AgreementReportWindow, seeded: list[int]) -> None:
    computed(qtbot, window)
    assert window.stale_label.isHidden()
    window._ctx.notify(Changes(doc_ids=frozenset({seeded[0]}), spans=True))
    assert window.stale_label.isVisible() and "Recompute" in window.stale_label.text()
    computed(qtbot, window)
    assert window.stale_label.isHidden()


class _Gate(QRunnable):
    """Holds the one-thread job pool until released, so a cancel lands before the job starts."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def run(self) -> None:
        self.release.wait(20)


def test_cancel_keeps_the_window_usable(qtbot: QtBot, window: AgreementReportWindow) -> None:
    gate = _Gate()
    gate.setAutoDelete(False)
    job_pool().start(gate)
    task = window.compute()
    assert task is not None and not window.recompute_button.isEnabled()
    task.cancel()
    with qtbot.waitSignal(task.ended, timeout=20000) as blocker:
        gate.release.set()
    assert blocker.args == ["cancelled"]
    assert "cancelled" in window.message.text() and window.recompute_button.isEnabled()
    computed(qtbot, window)


def test_table_model_passes_the_model_tester(qtbot: QtBot, qtmodeltester, window: AgreementReportWindow) -> None:
    report = computed(qtbot, window)
    model = AgreementTableModel(tables.span_table(report))
    qtmodeltester.check(model)
    model.set_table(tables.per_document_table(report, {}, "alice"))
    qtmodeltester.check(model)


def test_table_model_shows_each_table_it_is_given(qtbot: QtBot, window: AgreementReportWindow) -> None:
    """Each cell's text is made once and kept: a new table must show its own texts, not the old ones."""
    report = computed(qtbot, window)
    model = AgreementTableModel(tables.span_table(report))
    for table in (tables.per_document_table(report, {}, None), tables.span_table(report), tables.Table(("x",))):
        model.set_table(table)
        assert model.rowCount() == len(table.rows)
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                index = model.index(r, c)
                text = (
                    "–"
                    if cell.value is None
                    else f"{cell.value:.3f}"
                    if isinstance(cell.value, float)
                    else str(cell.value)
                )
                assert model.data(index) == (text if cell.n is None else f"{text} ({cell.n})")
                assert model.data(index) == model.data(index)  # asked twice, the same
                assert model.data(index, Qt.ItemDataRole.ToolTipRole) == (
                    cell.why or (f"{cell.value:.6g}" if isinstance(cell.value, float) else None)
                )
                assert model.data(index, Qt.ItemDataRole.DecorationRole) is None
                assert model.data(index, Qt.ItemDataRole.FontRole) is None
        assert model.data(model.index(len(table.rows), 0)) is None


def test_the_main_window_entry_point(qtbot: QtBot, tmp_path: Path) -> None:
    from annotator.app import build_main_window

    win = build_main_window(tmp_path / "p.db", annotator_name="alice", seed=True)
    qtbot.addWidget(win)
    project = win.ctx.project
    ids = documents.document_ids(project)
    target = project.scheme.target_names[0]
    for name, values in (("alice", ALICE_STANCES), ("bob", BOB_STANCES)):
        who = project.annotator(name).id
        for doc_id, value in zip(ids, values, strict=True):
            svc.set_stance(project, doc_id, who, target, value)
    win.action_map["agreement_report"].trigger()  # Review > Agreement report…
    report_window = win.findChild(AgreementReportWindow)
    assert report_window is not None and report_window.isVisible()
    qtbot.waitUntil(lambda: report_window.report() is not None, timeout=20000)
    qtbot.waitUntil(lambda: not report_window.task.is_running(), timeout=20000)
    assert open_agreement_report(win.ctx, win) is report_window  # one window, recomputed
    qtbot.waitUntil(lambda: not report_window.task.is_running(), timeout=20000)
    report_window.document_requested.emit(ids[3])
    assert win.ctx.current_doc_id == ids[3]
    report_window.close()


def _ci_column(win: AgreementReportWindow) -> list[object]:
    table = win.stance_table
    return [row[column(table, "α 95% CI")].value for row in table.source.table.rows]


def test_figures_show_first_then_the_intervals_fill_in(
    qtbot: QtBot, window: AgreementReportWindow, project: Project
) -> None:
    at_figures: list[tuple[list[object], bool, bool, dict[str, list[object]]]] = []
    window.figures_shown.connect(
        lambda _report: at_figures.append(
            (
                _ci_column(window),
                window.copy_button.isEnabled(),
                window.interval_label.isVisible(),
                window.stance_chart.error_bars(),
            )
        )
    )
    report = computed(qtbot, window)  # waits for report_computed: the intervals are in
    ci, copy_enabled, label_shown, bars = at_figures[0]
    assert ci == [tables.CI_PENDING, tables.CI_PENDING]  # the figures were shown before the intervals
    assert not copy_enabled and label_shown and "interval" in window.interval_label.text()
    assert bars == {"α (all)": [None, None]}
    first = project.scheme.target_names[0]
    low, high = report.stance[first].alpha_ci
    assert _ci_column(window) == [f"[{low:.2f}, {high:.2f}]", None]
    assert window.stance_chart.error_bars() == {"α (all)": [(low, high), None]}
    assert window.copy_button.isEnabled() and window.interval_label.isHidden()
    assert json.dumps(report.to_json()) == json.dumps(agreement(project).to_json())


def _first_cells(table: ReportTableView) -> list[object]:
    return [row[0].value for row in table.source.table.rows]


def test_the_overview_shows_first_then_the_other_tabs_fill_in(
    qtbot: QtBot, window: AgreementReportWindow, project: Project
) -> None:
    """The first job computes only the Overview and Spans tabs' figures; the unitizing, attributes,
    claim stance, annotators and documents tables read "computing…" until the second job fills them,
    and the complete report is the one-step report."""
    later = (
        window.unitizing_table,
        window.attributes_table,
        window.claim_stance_table,
        window.annotator_table,
        window.document_table,
    )
    at_figures: list[tuple[list[list[object]], list[object], bool, str]] = []
    window.figures_shown.connect(
        lambda _report: at_figures.append(
            (
                [_first_cells(t) for t in later],
                _first_cells(window.span_table),
                window.copy_button.isEnabled(),
                window.interval_label.text(),
            )
        )
    )
    at_sections: list[list[list[object]]] = []
    window.sections_shown.connect(lambda _report: at_sections.append([_first_cells(t) for t in later]))
    report = computed(qtbot, window)
    pending, spans, copy_enabled, label = at_figures[0]
    assert pending == [[tables.CI_PENDING]] * len(later)
    assert spans and tables.CI_PENDING not in spans  # the Spans tab's figures are in from the start
    assert not copy_enabled and "claim stance" in label
    assert at_sections and all(tables.CI_PENDING not in cells for cells in at_sections[0])
    assert _first_cells(window.annotator_table) == ["alice", "bob"]
    assert window.filter_label.text().startswith("All pairs")
    assert not report.sections_pending
    assert json.dumps(report.to_json()) == json.dumps(agreement(project).to_json())


def _hold_intervals(window: AgreementReportWindow) -> _Gate:
    """Occupy the one-thread job pool as soon as the figures are shown, so the intervals wait."""
    gate = _Gate()
    gate.setAutoDelete(False)
    window.figures_shown.connect(lambda _report: job_pool().start(gate))
    return gate


def test_closing_while_intervals_compute_stops_them(qtbot: QtBot, window: AgreementReportWindow) -> None:
    gate = _hold_intervals(window)
    completed: list[object] = []
    window.report_computed.connect(completed.append)
    with qtbot.waitSignal(window.figures_shown, timeout=20000):
        window.compute()
    task = window.interval_task
    assert task is not None and task.is_running() and task.dialog is None  # no modal dialog: window usable
    assert window.interval_label.isVisible() and window.stop_intervals_button.isVisible()
    window.close()
    with qtbot.waitSignal(task.ended, timeout=20000) as blocker:
        gate.release.set()
    assert blocker.args == ["cancelled"] and not completed
    assert job_pool().waitForDone(20000) and job_pool().activeThreadCount() == 0
    assert task._runnable not in workers._running  # nothing kept for a job that has ended


def test_destroying_the_window_while_intervals_compute_does_not_crash(qtbot: QtBot, project: Project) -> None:
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    target = project.scheme.target_names[0]
    for name, values in (("alice", ALICE_STANCES), ("bob", BOB_STANCES)):
        who = project.annotator(name).id
        for doc_id, value in zip(documents.document_ids(project), values, strict=True):
            svc.set_stance(project, doc_id, who, target, value)
    win = AgreementReportWindow(AppContext(project, project.annotator("alice")))
    win.show()
    gate = _hold_intervals(win)
    with qtbot.waitSignal(win.figures_shown, timeout=20000):
        win.compute()
    task = win.interval_task
    assert task is not None and task.is_running()
    gone: list[object] = []
    win.destroyed.connect(lambda *_: gone.append(True))
    win.deleteLater()  # the window and its task go while the job is still queued
    qtbot.waitUntil(lambda: bool(gone), timeout=20000)
    del win, task
    gc.collect()
    gate.release.set()
    assert job_pool().waitForDone(20000)
    QApplication.processEvents()  # the job's outcome arrives with nobody to receive it
    gc.collect()


def test_cycles_are_collected_on_the_gui_thread_only_while_reports_compute(
    qtbot: QtBot, window: AgreementReportWindow
) -> None:
    """Python's cyclic collector ran on the pool thread that computes the report (most often right
    after the report switched it back on) and freed widgets the GUI thread had left in cycles while
    the GUI thread painted them: a segfault, a few times in full parallel runs. Closed windows in
    cycles, reports computed, and every collection is on the GUI thread."""
    threads: list[str] = []

    def seen(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    gc.callbacks.append(seen)
    try:
        for _ in range(3):
            for _ in range(30):
                left = QWidget()
                QLabel("left in a cycle", left)
                left.show()
                left.cycle = left  # type: ignore[attr-defined]  # only the cyclic collector frees it
                del left
            computed(qtbot, window)
        qtbot.waitUntil(lambda: bool(threads), timeout=10000)  # the GUI thread's timer collects them
    finally:
        gc.callbacks.remove(seen)
    assert set(threads) == {threading.main_thread().name}, threads


LONG_NAMES = ("annotator_alpha_2024", "annotator_alpha_2025", "annotator_beta_2024")


@pytest.mark.sqlite_only
def test_long_similar_names_stay_apart_in_the_charts(qtbot: QtBot, project: Project) -> None:
    import_paths(project, [REPO / "corpus" / "articles.jsonl"])
    ids = documents.document_ids(project)
    target = project.scheme.target_names[0]
    for name, stances in zip(LONG_NAMES, (ALICE_STANCES, BOB_STANCES, ALICE_STANCES[::-1]), strict=True):
        who = project.annotator(name).id
        for doc_id, stance in zip(ids, stances, strict=True):
            svc.set_stance(project, doc_id, who, target, stance)
        span_at(project, ids[0], who, "claim", CLAIM_A)
    win = AgreementReportWindow(AppContext(project, project.annotator(LONG_NAMES[0])))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    computed(qtbot, win)
    QApplication.processEvents()
    pairs = [f"{LONG_NAMES[a]}|{LONG_NAMES[b]}" for a, b in ((0, 1), (0, 2), (1, 2))]
    # before: "κ annotator_alph…" three times in the legend, "claim annotator…" under every bar
    legend = win.stance_chart.legend_labels()[3:]
    assert len(set(legend)) == 3 and all(label.startswith("κ ") for label in legend)
    assert [label.count("2024") + 10 * label.count("2025") for label in legend] == [11, 2, 11]
    stance_legend = win.stance_chart.chart().legend()
    metrics = QFontMetrics(stance_legend.font())
    entries = [metrics.horizontalAdvance(label) + metrics.height() for label in win.stance_chart.legend_labels()]
    needed = max(entries) if stance_legend.alignment() == Qt.AlignmentFlag.AlignRight else sum(entries)
    assert needed <= stance_legend.geometry().width()  # not cut short by the chart
    categories = win.span_chart.categories()
    assert len(set(categories)) == len(categories) == 6  # claim and source, three pairs each
    chart = win.span_chart.chart()
    metrics = QFontMetrics(chart.axes(Qt.Orientation.Horizontal)[0].labelsFont())
    room = chart.plotArea().width() / len(categories)
    assert all(metrics.horizontalAdvance(line) < room for label in categories for line in label.split("<br>"))
    # hovering a legend entry or a bar names the annotators in full
    marker = win.stance_chart.chart().legend().markers()[3]
    marker.hovered.emit(True)
    assert QToolTip.text() == f"κ {pairs[0]}"
    assert pairs[0] in win.span_chart.tooltip_text(0, 0)


def test_pairs_too_many_to_elide_leave_the_labels_to_the_chart(qtbot: QtBot) -> None:
    """Six pairs of long names in two labels, 12 categories of ~48 px: no elision fits, and the chart's
    own (cutting the ends) keeps a label under every category; untruncated, the first and last went."""
    names = (*LONG_NAMES, "annotator_gamma_2023")
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    categories = tuple(f"{label}<br>{a}|{b}<br>n = 7" for label in ("claim", "source") for a, b in pairs)
    view = AgreementBarChartView("Spans", "F1")
    qtbot.addWidget(view)
    view.resize(650, 430)
    view.show()
    qtbot.waitExposed(view)
    sets = (("exact F1", (0.5,) * 12), ("overlap F1", (0.7,) * 12))
    view.set_data(ChartData(categories, sets, pairs=dict(zip(categories, pairs * 2, strict=True))))
    QApplication.processEvents()
    (axis,) = view.chart().axes(Qt.Orientation.Horizontal)
    assert isinstance(axis, QBarCategoryAxis) and axis.truncateLabels()

"""What the agreement report window shows, as plain tables and chart series built from the report dict.

`services.agreement.agreement` returns nested JSON-like dicts; this module owns flattening each
section into a `Table` (columns, rows of `Cell`s, a key per row for drill-down) or a `ChartData`
(categories and one value list per bar set). An undefined metric is a `Cell` whose value is None
and whose `why` says, in the reader's terms, why it cannot be computed. `compute_report` is the
window's background job (the report, and the documents it names keyed by external id). No Qt here:
the item model (`agreement_table_model.py`) and the charts (`widgets/agreement_charts.py`) only
display these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotator.model.agreement import PAIR_SEPARATOR, pair_key
from annotator.services import documents
from annotator.services.agreement import agreement
from annotator.services.project import Project

CellValue = float | int | str | None
Report = dict[str, Any]
DocumentIndex = dict[str, tuple[int, str]]  # ext_id -> (doc id, title)

KAPPA_WHY = "Undefined: these two annotators have no item in common to compare (no document where both set this value)."
ALPHA_WHY = (
    "Undefined: no item received values from two annotators, or every value given was the same "
    "category, so there is no variation to measure agreement beyond chance."
)
F1_WHY = "Undefined: neither annotator marked this label in the documents they both annotated."
PRECISION_WHY = "Undefined: the second annotator of the pair marked none in the documents both annotated."
RECALL_WHY = "Undefined: the first annotator of the pair marked none in the documents both annotated."
ATTRIBUTION_WHY = "Undefined: neither annotator linked a claim that both of them marked to a source."
STANCE_MATCH_WHY = "Undefined: no stance target was judged by both annotators in this document."
MEAN_F1_WHY = "Undefined: no pair with this annotator has a span F1 (no spans in shared documents)."
SINGLE_WHY = "Only one annotator worked on this document: there is nothing to compare."


@dataclass(frozen=True)
class Cell:
    value: CellValue
    why: str = ""  # tooltip: why an undefined value is undefined, or extra detail


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()
    keys: tuple[Any, ...] = ()  # one per row: what a click on the row drills into (or None)
    column_tips: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartData:
    categories: tuple[str, ...]
    sets: tuple[tuple[str, tuple[float | None, ...]], ...] = field(default_factory=tuple)

    def values(self) -> dict[str, list[float | None]]:
        return {name: list(values) for name, values in self.sets}


def _dict(report: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = report.get(key)
    return value if isinstance(value, Mapping) else {}


def pairs(report: Mapping[str, Any]) -> list[str]:
    """Every annotator pair of the report, keyed as the report keys them ("A|B", names sorted)."""
    names = sorted(annotator_names(report))
    return [pair_key(a, b) for a, b in combinations(names, 2)]


def pair_names(key: str) -> tuple[str, str]:
    first, _, second = key.partition(PAIR_SEPARATOR)
    return first, second


def _num(value: Any, why: str) -> Cell:
    return Cell(value if isinstance(value, int | float) else None, why)


def _coefficients_table(first: str, section: Mapping[str, Any], report: Mapping[str, Any]) -> Table:
    """Rows of `section` ({name: {alpha, kappa: {pair: x}}}): α over everyone, then κ per pair."""
    all_pairs = pairs(report)
    rows, row_keys = [], []
    for name, scores in section.items():
        scores = scores if isinstance(scores, Mapping) else {}
        kappa = _dict(scores, "kappa")
        rows.append(
            (Cell(name), _num(scores.get("alpha"), ALPHA_WHY), *(_num(kappa.get(p), KAPPA_WHY) for p in all_pairs))
        )
        row_keys.append(name)
    columns = (first, "α (all annotators)", *(f"κ {p}" for p in all_pairs))
    tips = (
        "",
        "Krippendorff's alpha (nominal) over all annotators, missing values allowed",
        *(f"Cohen's kappa between {a} and {b}" for a, b in map(pair_names, all_pairs)),
    )
    return Table(columns, tuple(rows), tuple(row_keys), tips)


def stance_table(report: Mapping[str, Any]) -> Table:
    """Document-level stance per target (items = documents)."""
    return _coefficients_table("Target", _dict(report, "stance"), report)


def claim_stance_table(report: Mapping[str, Any]) -> Table:
    """Claim-level stance per target (items = claims matched by overlap)."""
    return _coefficients_table("Target", _dict(report, "claim_stance"), report)


def attributes_table(report: Mapping[str, Any]) -> Table:
    """Span attributes per label (items = spans matched by overlap)."""
    all_pairs = pairs(report)
    rows, keys = [], []
    for label, attrs in _dict(report, "attributes").items():
        for attr, scores in attrs.items() if isinstance(attrs, Mapping) else ():
            kappa = _dict(scores, "kappa")
            rows.append(
                (
                    Cell(label),
                    Cell(attr),
                    _num(scores.get("alpha"), ALPHA_WHY),
                    *(_num(kappa.get(p), KAPPA_WHY) for p in all_pairs),
                )
            )
            keys.append((label, attr))
    columns = ("Label", "Attribute", "α (all annotators)", *(f"κ {p}" for p in all_pairs))
    return Table(columns, tuple(rows), tuple(keys))


def attribution_table(report: Mapping[str, Any]) -> Table:
    section = _dict(report, "attribution")
    rows = tuple((Cell(p), _num(section.get(p), ATTRIBUTION_WHY)) for p in pairs(report))
    return Table(
        ("Pair", "Attribution F1"),
        rows,
        tuple(pairs(report)),
        ("", "F1 over (claim, source) links among claims both annotators marked"),
    )


_SPAN_METRICS = (
    ("exact_precision", "Exact P", PRECISION_WHY),
    ("exact_recall", "Exact R", RECALL_WHY),
    ("exact_f1", "Exact F1", F1_WHY),
    ("overlap_precision", "Overlap P", PRECISION_WHY),
    ("overlap_recall", "Overlap R", RECALL_WHY),
    ("overlap_f1", "Overlap F1", F1_WHY),
)
ALL_LABELS = "(all labels)"


def span_table(report: Mapping[str, Any]) -> Table:
    """Per label and pair: precision/recall/F1 under exact and overlap matching, then the micro rows."""
    rows, keys = [], []
    sections = [*_dict(report, "spans").items(), (ALL_LABELS, _dict(report, "spans_micro"))]
    for label, by_pair in sections:
        for p in pairs(report):
            scores = _dict(by_pair, p) if isinstance(by_pair, Mapping) else {}
            a, b = pair_names(p)
            rows.append(
                (
                    Cell(label),
                    Cell(p),
                    *(_num(scores.get(k), why) for k, _, why in _SPAN_METRICS),
                    Cell(scores.get("first_count"), f"spans {a} marked"),
                    Cell(scores.get("second_count"), f"spans {b} marked"),
                )
            )
            keys.append((label, p))
    columns = ("Label", "Pair", *(title for _, title, _ in _SPAN_METRICS), "Count (first)", "Count (second)")
    tips = (
        "",
        "The first name is the reference for recall, the second for precision",
        *(
            "Spans with the same label and the same offsets"
            if t.startswith("Exact")
            else "Spans with the same label that share at least one character"
            for _, t, _ in _SPAN_METRICS
        ),
        "",
        "",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def confusion_table(report: Mapping[str, Any], pair: str) -> Table:
    """The label confusion matrix of one pair: rows = first annotator's label, columns = second's."""
    matrix = _dict(_dict(report, "span_confusion"), pair)
    a, b = pair_names(pair)
    names = list(matrix)
    rows = tuple((Cell(row), *(Cell(int(_dict(matrix, row).get(col, 0))) for col in names)) for row in names)
    tips = (
        f"rows: the label {a} gave; columns: the label {b} gave to the overlapping span",
        *(f"{b}: {col}" for col in names),
    )
    return Table((f"{a} ↓  {b} →", *names), rows, tuple(names), tips)


def per_annotator_table(report: Mapping[str, Any]) -> Table:
    rows, keys = [], []
    for name, info in _dict(report, "per_annotator").items():
        spans = _dict(info, "spans")
        detail = ", ".join(f"{label}: {n}" for label, n in spans.items()) or "no spans"
        rows.append(
            (
                Cell(name),
                Cell(info.get("documents")),
                Cell(sum(int(n) for n in spans.values()), detail),
                Cell(info.get("relations")),
                Cell(info.get("document_stances")),
                Cell(info.get("span_stances")),
                _num(info.get("mean_overlap_f1"), MEAN_F1_WHY),
            )
        )
        keys.append(name)
    columns = ("Annotator", "Documents", "Spans", "Links", "Document stances", "Claim stances", "Mean overlap F1")
    tips = (
        "Click an annotator to list only their pairs in the documents table",
        "",
        "",
        "",
        "",
        "",
        "Mean over this annotator's pairs of the overlap F1 over all labels",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def per_document_table(
    report: Mapping[str, Any], documents: Mapping[str, tuple[int, str]], annotator: str | None = None
) -> Table:
    """One row per document and pair (only the pairs with `annotator` when given); the row key is
    the project's document id (None when the document is no longer in the project)."""
    rows, keys = [], []
    for ext_id, info in _dict(report, "per_document").items():
        doc_id, title = documents.get(ext_id, (None, ""))
        name = Cell(title or ext_id, ext_id)
        spans, attribution = _dict(info, "spans"), _dict(info, "attribution")
        stance = _dict(info, "stance_agreement")
        present = [p for p in spans if annotator is None or annotator in pair_names(p)]
        if not spans and (annotator is None or annotator in info.get("annotators", [])):
            rows.append((name, Cell(", ".join(info.get("annotators", []))), *(Cell(None, SINGLE_WHY),) * 4))
            keys.append(doc_id)
        for p in present:
            scores = _dict(spans, p)
            rows.append(
                (
                    name,
                    Cell(p),
                    _num(scores.get("exact_f1"), F1_WHY),
                    _num(scores.get("overlap_f1"), F1_WHY),
                    _num(attribution.get(p), ATTRIBUTION_WHY),
                    _num(stance.get(p), STANCE_MATCH_WHY),
                )
            )
            keys.append(doc_id)
    columns = ("Document", "Pair", "Span exact F1", "Span overlap F1", "Attribution F1", "Stance agreement")
    tips = (
        "Click a document to open it",
        "",
        "All labels",
        "All labels",
        "",
        "Share of stance targets both judged in this document that got the same value",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def stance_chart(report: Mapping[str, Any]) -> ChartData:
    """Bars per target: α over all annotators, then κ per pair."""
    section = _dict(report, "stance")
    targets = tuple(section)
    sets = [("α (all)", tuple(_value(_dict(section, t).get("alpha")) for t in targets))]
    sets += [
        (f"κ {p}", tuple(_value(_dict(_dict(section, t), "kappa").get(p)) for t in targets)) for p in pairs(report)
    ]
    return ChartData(targets, tuple(sets))


def span_chart(report: Mapping[str, Any]) -> ChartData:
    """Two bar sets (exact F1, overlap F1) over one category per label and pair ("claim<br>A|B", two lines)."""
    section = _dict(report, "spans")
    keys = [(label, p) for label in section for p in pairs(report)]
    categories = tuple(f"{label}<br>{p}" for label, p in keys)
    sets = tuple(
        (f"{kind} F1", tuple(_value(_dict(_dict(section, label), p).get(f"{kind}_f1")) for label, p in keys))
        for kind in ("exact", "overlap")
    )
    return ChartData(categories, sets)


def _value(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def compute_report(
    project: Project,
    me_id: int,
    include_gold: bool,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ComputedReport:
    """The background job: the report over the annotators who did some work, and the documents it
    names keyed by external id. An annotator without work (typically the reviewer) would only add
    undefined pairs, so the report is recomputed without them."""
    report: Report = agreement(project, progress=progress, cancel=cancel, include_gold=include_gold)
    idle = idle_annotators(report)
    active = [name for name in annotator_names(report) if name not in idle]
    if idle and len(active) >= 2:
        report = agreement(project, active, progress=progress, cancel=cancel)
    ids = documents.document_ids(project)
    rows = documents.list_rows(project, ids, me_id)
    return ComputedReport(
        report, {row.info.ext_id: (doc_id, row.info.title) for doc_id, row in rows.items()}, tuple(idle), tuple(active)
    )


def annotator_names(report: Mapping[str, Any]) -> list[str]:
    names = report.get("annotators")
    return [str(name) for name in names] if isinstance(names, list) else []


def idle_annotators(report: Mapping[str, Any]) -> list[str]:
    """Annotators of the report who worked on no document."""
    per = _dict(report, "per_annotator")
    return [name for name in annotator_names(report) if not _dict(per, name).get("documents")]


@dataclass(frozen=True)
class ComputedReport:
    report: Report
    documents: DocumentIndex
    idle: tuple[str, ...]  # annotators left out: no work in the project
    active: tuple[str, ...]

"""What the agreement report window shows, as plain tables and chart series built from the typed report.

`services.agreement.agreement` returns a `model.agreement_report.AgreementReport`; this module owns
laying each section out as a `Table` (columns, rows of `Cell`s, a key per row for drill-down) or a
`ChartData` (in `agreement_chart_data.py`). Every figure
comes with the number of items it rests on: an "n" column, or "(n)" after a pairwise value. An
undefined metric is a `Cell` whose value is None and whose `why` says, in the reader's terms, why
it cannot be computed. `compute_report` is the window's background job. No Qt here: the item model
(`agreement_table_model.py`) and the charts (`widgets/agreement_charts.py`) only display these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.model.agreement import PAIR_SEPARATOR
from annotator.model.agreement_report import AgreementReport, Coefficients, PairKappa
from annotator.model.agreement_spans import MatchCounts
from annotator.services import documents
from annotator.services.agreement import working_agreement
from annotator.services.project import Project

CellValue = float | int | str | None
Report = AgreementReport
DocumentIndex = dict[str, tuple[int, str]]  # ext_id -> (doc id, title)

KAPPA_WHY = "Undefined: these two annotators have no item in common to compare (no document where both set this value)."
ALPHA_WHY = (
    "Undefined: no item received values from two annotators, or every value given was the same "
    "category, so there is no variation to measure agreement beyond chance."
)
SINGLE_WHY_TEMPLATE = (
    "Undefined: every value given was “{value}” (one category), so chance agreement is 1 and the "
    "coefficient is 0/0. Observed agreement: {observed}."
)
CI_PENDING = "computing…"
CI_PENDING_WHY = "The 95% bootstrap interval is being computed; it appears here when ready."
SECTION_PENDING_WHY = "This part of the report is being computed; it appears here when ready."
CI_WHY = "No interval: fewer than two units with two values, or too few resamples with any variation."
F1_WHY = "Undefined: neither annotator marked this label in the documents they both annotated."
PRECISION_WHY = "Undefined: the second annotator of the pair marked none in the documents both annotated."
RECALL_WHY = "Undefined: the first annotator of the pair marked none in the documents both annotated."
ATTRIBUTION_WHY = "Undefined: neither annotator linked a claim that both of them marked to a source."
STANCE_MATCH_WHY = "Undefined: no stance target was judged by both annotators in this document."
MEAN_F1_WHY = "Undefined: no pair with this annotator has a span F1 (no spans in shared documents)."
CONVENTIONS_TEXT = (
    "“–” marks an undefined figure (hover it for why); “(n)” and the n column count the items under a "
    "figure. Chance-corrected coefficients (κ, Fleiss' κ, α) are undefined when no item has two values or "
    "when all values given are one category; the observed agreement is shown instead. Gwet's AC1 counts "
    "every value the scheme allows, used or not, so one category used leaves it defined (= observed). "
    "Missing values are left out. α's interval: 95% bootstrap, units resampled 1000 times, fixed seed."
)
SINGLE_WHY = "Only one annotator worked on this document: there is nothing to compare."
UNITIZING_WHY = "Undefined: no annotator marked this label in the documents all annotators worked on."


@dataclass(frozen=True)
class Cell:
    value: CellValue
    why: str = ""  # tooltip: why an undefined value is undefined, or extra detail
    n: int | None = None  # the number of items the value rests on, shown after it


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()
    keys: tuple[Any, ...] = ()  # one per row: what a click on the row drills into (or None)
    column_tips: tuple[str, ...] = ()


def pending(table: Table) -> Table:
    """`table`'s columns with one row saying its figures are being computed (a section the report
    window fills in after the first figures: ``AgreementReport.sections_pending``)."""
    first = Cell(CI_PENDING, SECTION_PENDING_WHY)
    return Table(
        table.columns,
        ((first, *(Cell(None, SECTION_PENDING_WHY) for _ in table.columns[1:])),),
        (None,),
        table.column_tips,
    )


def pairs(report: AgreementReport) -> list[str]:
    """Every annotator pair of the report, keyed as the report keys them ("A|B", names sorted)."""
    return report.pairs


def pair_names(key: str) -> tuple[str, str]:
    first, _, second = key.partition(PAIR_SEPARATOR)
    return first, second


def _num(value: float | int | None, why: str, n: int | None = None) -> Cell:
    return Cell(value, why, n)


def _undefined_why(c: Coefficients) -> str:
    if c.single_category:
        observed = "–" if c.observed is None else f"{c.observed:.0%}"
        return SINGLE_WHY_TEMPLATE.format(value=c.categories[0], observed=observed)
    return ALPHA_WHY


def _kappa_cell(k: PairKappa | None) -> Cell:
    if k is None:
        return Cell(None, KAPPA_WHY, 0)
    if k.kappa is None and k.items:
        observed = "–" if k.observed is None else f"{k.observed:.0%}"
        return Cell(
            None, f"Undefined: one category only on these {k.items} items. Observed agreement: {observed}.", k.items
        )
    return Cell(k.kappa, KAPPA_WHY if k.kappa is None else f"Cohen's kappa on {k.items} items", k.items)


def _coefficient_cells(c: Coefficients, all_pairs: list[str]) -> tuple[Cell, ...]:
    why = _undefined_why(c)
    ci = None if c.alpha_ci is None else f"[{c.alpha_ci[0]:.2f}, {c.alpha_ci[1]:.2f}]"
    ci_cell = (
        Cell(CI_PENDING, CI_PENDING_WHY)
        if c.interval_pending
        else Cell(ci, CI_WHY if ci is None else "95% bootstrap interval (units resampled, fixed seed)")
    )
    return (
        Cell(c.units, f"{c.units} items with values from two or more annotators ({c.values} values)"),
        _num(c.alpha, why),
        ci_cell,
        _num(c.fleiss_kappa, why),
        _num(c.gwet_ac1, why),
        _num(c.observed, "Undefined: no item has two values" if c.observed is None else ""),
        *(_kappa_cell(c.kappa.get(p)) for p in all_pairs),
    )


_COEFFICIENT_COLUMNS = ("n", "α (all annotators)", "α 95% CI", "Fleiss κ", "Gwet AC1", "Observed")
_COEFFICIENT_TIPS = (
    "Items (units) with values from at least two annotators: what α, Fleiss' κ and AC1 rest on",
    "Krippendorff's alpha (nominal) over all annotators, missing values allowed",
    "95% bootstrap confidence interval of α: units resampled with replacement, 1000 times, fixed seed",
    "Fleiss' kappa over all annotators (Gwet's generalisation to missing values)",
    "Gwet's AC1 over all annotators: robust to skewed categories; q = every value the scheme allows, used or not",
    "Observed agreement: share of agreeing pairs of values within an item, averaged over items",
)


def _coefficients_table(
    first: tuple[str, ...], section: Mapping[Any, Coefficients], report: AgreementReport, spans: bool = False
) -> Table:
    """Rows of `section`: the multi-rater coefficients with their item count, then κ per pair (n);
    with `spans` (values carried by matched spans) also the spans left out of the units."""
    all_pairs = pairs(report)
    rows, row_keys = [], []
    for key, c in section.items():
        names = key if isinstance(key, tuple) else (key,)
        extra = (
            (Cell(c.extra_spans, "spans left out: their annotator already had a span in the unit"),) if spans else ()
        )
        rows.append((*(Cell(n) for n in names), *_coefficient_cells(c, all_pairs), *extra))
        row_keys.append(key)
    columns = (*first, *_COEFFICIENT_COLUMNS, *(f"κ {p}" for p in all_pairs), *(("Extra spans",) if spans else ()))
    tips = (
        *("" for _ in first),
        *_COEFFICIENT_TIPS,
        *(f"Cohen's kappa between {a} and {b} (items both rated)" for a, b in map(pair_names, all_pairs)),
        *(("Spans matched into a unit whose annotator already had a span there (left out)",) if spans else ()),
    )
    return Table(columns, tuple(rows), tuple(row_keys), tips)


def stance_table(report: AgreementReport) -> Table:
    """Document-level stance per target (items = documents)."""
    return _coefficients_table(("Target",), report.stance, report)


def claim_stance_table(report: AgreementReport) -> Table:
    """Claim-level stance per target (items = claims matched by overlap)."""
    return _coefficients_table(("Target",), report.claim_stance, report, spans=True)


def attributes_table(report: AgreementReport) -> Table:
    """Span attributes per label (items = spans matched by overlap)."""
    section = {(label, attr): c for label, attrs in report.attributes.items() for attr, c in attrs.items()}
    return _coefficients_table(("Label", "Attribute"), section, report, spans=True)


def _counts_cells(counts: MatchCounts, a: str, b: str) -> tuple[Cell, ...]:
    return (
        _num(counts.f1, ATTRIBUTION_WHY, counts.first_total + counts.second_total),
        Cell(counts.first_total, f"links {a} made from claims both marked"),
        Cell(counts.second_total, f"links {b} made from claims both marked"),
        Cell(counts.matched, "links both made"),
    )


def attribution_table(report: AgreementReport) -> Table:
    """Per pair: the pooled attribution F1, then one row per relation type."""
    rows, keys = [], []
    for p in pairs(report):
        a, b = pair_names(p)
        attribution = report.attribution[p]
        rows.append((Cell(p), Cell("(all types)"), *_counts_cells(attribution.pooled, a, b)))
        keys.append(p)
        for name, counts in attribution.by_type.items():
            rows.append((Cell(p), Cell(name), *_counts_cells(counts, a, b)))
            keys.append(p)
    return Table(
        ("Pair", "Relation type", "Attribution F1", "Links (first)", "Links (second)", "Alike"),
        tuple(rows),
        tuple(keys),
        ("", "", "F1 over (claim, source) links among claims both annotators marked", "", "", ""),
    )


_SPAN_METRICS = (
    ("exact", "precision", "Exact P", PRECISION_WHY),
    ("exact", "recall", "Exact R", RECALL_WHY),
    ("exact", "f1", "Exact F1", F1_WHY),
    ("overlap", "precision", "Overlap P", PRECISION_WHY),
    ("overlap", "recall", "Overlap R", RECALL_WHY),
    ("overlap", "f1", "Overlap F1", F1_WHY),
)
ALL_LABELS = "(all labels)"


def _metric(counts: MatchCounts, name: str) -> float | None:
    value: float | None = getattr(counts, name)
    return value


def span_table(report: AgreementReport) -> Table:
    """Per label and pair: precision/recall/F1 under exact and overlap matching, then the micro rows."""
    rows, keys = [], []
    sections = [*report.spans.items(), (ALL_LABELS, report.spans_micro)]
    for label, by_pair in sections:
        for p in pairs(report):
            scores = by_pair.get(p)
            if scores is None:
                continue
            a, b = pair_names(p)
            rows.append(
                (
                    Cell(label),
                    Cell(p),
                    Cell(report.pair_documents[p], f"documents both {a} and {b} worked on"),
                    *(_num(_metric(getattr(scores, kind), name), why) for kind, name, _, why in _SPAN_METRICS),
                    Cell(scores.overlap.first_total, f"spans {a} marked"),
                    Cell(scores.overlap.second_total, f"spans {b} marked"),
                )
            )
            keys.append((label, p))
    columns = ("Label", "Pair", "Documents", *(t for _, _, t, _ in _SPAN_METRICS), "Count (first)", "Count (second)")
    tips = (
        "",
        "The first name is the reference for recall, the second for precision",
        "Documents the pair is compared on: both worked on them",
        *(
            "Spans with the same label and the same offsets"
            if kind == "exact"
            else "Spans with the same label matched one-to-one by shared characters (most pairs, then most overlap)"
            for kind, _, _, _ in _SPAN_METRICS
        ),
        "",
        "",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def unitizing_table(report: AgreementReport) -> Table:
    """Krippendorff's alpha_U per label: over all annotators on the documents all worked on, then
    per pair on the documents both worked on."""
    rows, keys = [], []
    for label, u in report.unitizing.items():
        sections = [("all annotators", u), *report.unitizing_pairs.get(label, {}).items()]
        for who, scores in sections:
            why = UNITIZING_WHY if scores.alpha is None else f"D_o = {scores.observed:.4g}, D_e = {scores.expected:.4g}"
            rows.append(
                (
                    Cell(label),
                    Cell(who),
                    _num(scores.alpha, why),
                    Cell(scores.documents),
                    Cell(scores.characters),
                    Cell(scores.units),
                    Cell(scores.merged_spans, "overlapping spans of one annotator and label, merged into their union"),
                )
            )
            keys.append((label, who))
    columns = ("Label", "Annotators", "α_U", "Documents", "Characters", "Units", "Merged spans")
    tips = (
        "",
        "All annotators of the report, or one pair",
        "Krippendorff's unitizing alpha: agreement on where the spans of this label lie, character by "
        "character (hover a value for the observed and expected disagreement)",
        "Documents all these annotators worked on (the continuum)",
        "Characters of those documents",
        "Spans of this label by these annotators",
        "",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def confusion_table(report: AgreementReport, pair: str) -> Table:
    """The label confusion matrix of one pair: rows = first annotator's label, columns = second's."""
    matrix = report.span_confusion.get(pair, {})
    a, b = pair_names(pair)
    names = list(matrix)
    rows = tuple((Cell(row), *(Cell(int(matrix[row].get(col, 0))) for col in names)) for row in names)
    tips = (
        f"rows: the label {a} gave; columns: the label {b} gave to the overlapping span",
        *(f"{b}: {col}" for col in names),
    )
    return Table((f"{a} ↓  {b} →", *names), rows, tuple(names), tips)


def per_annotator_table(report: AgreementReport) -> Table:
    rows, keys = [], []
    for name, info in report.per_annotator.items():
        detail = ", ".join(f"{label}: {n}" for label, n in info.spans.items()) or "no spans"
        rows.append(
            (
                Cell(name),
                Cell(info.documents),
                Cell(sum(info.spans.values()), detail),
                Cell(info.relations),
                Cell(info.document_stances),
                Cell(info.span_stances),
                _num(info.mean_overlap_f1, MEAN_F1_WHY, info.mean_overlap_f1_pairs),
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
        "Mean over this annotator's pairs of the overlap F1 over all labels; (n) = pairs with an F1",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def per_document_table(
    report: AgreementReport, documents: Mapping[str, tuple[int, str]], annotator: str | None = None
) -> Table:
    """One row per document and pair (only the pairs with `annotator` when given); the row key is
    the project's document id (None when the document is no longer in the project)."""
    rows, keys = [], []
    for ext_id, info in report.per_document.items():
        doc_id, title = documents.get(ext_id, (None, ""))
        name = Cell(title or ext_id, ext_id)
        present = [p for p in info.spans if annotator is None or annotator in pair_names(p)]
        if not info.spans and (annotator is None or annotator in info.annotators):
            rows.append((name, Cell(", ".join(info.annotators)), *(Cell(None, SINGLE_WHY),) * 4))
            keys.append(doc_id)
        for p in present:
            scores = info.spans[p]
            n = scores.overlap.first_total + scores.overlap.second_total
            rows.append(
                (
                    name,
                    Cell(p),
                    _num(scores.exact.f1, F1_WHY, n),
                    _num(scores.overlap.f1, F1_WHY, n),
                    _num(info.attribution.get(p), ATTRIBUTION_WHY, info.attribution_links.get(p, 0)),
                    _num(info.stance_agreement.get(p), STANCE_MATCH_WHY, info.stance_targets.get(p, 0)),
                )
            )
            keys.append(doc_id)
    columns = ("Document", "Pair", "Span exact F1", "Span overlap F1", "Attribution F1", "Stance agreement")
    tips = (
        "Click a document to open it",
        "",
        "All labels; (n) = spans of both annotators",
        "All labels; (n) = spans of both annotators",
        "(n) = links both annotators made from claims both marked",
        "Share of stance targets both judged in this document that got the same value; (n) = targets both judged",
    )
    return Table(columns, tuple(rows), tuple(keys), tips)


def compute_report(
    project: Project,
    me_id: int,
    include_gold: bool,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    *,
    intervals: bool = True,
    overview: bool = False,
) -> ComputedReport:
    """The background job: the report over the annotators who did some work, and the documents it
    names keyed by external id. An annotator without work (typically the reviewer) would only add
    undefined pairs, so they are left out when two or more others worked. With ``intervals=False``
    alpha's bootstrap intervals are left pending (``model.agreement_compare.with_intervals``); with
    ``overview=True`` the sections after the Overview and Spans tabs' are too
    (``services.agreement.complete_report``). ``me_id`` is no longer used (the titles come from one
    read of the documents, not the list rows)."""
    del me_id
    report, active, idle = working_agreement(
        project, progress=progress, cancel=cancel, include_gold=include_gold, intervals=intervals, overview=overview
    )
    return ComputedReport(report, documents.titles(project), tuple(idle), tuple(active))


def annotator_names(report: AgreementReport) -> list[str]:
    return list(report.annotators)


@dataclass(frozen=True)
class ComputedReport:
    report: AgreementReport
    documents: DocumentIndex
    idle: tuple[str, ...]  # annotators left out: no work in the project
    active: tuple[str, ...]

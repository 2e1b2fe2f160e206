"""The agreement report as typed values, and its JSON form (``AgreementReport.to_json``).

:func:`annotator.model.agreement.agreement_report` builds an :class:`AgreementReport`; the CLI
prints it, ``--json`` and the report window's "Save JSON" write ``to_json()``, the window's tables
read the fields. Every figure carries the number of items it rests on. Pairs of annotators are
keyed ``"A|B"`` with the two names sorted. ``None`` (``null`` in JSON) marks a figure that is
undefined; :data:`CONVENTIONS` says when, and is written into every report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from annotator.model.agreement_spans import MatchCounts, SpanAgreement

JSONValue: TypeAlias = "None | bool | int | float | str | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = dict[str, JSONValue]

CONVENTIONS = (
    "Undefined figures are null. Chance-corrected coefficients (Cohen's kappa, Fleiss' kappa, "
    "Krippendorff's alpha, Gwet's AC1) are null when none of the items has two values. Cohen's kappa, Fleiss' "
    "kappa and alpha are also null when every value given is one and the same category (the formulas divide 0 "
    "by 0); Gwet's AC1 counts every category of the scheme's scale (scale), used or not, so it stays defined "
    "there and equals the observed agreement. observed_agreement is given beside them. "
    "Missing values are left out: kappa uses the items both annotators rated, the others every unit "
    "with at least two values. F1 is null when neither side has an item. Pairs are compared on the "
    "documents both annotators worked on (a span, a stance, or a status other than not_started)."
)


@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of one pair, on ``items`` items both rated, ``observed`` of them alike."""

    kappa: float | None
    items: int
    observed: float | None


@dataclass(frozen=True)
class Coefficients:
    """Agreement on one nominal value (a stance target, a span attribute) over units.

    ``units`` counts the units with at least two values (what alpha, Fleiss' kappa and AC1 rest
    on), ``values`` the values in them. For values carried by matched spans, ``extra_spans`` counts
    the spans left out because their annotator already had a span in the same unit. ``scale`` is
    the categories Gwet's AC1 counts (its ``q``): the scheme's values, used or not, and any other
    value observed. ``pending_units`` holds the units while ``alpha_ci`` is still to be computed
    (a report built with ``intervals=False``; ``agreement_compare.with_intervals`` fills it in), and
    is None once it has been.
    """

    units: int
    values: int
    categories: tuple[str, ...]
    observed: float | None
    alpha: float | None
    alpha_ci: tuple[float, float] | None
    fleiss_kappa: float | None
    gwet_ac1: float | None
    kappa: Mapping[str, PairKappa] = field(default_factory=dict)
    extra_spans: int = 0
    scale: tuple[str, ...] = ()
    pending_units: tuple[tuple[str, ...], ...] | None = field(default=None, compare=False, repr=False)

    @property
    def interval_pending(self) -> bool:
        return self.pending_units is not None

    @property
    def single_category(self) -> bool:
        return len(self.categories) == 1

    def to_json(self) -> JSONObject:
        return {
            "alpha": self.alpha,
            "alpha_ci95": None if self.alpha_ci is None else list(self.alpha_ci),
            "fleiss_kappa": self.fleiss_kappa,
            "gwet_ac1": self.gwet_ac1,
            "observed_agreement": self.observed,
            "items": self.units,
            "values": self.values,
            "categories": list(self.categories),
            "scale": list(self.scale),
            "single_category": self.single_category,
            "extra_spans": self.extra_spans,
            "kappa": {pair: k.kappa for pair, k in self.kappa.items()},
            "kappa_items": {pair: k.items for pair, k in self.kappa.items()},
            "kappa_observed": {pair: k.observed for pair, k in self.kappa.items()},
        }


def span_json(scores: SpanAgreement, documents: int | None = None) -> JSONObject:
    out: JSONObject = dict(scores.as_dict())
    out["exact_matched"] = scores.exact.matched
    out["overlap_matched"] = scores.overlap.matched
    if documents is not None:
        out["documents"] = documents
    return out


def counts_json(counts: MatchCounts) -> JSONObject:
    return {
        "f1": counts.f1,
        "precision": counts.precision,
        "recall": counts.recall,
        "first_count": counts.first_total,
        "second_count": counts.second_total,
        "matched": counts.matched,
    }


@dataclass(frozen=True)
class Attribution:
    """Links among matched claims: pooled over relation types, and per type."""

    pooled: MatchCounts
    by_type: Mapping[str, MatchCounts] = field(default_factory=dict)

    @property
    def f1(self) -> float | None:
        return self.pooled.f1

    def to_json(self) -> JSONObject:
        out = counts_json(self.pooled)
        out["by_type"] = {name: counts_json(c) for name, c in self.by_type.items()}
        return out


@dataclass(frozen=True)
class Unitizing:
    """Krippendorff's alpha_U for one span label over the characters of the shared documents."""

    alpha: float | None
    observed: float
    expected: float
    documents: int
    characters: int
    units: int
    merged_spans: int  # overlapping spans of one annotator and label, merged into their union

    def to_json(self) -> JSONObject:
        return {
            "alpha_u": self.alpha,
            "observed_disagreement": self.observed,
            "expected_disagreement": self.expected,
            "documents": self.documents,
            "characters": self.characters,
            "units": self.units,
            "merged_spans": self.merged_spans,
        }


@dataclass(frozen=True)
class DocumentAgreement:
    """One document: who worked on it and, per pair, spans, attribution and stance agreement, with
    the items under each: the links both made in all (``attribution_links``) and the targets both
    judged (``stance_targets``)."""

    annotators: tuple[str, ...]
    spans: Mapping[str, SpanAgreement]
    attribution: Mapping[str, float | None]
    stance_agreement: Mapping[str, float | None]
    attribution_links: Mapping[str, int] = field(default_factory=dict)
    stance_targets: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> JSONObject:
        return {
            "annotators": list(self.annotators),
            "spans": {pair: span_json(s) for pair, s in self.spans.items()},
            "attribution": dict(self.attribution),
            "attribution_links": dict(self.attribution_links),
            "stance_agreement": dict(self.stance_agreement),
            "stance_targets": dict(self.stance_targets),
        }


@dataclass(frozen=True)
class AnnotatorSummary:
    documents: int
    spans: Mapping[str, int]
    relations: int
    document_stances: int
    span_stances: int
    mean_overlap_f1: float | None
    mean_overlap_f1_pairs: int = 0  # the pairs (with a defined F1) the mean is over

    def to_json(self) -> JSONObject:
        return {
            "documents": self.documents,
            "spans": dict(self.spans),
            "relations": self.relations,
            "document_stances": self.document_stances,
            "span_stances": self.span_stances,
            "mean_overlap_f1": self.mean_overlap_f1,
            "mean_overlap_f1_pairs": self.mean_overlap_f1_pairs,
        }


@dataclass(frozen=True)
class AgreementReport:
    """The whole report; see the README's agreement section for each measure."""

    annotators: tuple[str, ...]
    documents: tuple[str, ...]
    pair_documents: Mapping[str, int]  # documents each pair is compared on
    stance: Mapping[str, Coefficients]
    spans: Mapping[str, Mapping[str, SpanAgreement]]
    spans_micro: Mapping[str, SpanAgreement]
    span_confusion: Mapping[str, Mapping[str, Mapping[str, int]]]
    attribution: Mapping[str, Attribution]
    attributes: Mapping[str, Mapping[str, Coefficients]]
    claim_stance: Mapping[str, Coefficients]
    unitizing: Mapping[str, Unitizing]  # all annotators, on the documents all worked on
    unitizing_pairs: Mapping[str, Mapping[str, Unitizing]]  # label -> pair, on the pair's documents
    per_document: Mapping[str, DocumentAgreement]
    per_annotator: Mapping[str, AnnotatorSummary]
    conventions: str = CONVENTIONS
    # While the sections after the overview are still to be computed (a report from
    # ``agreement_compare.agreement_overview``): what ``agreement_compare.completed`` computes them
    # from. Their fields are empty meanwhile; None once they are in.
    pending: object | None = field(default=None, compare=False, repr=False)

    @property
    def pairs(self) -> list[str]:
        return list(self.pair_documents)

    def coefficient_sections(self) -> list[Coefficients]:
        """Every Coefficients of the report (stance, attributes, claim stance), in report order."""
        return [
            *self.stance.values(),
            *(c for attrs in self.attributes.values() for c in attrs.values()),
            *self.claim_stance.values(),
        ]

    @property
    def sections_pending(self) -> bool:
        """True while attributes, claim stance, unitizing, per document and per annotator are still
        to be computed (their fields are empty until ``agreement_compare.completed`` fills them)."""
        return self.pending is not None

    @property
    def intervals_pending(self) -> bool:
        """True while some alpha interval is still to be computed (see ``Coefficients.pending_units``)."""
        return any(c.interval_pending for c in self.coefficient_sections())

    def to_json(self) -> JSONObject:
        return {
            "annotators": list(self.annotators),
            "documents": list(self.documents),
            "pairs": {pair: {"documents": n} for pair, n in self.pair_documents.items()},
            "stance": {t: c.to_json() for t, c in self.stance.items()},
            "spans": {
                label: {pair: span_json(s, self.pair_documents[pair]) for pair, s in by_pair.items()}
                for label, by_pair in self.spans.items()
            },
            "spans_micro": {pair: span_json(s, self.pair_documents[pair]) for pair, s in self.spans_micro.items()},
            "span_confusion": {
                pair: {row: dict(cells) for row, cells in matrix.items()}
                for pair, matrix in self.span_confusion.items()
            },
            "attribution": {pair: a.to_json() for pair, a in self.attribution.items()},
            "attributes": {
                label: {attr: c.to_json() for attr, c in attrs.items()} for label, attrs in self.attributes.items()
            },
            "claim_stance": {t: c.to_json() for t, c in self.claim_stance.items()},
            "unitizing": {label: u.to_json() for label, u in self.unitizing.items()},
            "unitizing_pairs": {
                label: {pair: u.to_json() for pair, u in by_pair.items()}
                for label, by_pair in self.unitizing_pairs.items()
            },
            "per_document": {doc: d.to_json() for doc, d in self.per_document.items()},
            "per_annotator": {name: a.to_json() for name, a in self.per_annotator.items()},
            "conventions": self.conventions,
        }

"""The plain-text form of the agreement report (`annotator agreement` without --json).

Summary tables only, each figure followed by the number of items it rests on in parentheses; the
per-document and per-annotator breakdowns are in --json and the report window.
"""

from __future__ import annotations

from collections.abc import Mapping

from annotator.model.agreement_report import AgreementReport, Coefficients
from annotator.model.agreement_spans import MatchCounts


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(bounds: tuple[float, float] | None) -> str:
    return "" if bounds is None else f"[{bounds[0]:.2f}, {bounds[1]:.2f}]"


def _counts(counts: MatchCounts) -> str:
    return f"{_fmt(counts.f1):>6} ({counts.first_total}/{counts.second_total}, {counts.matched} alike)"


def _coefficient_rows(title: str, rows: Mapping[str, Coefficients]) -> None:
    if not rows:
        return
    width = max(24, *(len(name) for name in rows))

    def line(name: str, n: object, alpha: str, ci: str, fleiss: str, ac1: str, observed: str, rest: str) -> str:
        # the header and the rows through one format, so every figure stands under its heading
        return f"  {name:<{width}} {n:>5}  {alpha:>6}  {ci:<14} {fleiss:>6} {ac1:>6}  {observed:>8}   {rest}"

    print(title)
    print(line("", "n", "alpha", "[95% CI]", "Fleiss", "AC1", "observed", "kappa per pair (n)"))
    for name, c in rows.items():
        pairs = "  ".join(f"{pair} {_fmt(k.kappa)} ({k.items})" for pair, k in c.kappa.items())
        note = "  single category" if c.single_category else ""
        note += f"  {c.extra_spans} extra spans left out" if c.extra_spans else ""
        figures = (_fmt(c.alpha), _ci(c.alpha_ci), _fmt(c.fleiss_kappa), _fmt(c.gwet_ac1), _fmt(c.observed))
        print(line(name, c.units, *figures, pairs + note))


def print_agreement(report: AgreementReport) -> None:
    print("Pairs (documents compared on)  " + "  ".join(f"{p} {n}" for p, n in report.pair_documents.items()))
    _coefficient_rows("Document stance (items = documents)", report.stance)
    print("Spans (F1)                 pair          docs  first second  exact  overlap")
    for label, by_pair in report.spans.items():
        for pair, scores in by_pair.items():
            print(
                f"  {label:<24} {pair:<14} {report.pair_documents[pair]:>4} {scores.overlap.first_total:>6} "
                f"{scores.overlap.second_total:>6} {_fmt(scores.exact.f1):>6}  {_fmt(scores.overlap.f1):>6}"
            )
    if report.unitizing:
        print("Unitizing alpha (alpha_U)  annotators       alpha_U   docs    characters  units")
        for label, u in report.unitizing.items():
            for who, unit_scores in [("all", u), *report.unitizing_pairs.get(label, {}).items()]:
                merged = f"  {unit_scores.merged_spans} overlapping spans merged" if unit_scores.merged_spans else ""
                print(
                    f"  {label:<24} {who:<16} {_fmt(unit_scores.alpha):>7} {unit_scores.documents:>6} "
                    f"{unit_scores.characters:>13} {unit_scores.units:>6}{merged}"
                )
    if report.attribution:
        print("Attribution F1 (first/second links, alike)")
        for pair, attribution in report.attribution.items():
            types = "  ".join(f"{name} {_counts(c)}" for name, c in attribution.by_type.items())
            print(f"  {pair:<24} pooled {_counts(attribution.pooled)}  {types}")
    rows = {f"{label}.{attr}": c for label, attrs in report.attributes.items() for attr, c in attrs.items()}
    rows |= {f"claim stance {target}": c for target, c in report.claim_stance.items()}
    _coefficient_rows("Over matched claims", rows)
    print(
        "Undefined figures print as '-'; a single category throughout leaves kappa, Fleiss and alpha undefined "
        "(AC1 counts the scheme's whole scale and stays defined)."
    )
    print("Per-document and per-annotator breakdowns: annotator agreement --json, or Review > Agreement report")

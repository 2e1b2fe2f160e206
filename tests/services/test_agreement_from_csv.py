"""Every figure of the agreement report recomputed from the exported CSV tables alone.

A random project (three annotators, a dozen documents, overlapping spans with attributes, links,
document and claim stances, and statuses, including a document marked done with nothing on it) is
exported with `export_csv`; the tables are read back with pandas and an independent routine written
here from the README's definitions recomputes: which documents each pair is compared on, span
P/R/F1 under exact and (brute-force optimal) overlap matching, attribution per relation type and
pooled, Cohen's kappa with its item count, Fleiss' kappa, Gwet's AC1 and Krippendorff's alpha
(the `krippendorff` package) for document stance, claim attributes and claim stance, and unitizing
alpha by direct double loops, the per-document figures (span P/R/F1 over all labels, attribution F1
with its link count, stance agreement with the targets both judged) and each annotator's mean
overlap F1 with its number of pairs; alpha's bootstrap interval (document stance, claim attributes and claim
stance, the last two over units of one matched span per annotator) is redone with the same seed and
resamples and the `krippendorff` package. The report must agree to 1e-9.
"""

from __future__ import annotations

import json
import random
import tomllib
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest

from annotator.io.export_csv import export_csv
from annotator.io.importer import import_paths
from annotator.model.agreement_compare import with_intervals
from annotator.model.types import Status
from annotator.services import annotations as svc
from annotator.services import documents
from annotator.services.agreement import agreement, complete_report, working_agreement
from annotator.services.project import Project
from tests.model.test_agreement_matching import _brute_force

NAMES = ("alice", "bob", "carol")
WORDS = ("the", "minister", "said", "that", "nato", "would", "not", "expand", "while", "officials", "in", "kyiv")


def _build(project: Project, tmp: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for n in range(12):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60)))
        lines.append(json.dumps({"id": f"doc{n:02d}", "title": f"Doc {n}", "text": text}))
    (tmp / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_paths(project, [tmp / "docs.jsonl"])
    scheme = project.scheme
    claim_attrs = {a.name: a.values for a in scheme.label("claim").attributes if a.values}  # type: ignore[union-attr]
    # A shared "truth" per document that each annotator follows loosely: jittered boundaries,
    # drifting attributes and stances, spans left out or added, links kept or dropped.
    truth: dict[int, list[tuple[str, int, int, dict[str, str]]]] = {}
    for doc_id in documents.document_ids(project):
        length = len(documents.load_view(project, doc_id, project.annotator(NAMES[0]).id).document.text)
        items = []
        for n in range(rng.randint(1, 4)):
            label = "claim" if n % 2 == 0 else "source"
            start = rng.randrange(3, length - 45)
            attrs = {k: rng.choice(v) for k, v in claim_attrs.items()} if label == "claim" else {}
            items.append((label, start, start + rng.randint(5, 40), attrs))
        truth[doc_id] = items
    for name in NAMES:
        who = project.annotator(name).id
        for doc_id, items in truth.items():
            roll = rng.random()
            if roll < 0.1:
                continue  # never opened
            if roll < 0.2:
                svc.set_status(project, doc_id, who, Status.DONE)  # read it, nothing to mark
                continue
            made: dict[int, int] = {}
            for n, (label, start, end, attrs) in enumerate(items):
                if rng.random() < 0.15:
                    continue
                mine = {k: (rng.choice(claim_attrs[k]) if rng.random() < 0.3 else v) for k, v in attrs.items()}
                if mine and rng.random() < 0.15:
                    mine.pop("checkworthy")  # a missing attribute value
                jitter = 0 if rng.random() < 0.5 else 3
                begin, stop = max(0, start + rng.randint(-jitter, jitter)), end + rng.randint(-jitter, jitter)
                made[n] = svc.add_span(project, doc_id, who, label, begin, stop, mine)[0].id
                if rng.random() < 0.2:  # a second, overlapping span of the same label
                    svc.add_span(project, doc_id, who, label, begin + 2, stop + 6, mine)
            for n, item in enumerate(items):
                if item[0] == "claim" and n in made:
                    source = next((m for k, m in made.items() if items[k][0] == "source"), None)
                    if source is not None and rng.random() < 0.8:
                        svc.link(project, "attributed_to", made[n], source)
                    if rng.random() < 0.6:
                        value = rng.choice(("favor", "against")) if rng.random() < 0.3 else "favor"
                        svc.set_stance(project, doc_id, who, "nato_membership", value, made[n])
            for target in scheme.target_names:
                if rng.random() < 0.85:
                    svc.set_stance(project, doc_id, who, target, rng.choice(scheme.stance_values[:3]))
            if rng.random() < 0.5:
                svc.set_status(project, doc_id, who, Status.DONE)


def _read(out: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("documents", "spans", "relations", "stances", "status")
    }


# --- the independent routine ----------------------------------------------------------------------


def _pair(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def _worked_on(t: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    worked: dict[str, set[str]] = defaultdict(set)
    for table in ("spans", "stances"):
        for row in t[table].itertuples():
            worked[row.annotator].add(row.doc_id)
    for row in t["status"].itertuples():
        if row.status != "not_started":
            worked[row.annotator].add(row.doc_id)
    return worked


def _spans(t: dict[str, pd.DataFrame]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(annotator, doc_id) -> spans by position then span id (the matching's last tie-break)."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    rows = t["spans"].to_dict("records")
    for row in rows:
        row["start"], row["end"] = int(row["start"]), int(row["end"])
    for row in sorted(rows, key=lambda r: (r["start"], r["end"], int(r["span_id"]))):
        out[(row["annotator"], row["doc_id"])].append(row)
    return out


def _match(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """Optimal overlap matching within each label, by brute force over all matchings."""
    pairs = []
    for label in sorted({s["label"] for s in first} & {s["label"] for s in second}):
        a = [s for s in first if s["label"] == label]
        b = [s for s in second if s["label"] == label]
        found = _brute_force([(s["start"], s["end"]) for s in a], [(s["start"], s["end"]) for s in b])
        pairs += [(a[i]["span_id"], b[j]["span_id"]) for i, j in found]
    return pairs


def _f1(n1: int, n2: int, matched: int) -> float | None:
    return None if n1 + n2 == 0 else 2 * matched / (n1 + n2)


def _kappa(pairs: list[tuple[str, str]]) -> tuple[float | None, int]:
    n = len(pairs)
    if n == 0:
        return None, 0
    p_o = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    p_e = sum(first[c] * second[c] for c in first) / (n * n)
    return (None if p_e == 1 else (p_o - p_e) / (1 - p_e)), n


def _scales(out: Path) -> tuple[list[str], dict[str, list[str]]]:
    """From the exported scheme.toml: the stance values, and each claim choice attribute's values."""
    scheme = tomllib.loads((out / "scheme.toml").read_text(encoding="utf-8"))
    claim = next(lab for lab in scheme["labels"] if lab["name"] == "claim")
    return scheme["stance"]["values"], {a["name"]: a["values"] for a in claim["attributes"] if "values" in a}


def _multi(units: list[list[str]], scale: Sequence[str]) -> dict[str, float | None]:
    """Fleiss, AC1 (Gwet 2014 with missing values; q counts the scheme's whole scale), observed
    agreement and alpha from scratch."""
    units = [u for u in units if u]
    pairable = [u for u in units if len(u) >= 2]
    if not pairable:
        return {"fleiss": None, "ac1": None, "observed": None, "alpha": None}
    pa = float(np.mean([sum(c * (c - 1) for c in Counter(u).values()) / (len(u) * (len(u) - 1)) for u in pairable]))
    cats = sorted({v for u in units for v in u})
    pi = {c: sum(u.count(c) / len(u) for u in units) / len(units) for c in cats}
    single = len({v for u in pairable for v in u}) == 1
    fleiss = ac1 = alpha = None
    if len(cats) > 1:
        pe = sum(p * p for p in pi.values())
        fleiss = None if pe >= 1 else (pa - pe) / (1 - pe)
    q = len(set(cats) | set(scale))
    if q > 1:
        pe1 = sum(p * (1 - p) for p in pi.values()) / (q - 1)
        ac1 = (pa - pe1) / (1 - pe1)
    if not single:
        domain = sorted({v for u in pairable for v in u})
        counts = [[u.count(c) for c in domain] for u in pairable]
        alpha = float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    return {"fleiss": fleiss, "ac1": ac1, "observed": pa, "alpha": alpha}


def _units_of(
    matchings: dict[tuple[str, str], list[tuple[str, str]]],
) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """Groups of linked spans, one span per annotator (most links, then smallest span id as text)."""
    graph: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for (a, b), pairs in matchings.items():
        for x, y in pairs:
            graph[(a, x)].add((b, y))
            graph[(b, y)].add((a, x))
    seen: set[tuple[str, str]] = set()
    units: list[list[tuple[str, str]]] = []
    extra: list[tuple[str, str]] = []
    for start in sorted(graph):
        if start in seen:
            continue
        group, todo = [], [start]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                group.append(node)
                todo.extend(graph[node])
        kept: dict[str, tuple[str, str]] = {}
        for node in sorted(group, key=lambda n: (-len(graph[n]), n)):
            if node[0] in kept:
                extra.append(node)
            else:
                kept[node[0]] = node
        units.append(list(kept.values()))
    return units, extra


def _matched_units(
    matchings: dict[tuple[str, str], list[tuple[str, str]]],
    by_id: dict[tuple[str, str], dict[str, Any]],
    values: dict[tuple[str, str], str],
    label: str | None,
) -> tuple[dict[tuple[str, str], list[tuple[str, str]]], list[list[str]], int]:
    """For a value carried by matched spans (of `label`, or any): the matched pairs per annotator pair,
    the units' values (one span per annotator), and how many spans left out carry a value."""
    chosen = {
        pair: [(x, y) for x, y in m if label is None or by_id[(pair[0], x)]["label"] == label]
        for pair, m in matchings.items()
    }
    units_nodes, extra = _units_of(chosen)
    units = [[values[node] for node in unit if node in values] for unit in units_nodes]
    return chosen, units, sum(node in values for node in extra)


ATTRIBUTES = ("claim_type", "checkworthy")


def _attribute_values(by_id: dict[tuple[str, str], dict[str, Any]], attr: str) -> dict[tuple[str, str], str]:
    return {(s["annotator"], s["span_id"]): s[attr] for s in by_id.values() if s["label"] == "claim" and s[attr]}


def _claim_stances(stances: pd.DataFrame, target: str) -> dict[tuple[str, str], str]:
    rows = stances[(stances.target == target) & (stances.span_id != "")]
    return {(r.annotator, r.span_id): r.value for r in rows.itertuples()}


def _matchings(
    t: dict[str, pd.DataFrame], names: Sequence[str]
) -> tuple[dict[tuple[str, str], list[tuple[str, str]]], dict[tuple[str, str], dict[str, Any]]]:
    """Optimal overlap matching of every pair on the documents both worked on, and spans by (annotator, id)."""
    worked, spans = _worked_on(t), _spans(t)
    by_id = {(s["annotator"], s["span_id"]): s for ss in spans.values() for s in ss}
    matchings = {
        (a, b): [m for d in sorted(worked[a] & worked[b]) for m in _match(spans[(a, d)], spans[(b, d)])]
        for a, b in combinations(names, 2)
    }
    return matchings, by_id


def _unitizing(raters: list[list[tuple[int, int]]], length: int) -> float | None:
    """alpha_U with plain double loops over segments (Krippendorff 2004, pp. 251-256)."""

    def segments(units: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
        out, pos = [], 0
        for s, e in sorted(units):
            if s > pos:
                out.append((pos, s, False))
            out.append((s, e, True))
            pos = e
        return out + ([(pos, length, False)] if pos < length else [])

    def delta(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
        if g[2] and h[2]:
            return (g[0] - h[0]) ** 2 + (g[1] - h[1]) ** 2 if g[0] < h[1] and h[0] < g[1] else 0
        if g[2] and not h[2] and h[0] <= g[0] and g[1] <= h[1]:
            return (g[1] - g[0]) ** 2
        if h[2] and not g[2] and g[0] <= h[0] and h[1] <= g[1]:
            return (h[1] - h[0]) ** 2
        return 0

    units = [u for r in raters for u in r]
    r_count = len(raters)
    if not units:
        return None
    segs = [segments(r) for r in raters]
    total = sum(delta(g, h) for i, j in combinations(range(r_count), 2) for g in segs[i] for h in segs[j])
    d_o = 2 * total / (r_count * (r_count - 1) * length**2)
    gaps = [e - s for r in segs for s, e, is_unit in r if not is_unit]
    n_c = len(units)
    acc = 0.0
    for s, e in units:
        n = e - s
        acc += (n_c - 1) * (2 * n**3 - 3 * n**2 + n) / 3 + n * n * sum(g - n + 1 for g in gaps if g >= n)
    d_e = (
        (2 / length) * acc / (r_count * length * (r_count * length - 1) - sum((e - s) * (e - s - 1) for s, e in units))
    )
    return None if d_e == 0 else 1 - d_o / d_e


def _approx(value: Any) -> Any:
    return None if value is None else pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_figure_recomputed_from_the_csv_tables(project: Project, tmp_path: Path, seed: int) -> None:
    _build(project, tmp_path, seed)
    report = agreement(project).to_json()
    export_csv(project, tmp_path / "out")
    t = _read(tmp_path / "out")
    worked = _worked_on(t)
    names = sorted(worked)
    assert report["annotators"] == names == list(NAMES)
    spans = _spans(t)
    by_id = {(s["annotator"], s["span_id"]): s for ss in spans.values() for s in ss}
    labels, targets = ("claim", "source"), ("nato_membership", "security_guarantees")

    # Documents per pair, span scores, attribution.
    matchings: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a, b in combinations(names, 2):
        key, shared = _pair(a, b), sorted(worked[a] & worked[b])
        assert report["pairs"][key] == {"documents": len(shared)}
        matched = [m for d in shared for m in _match(spans[(a, d)], spans[(b, d)])]
        matchings[(a, b)] = matched
        for label in labels:
            n1 = sum(s["label"] == label for d in shared for s in spans[(a, d)])
            n2 = sum(s["label"] == label for d in shared for s in spans[(b, d)])
            exact_keys = Counter(
                (d, s["start"], s["end"]) for d in shared for s in spans[(b, d)] if s["label"] == label
            )
            exact = 0
            for d in shared:
                for s in spans[(a, d)]:
                    if s["label"] == label and exact_keys[(d, s["start"], s["end"])] > 0:
                        exact_keys[(d, s["start"], s["end"])] -= 1
                        exact += 1
            overlap = sum(by_id[(a, x)]["label"] == label for x, _ in matched)
            got = report["spans"][label][key]
            assert (got["first_count"], got["second_count"], got["documents"]) == (n1, n2, len(shared))
            assert got["exact_f1"] == _approx(_f1(n1, n2, exact))
            assert got["overlap_f1"] == _approx(_f1(n1, n2, overlap))
        ids = dict(matched)
        rel = t["relations"]
        first = [r for r in rel.itertuples() if r.annotator == a and r.doc_id in shared and r.from_span_id in ids]
        heads = set(ids.values())
        second = [r for r in rel.itertuples() if r.annotator == b and r.doc_id in shared and r.from_span_id in heads]
        available = Counter((r.from_span_id, r.to_span_id) for r in second)
        alike = 0
        for r in first:
            k = (ids[r.from_span_id], ids.get(r.to_span_id, ""))
            if available[k] > 0:
                available[k] -= 1
                alike += 1
        got_attr = report["attribution"][key]
        assert (got_attr["first_count"], got_attr["second_count"], got_attr["matched"]) == (
            len(first),
            len(second),
            alike,
        )
        assert got_attr["f1"] == _approx(_f1(len(first), len(second), alike))
        assert got_attr["by_type"].get("attributed_to", {"f1": None})["f1"] == _approx(
            _f1(len(first), len(second), alike) if first or second else None
        )

    # Document stance (items = documents). AC1's q counts the scheme's whole scale (scheme.toml).
    stances = t["stances"]
    stance_scale, attribute_scales = _scales(tmp_path / "out")
    for target in targets:
        rows = stances[(stances.target == target) & (stances.span_id == "")]
        value = {(r.annotator, r.doc_id): r.value for r in rows.itertuples()}
        got = report["stance"][target]
        docs = sorted({d for _, d in value})
        units = [[value[(n, d)] for n in names if (n, d) in value] for d in docs]
        expected = _multi(units, stance_scale)
        assert got["scale"] == stance_scale  # not_addressed is never given in this project: still counted
        assert got["items"] == sum(len(u) >= 2 for u in units)
        assert (got["fleiss_kappa"], got["gwet_ac1"]) == (_approx(expected["fleiss"]), _approx(expected["ac1"]))
        assert (got["alpha"], got["observed_agreement"]) == (_approx(expected["alpha"]), _approx(expected["observed"]))
        for a, b in combinations(names, 2):
            pairs = [(value[(a, d)], value[(b, d)]) for d in docs if (a, d) in value and (b, d) in value]
            kappa, n = _kappa(pairs)
            assert (got["kappa"][_pair(a, b)], got["kappa_items"][_pair(a, b)]) == (_approx(kappa), n)
        if got["alpha_ci95"] is not None:
            assert got["alpha_ci95"][0] <= got["alpha"] <= got["alpha_ci95"][1]

    # Values carried by matched spans: claim attributes (label-wise matching) and claim stance.
    def check_matched(
        got: dict[str, Any], values: dict[tuple[str, str], str], label: str | None, scale: Sequence[str]
    ) -> None:
        chosen, units, left_out = _matched_units(matchings, by_id, values, label)
        expected = _multi(units, scale)
        assert (got["items"], got["extra_spans"]) == (sum(len(u) >= 2 for u in units), left_out)
        assert (got["fleiss_kappa"], got["gwet_ac1"]) == (_approx(expected["fleiss"]), _approx(expected["ac1"]))
        assert got["alpha"] == _approx(expected["alpha"])
        for (a, b), m in chosen.items():
            pairs = [(values[(a, x)], values[(b, y)]) for x, y in m if (a, x) in values and (b, y) in values]
            kappa, n = _kappa(pairs)
            assert (got["kappa"][_pair(a, b)], got["kappa_items"][_pair(a, b)]) == (_approx(kappa), n)

    for attr in ATTRIBUTES:
        check_matched(
            report["attributes"]["claim"][attr], _attribute_values(by_id, attr), "claim", attribute_scales[attr]
        )
    claim_stances = _claim_stances(stances, "nato_membership")
    check_matched(report["claim_stance"]["nato_membership"], claim_stances, None, stance_scale)

    # Unitizing alpha over the documents every annotator (or both of a pair) worked on, laid end to end.
    lengths = {r.doc_id: int(r.n_chars) for r in t["documents"].itertuples()}

    def alpha_u(who: Sequence[str], label: str) -> tuple[float | None, int, int]:
        common = sorted(set.intersection(*(worked[n] for n in who)))
        offsets, total = {}, 0
        for d in common:
            offsets[d], total = total, total + lengths[d]
        raters = []
        for n in who:
            own = sorted(
                (offsets[d] + s["start"], offsets[d] + s["end"])
                for d in common
                for s in spans[(n, d)]
                if s["label"] == label
            )
            merged: list[tuple[int, int]] = []
            for s, e in own:  # overlapping spans of one annotator become their union
                if merged and s < merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], e))
                else:
                    merged.append((s, e))
            raters.append(merged)
        return _unitizing(raters, total), len(common), total

    # Per document and pair (spans over all labels, attribution, document stance), and per annotator.
    doc_stance = {(r.annotator, r.doc_id, r.target): r.value for r in stances[stances.span_id == ""].itertuples()}
    links = t["relations"]
    mean_f1: dict[str, list[float]] = defaultdict(list)
    for a, b in combinations(names, 2):
        key, shared = _pair(a, b), sorted(worked[a] & worked[b])
        n1_all = n2_all = overlap_all = 0
        for d in shared:
            got_doc = report["per_document"][d]
            first, second = spans[(a, d)], spans[(b, d)]
            matched = _match(first, second)
            exact_keys = Counter((s["label"], s["start"], s["end"]) for s in second)
            exact = 0
            for s in first:
                if exact_keys[(s["label"], s["start"], s["end"])] > 0:
                    exact_keys[(s["label"], s["start"], s["end"])] -= 1
                    exact += 1
            got_spans = got_doc["spans"][key]
            assert (got_spans["first_count"], got_spans["second_count"]) == (len(first), len(second))
            assert got_spans["exact_f1"] == _approx(_f1(len(first), len(second), exact))
            assert got_spans["overlap_f1"] == _approx(_f1(len(first), len(second), len(matched)))
            n1_all, n2_all, overlap_all = n1_all + len(first), n2_all + len(second), overlap_all + len(matched)
            ids = dict(matched)
            mine = [r for r in links.itertuples() if r.annotator == a and r.doc_id == d and r.from_span_id in ids]
            heads = set(ids.values())
            theirs = [r for r in links.itertuples() if r.annotator == b and r.doc_id == d and r.from_span_id in heads]
            available = Counter((r.type, r.from_span_id, r.to_span_id) for r in theirs)
            alike = 0
            for r in mine:
                k = (r.type, ids[r.from_span_id], ids.get(r.to_span_id, ""))
                if available[k] > 0:
                    available[k] -= 1
                    alike += 1
            assert got_doc["attribution"][key] == _approx(_f1(len(mine), len(theirs), alike))
            assert got_doc["attribution_links"][key] == len(mine) + len(theirs)
            judged = [
                (doc_stance[(a, d, x)], doc_stance[(b, d, x)])
                for x in targets
                if (a, d, x) in doc_stance and (b, d, x) in doc_stance
            ]
            agreed = sum(x == y for x, y in judged) / len(judged) if judged else None
            assert (got_doc["stance_agreement"][key], got_doc["stance_targets"][key]) == (_approx(agreed), len(judged))
        if (f1 := _f1(n1_all, n2_all, overlap_all)) is not None:
            mean_f1[a].append(f1)
            mean_f1[b].append(f1)
    for name in names:
        got_who = report["per_annotator"][name]
        assert got_who["documents"] == len(worked[name])
        scores = mean_f1[name]
        assert got_who["mean_overlap_f1_pairs"] == len(scores)
        assert got_who["mean_overlap_f1"] == _approx(sum(scores) / len(scores) if scores else None)

    for label in labels:
        value, n_docs, n_chars = alpha_u(names, label)
        got = report["unitizing"][label]
        assert (got["documents"], got["characters"]) == (n_docs, n_chars)
        assert got["alpha_u"] == _approx(value)
        for a, b in combinations(names, 2):
            value, n_docs, n_chars = alpha_u((a, b), label)
            got = report["unitizing_pairs"][label][_pair(a, b)]
            assert (got["documents"], got["characters"], got["alpha_u"]) == (n_docs, n_chars, _approx(value))


def _bootstrap_ci(units: list[list[str]], samples: int = 1000, seed: int = 20071) -> tuple[float, float] | None:
    """The README's bootstrap, with each resample's alpha from the `krippendorff` package."""
    pairable = sorted(sorted(u) for u in units if len(u) >= 2)
    n = len(pairable)
    if n < 2 or len({v for u in pairable for v in u}) < 2:
        return None
    taken = np.random.default_rng(seed).multinomial(n, [1 / n] * n, size=samples)
    alphas = []
    for row in taken:
        resample = [u for u, k in zip(pairable, row, strict=True) for _ in range(k)]
        domain = sorted({v for u in resample for v in u})
        if len(domain) < 2:
            continue
        counts = [[u.count(c) for c in domain] for u in resample]
        alphas.append(float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")))
    if len(alphas) < samples / 2:
        return None
    low, high = np.quantile(alphas, [0.025, 0.975])
    return float(low), float(high)


@pytest.mark.parametrize("seed", [1, 2])
def test_alpha_interval_recomputed_from_the_csv_tables(project: Project, tmp_path: Path, seed: int) -> None:
    _build(project, tmp_path, seed)
    report = agreement(project).to_json()
    export_csv(project, tmp_path / "out")
    t = _read(tmp_path / "out")
    names = sorted(_worked_on(t))
    stances = t["stances"]
    checked = 0
    for target in ("nato_membership", "security_guarantees"):
        rows = stances[(stances.target == target) & (stances.span_id == "")]
        value = {(r.annotator, r.doc_id): r.value for r in rows.itertuples()}
        units = [[value[(n, d)] for n in names if (n, d) in value] for d in sorted({d for _, d in value})]
        expected = _bootstrap_ci(units)
        got = report["stance"][target]["alpha_ci95"]
        assert got == (None if expected is None else [pytest.approx(x, abs=1e-9) for x in expected])
        checked += expected is not None
    assert checked > 0  # the random project is big enough for at least one interval

    # Values carried by matched spans: units of one span per annotator, from the optimal matchings.
    matchings, by_id = _matchings(t, names)
    sections = [(report["attributes"]["claim"][a], _attribute_values(by_id, a), "claim") for a in ATTRIBUTES]
    sections.append((report["claim_stance"]["nato_membership"], _claim_stances(stances, "nato_membership"), None))
    checked = 0
    for got_section, values, label in sections:
        _, units, _ = _matched_units(matchings, by_id, values, label)
        expected = _bootstrap_ci(units)
        assert got_section["alpha_ci95"] == (
            None if expected is None else [pytest.approx(x, abs=1e-9) for x in expected]
        )
        checked += expected is not None
    assert checked > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_figures_first_then_intervals_give_the_same_report(project: Project, tmp_path: Path, seed: int) -> None:
    """The report window's two steps (figures without α's intervals, then the intervals) end in exactly
    the report `annotator agreement --json` prints; before the second step only the intervals differ."""
    _build(project, tmp_path, seed)
    complete = agreement(project)
    first = agreement(project, intervals=False)
    assert first.intervals_pending and not complete.intervals_pending
    pending = first.coefficient_sections()
    assert all(c.interval_pending and c.alpha_ci is None for c in pending)
    assert any(c.alpha_ci is not None for c in complete.coefficient_sections())

    def without_intervals(report: dict[str, Any]) -> str:
        for section in (report["stance"], report["claim_stance"], *report["attributes"].values()):
            for coefficients in section.values():
                coefficients["alpha_ci95"] = None
        return json.dumps(report, sort_keys=True)

    assert without_intervals(first.to_json()) == without_intervals(complete.to_json())
    assert json.dumps(with_intervals(first).to_json()) == json.dumps(complete.to_json())


@pytest.mark.parametrize("seed", [1, 2])
def test_overview_then_the_rest_give_the_same_report(project: Project, tmp_path: Path, seed: int) -> None:
    """The report window's first job (the Overview and Spans tabs' sections only), completed by its
    second job, is exactly the one-step report, with or without α's intervals; the first job leaves
    the later sections empty and pending, and its own sections as the one-step report has them."""
    _build(project, tmp_path, seed)
    for intervals in (False, True):
        whole = agreement(project, intervals=intervals)
        first, _, _ = working_agreement(project, intervals=intervals, overview=True)
        assert first.sections_pending and not whole.sections_pending
        later = ("attributes", "claim_stance", "unitizing", "unitizing_pairs", "per_document", "per_annotator")
        shown, full = first.to_json(), whole.to_json()
        assert all(not shown[key] for key in later) and all(full[key] for key in later)
        assert {k: v for k, v in shown.items() if k not in later} == {k: v for k, v in full.items() if k not in later}
        rest = complete_report(first)
        assert not rest.sections_pending
        assert json.dumps(rest.to_json()) == json.dumps(full)
        assert rest.intervals_pending == whole.intervals_pending
    assert json.dumps(with_intervals(rest).to_json()) == json.dumps(agreement(project).to_json())

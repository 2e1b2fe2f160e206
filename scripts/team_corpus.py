"""A synthetic team project for the review and agreement benchmarks (scripts/bench_disagreement.py,
scripts/bench_agreement.py): documents of about `chars` characters, and for each document a shared
"truth" of claims and sources that every annotator follows loosely (items left out or added, jittered
boundaries, a label now and then confused, drifting attributes and stances), with claim -> source links,
claim stances, document stances and a done status. Stored with the store's bulk inserts, in batches of
documents, so a million spans take a minute rather than an hour. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

from annotator.model.types import NewDocument
from annotator.services.project import Project
from annotator.store import bulk
from annotator.store import documents as docs
from annotator.store.engine import utc_now

_PHRASE = (
    "the minister said that talks on security guarantees for Ukraine would continue next week while "
    "officials in Brussels and Washington declined to comment on reports that NATO membership was "
    "discussed at the summit according to sources familiar with the matter"
)
WORDS = tuple(_PHRASE.split(" "))
BATCH = 2000  # documents per transaction


def build(
    location: Path | str,
    *,
    n_docs: int,
    annotators: int = 3,
    spans_per_layer: int = 5,
    chars: int = 3000,
    seed: int = 14,
    discontinuous: float = 0.0,
    skip: float = 0.0,
) -> dict[str, int]:
    """Create the project at `location` and fill it; returns row counts. `discontinuous` is the share of
    spans stored in two pieces, `skip` the share of (document, annotator) pairs left untouched (no
    annotation, no status); both 0 by default (and then the data is what it always was for a seed)."""
    rng = random.Random(seed)
    project = Project.open(location)
    scheme = project.scheme
    names = [f"annotator{n + 1}" for n in range(annotators)]
    ids = [project.annotator(name).id for name in names]
    attrs = {label.name: {a.name: list(a.values) for a in label.attributes if a.values} for label in scheme.labels}
    labels = [label.name for label in scheme.labels][:2]
    relation = scheme.relations[0] if scheme.relations else None
    targets = scheme.target_names
    values = list(scheme.stance_values)
    now = utc_now()
    counts = {"documents": 0, "spans": 0, "relations": 0, "stances": 0}
    for first in range(0, n_docs, BATCH):
        size = min(BATCH, n_docs - first)
        texts = [_text(rng, first + n, chars) for n in range(size)]
        with project.store.write_session() as s:
            docs.add_documents(
                s,
                [
                    NewDocument(
                        f"doc{first + n:06d}",
                        hashlib.sha256(text.encode()).hexdigest(),
                        f"Article {first + n}",
                        text,
                        imported_at=now,
                    )
                    for n, text in enumerate(texts)
                ],
            )
            doc_ids = docs.document_ids(s)[-size:]
            spans: list[dict[str, Any]] = []
            later: list[tuple[str, dict[str, Any], int, int]] = []  # (kind, row, from index, to index)
            stances: list[dict[str, Any]] = []
            statuses: list[dict[str, Any]] = []
            for doc_id, text in zip(doc_ids, texts, strict=True):
                truth = _truth(rng, len(text), spans_per_layer, labels, attrs)
                doc_values = {t: rng.choice(values[:3]) for t in targets}
                for who in ids:
                    if skip and rng.random() < skip:
                        continue
                    made: list[tuple[str, int]] = []
                    for label, start, end, item_attrs in truth:
                        if rng.random() < 0.15:
                            continue
                        if rng.random() < 0.05 and len(labels) > 1:
                            label = labels[1] if label == labels[0] else labels[0]
                        jitter = 0 if rng.random() < 0.5 else 3
                        begin = max(0, start + rng.randint(-jitter, jitter))
                        stop = min(len(text), max(begin + 1, end + rng.randint(-jitter, jitter)))
                        mine = {
                            k: (rng.choice(attrs[label][k]) if rng.random() < 0.3 else v)
                            for k, v in item_attrs.items()
                            if k in attrs[label]
                        }
                        made.append((label, len(spans)))
                        spans.append(_span(doc_id, who, label, begin, stop, text, mine, now))
                        if discontinuous and stop - begin >= 6 and rng.random() < discontinuous:
                            cut = rng.randint(begin + 1, stop - 4)
                            spans[-1]["fragments"] = [[begin, cut], [cut + rng.randint(1, stop - cut - 2), stop]]
                    if rng.random() < 0.1:  # one of their own
                        start = rng.randrange(0, max(1, len(text) - 60))
                        made.append((labels[0], len(spans)))
                        spans.append(_span(doc_id, who, labels[0], start, start + 40, text, {}, now))
                    claims = [i for label, i in made if label == labels[0]]
                    sources = [i for label, i in made if len(labels) > 1 and label == labels[1]]
                    if relation is not None:
                        for claim, source in zip(claims, sources, strict=False):
                            row = _authored(doc_id, who, now, type=relation.name)
                            later.append(("relation", row, claim, source))
                    if claims and targets:
                        value = rng.choice(values[:2]) if rng.random() < 0.3 else values[0]
                        row = _authored(doc_id, who, now, target=targets[-1], value=value)
                        later.append(("stance", row, claims[0], -1))
                    for target in targets:
                        if rng.random() < 0.9:
                            value = doc_values[target] if rng.random() < 0.7 else rng.choice(values[:3])
                            stances.append(_authored(doc_id, who, now, target=target, value=value, span_id=None))
                    statuses.append(
                        dict(
                            doc_id=doc_id,
                            annotator_id=who,
                            status="done",
                            seconds=60.0,
                            note="",
                            origin="imported",
                            updated_at=now,
                        )
                    )
            if discontinuous:  # one set of keys for the whole batch
                for row in spans:
                    row.setdefault("fragments", None)
            span_ids = bulk.insert_spans(s, spans)
            relations = []
            claim_stances = []
            for kind, row, a, b in later:
                if kind == "relation":
                    relations.append({**row, "from_span_id": span_ids[a], "to_span_id": span_ids[b]})
                else:
                    claim_stances.append({**row, "span_id": span_ids[a]})
            bulk.insert_relations(s, relations)
            bulk.insert_stances(s, stances)
            bulk.insert_stances(s, claim_stances)
            bulk.upsert_statuses(s, statuses)
        counts["documents"] += size
        counts["spans"] += len(spans)
        counts["relations"] += len(relations)
        counts["stances"] += len(stances) + len(claim_stances)
    project.close()
    return counts


def _text(rng: random.Random, index: int, chars: int) -> str:
    text = f"Article {index}. " + " ".join(rng.choices(WORDS, k=chars // 5))
    return text[:chars]


def _truth(
    rng: random.Random, length: int, n: int, labels: list[str], attrs: dict[str, dict[str, list[str]]]
) -> list[tuple[str, int, int, dict[str, str]]]:
    items = []
    for k in range(n):
        label = labels[k % len(labels)]
        start = rng.randrange(0, max(1, length - 80))
        items.append((label, start, start + rng.randint(10, 70), {a: rng.choice(v) for a, v in attrs[label].items()}))
    return items


def _span(
    doc_id: int, who: int, label: str, start: int, end: int, text: str, attributes: dict[str, str], now: str
) -> dict[str, Any]:
    return dict(
        doc_id=doc_id,
        annotator_id=who,
        label=label,
        start=start,
        end=end,
        text=text[start:end],
        attributes=attributes,
        origin="imported",
        created_at=now,
        updated_at=now,
    )


def _authored(doc_id: int, who: int, now: str, **values: Any) -> dict[str, Any]:
    return dict(doc_id=doc_id, annotator_id=who, origin="imported", created_at=now, updated_at=now, **values)

"""The review's per-document disagreement score (pure maths, no SQL).

A document's score is in [0, 1], higher meaning more disagreement, over the annotators who worked on
it (a span, a stance, or a status other than not_started): the mean of the parts that apply,

- spans: ``1 - mean overlap F1`` over the pairs of those annotators, where a pair's F1 is the
  micro average over labels of the optimal one-to-one overlap matching within each label
  (:mod:`annotator.model.agreement_matching`: candidate pairs from a sort and sweep, so a
  500-span article is not compared span by span), ``2 * matched / (first + second)``; pairs where
  neither side has a span are left out. Two spans overlap when they share a character; a
  discontinuous span is the set of its pieces' characters, as in the agreement report, so two
  spans whose bounds overlap but whose pieces do not are no match;
- document stances: the share of targets judged (rows, so two rows of one annotator count twice,
  as they always have) two or more times whose values differ.

A document where fewer than two annotators worked, or where nothing compares, scores 0.0. Only the
number of matched pairs enters, and a maximum matching's size does not depend on its tie-breaks, so
`matching_size` finds it with augmenting paths over the sweep's candidate pairs instead of solving
the weighted assignment the agreement report needs (the tests check it equals that matching's size).

Keeping a stored score current recomputes a document after each edit, and an edit changes one
annotator's layer: `document_score` remembers the last few matching sizes by the two lists' content
(a small cache in this module), so on a 500-span article only the pairs involving the changed layer
and label are matched again. The cache is keyed by the spans themselves, so it cannot go stale.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from annotator.model.agreement_matching import Interval, Pieces

Fragments = tuple[Interval, ...]
DocSpan = tuple[int, str, int, int, Fragments]
"""``(annotator_id, label, start, end, pieces)``: ``pieces`` are a discontinuous span's sorted
fragments (inside ``[start, end)``), ``()`` for a continuous span."""
LayerSpan = tuple[int, int, Fragments]
"""``(start, end, pieces)``."""
DocStance = tuple[str, str]
"""A document-level stance: ``(target, value)``."""


def document_score(present: Iterable[int], spans: Iterable[DocSpan], stances: Iterable[DocStance]) -> float:
    """The score of one document (see the module docstring); `present` are the annotators who worked
    on it, `spans` and `stances` theirs (claim stances left out)."""
    who = sorted(set(present))
    if len(who) < 2:
        return 0.0
    by_annotator: dict[int, dict[str, list[LayerSpan]]] = defaultdict(lambda: defaultdict(list))
    counts: Counter[int] = Counter()
    for annotator_id, label, start, end, pieces in spans:
        by_annotator[annotator_id][label].append((start, end, pieces))
        counts[annotator_id] += 1
    # In the order given (a store reads an unchanged layer in the same order, so its cache key holds).
    layers = {a: {label: _layer(items) for label, items in labels.items()} for a, labels in by_annotator.items()}
    parts: list[float] = []
    f1s: list[float] = []
    for a, b in combinations(who, 2):
        total = counts[a] + counts[b]
        if total == 0:
            continue
        first, second = layers.get(a, {}), layers.get(b, {})
        matched = sum(_layer_matching(first[label], second[label]) for label in first if label in second)
        f1s.append(2 * matched / total)
    if f1s:
        parts.append(1.0 - sum(f1s) / len(f1s))
    values: dict[str, set[str]] = defaultdict(set)
    judged: Counter[str] = Counter()
    for target, value in stances:
        values[target].add(value)
        judged[target] += 1
    compared = [t for t, n in judged.items() if n >= 2]
    if compared:
        parts.append(sum(1 for t in compared if len(values[t]) > 1) / len(compared))
    return sum(parts) / len(parts) if parts else 0.0


_CACHE_SIZE = 64
_CACHE_MIN = 16  # lists shorter than this are matched again (cheaper than hashing them)


@dataclass(frozen=True)
class _Layer:
    """One annotator's spans of one label, with its content's hash worked out once."""

    spans: tuple[LayerSpan, ...]
    key: int


def _layer(items: list[LayerSpan]) -> _Layer:
    spans = tuple(items)
    return _Layer(spans, hash(spans) if len(spans) >= _CACHE_MIN // 2 else 0)


# (first key, second key) -> (first spans, second spans, matching size); the spans are compared on a
# hit, so two contents with one hash cannot be confused.
_cache: OrderedDict[tuple[int, int], tuple[tuple[LayerSpan, ...], tuple[LayerSpan, ...], int]] = OrderedDict()
_cache_lock = threading.Lock()


def _layer_matching(first: _Layer, second: _Layer) -> int:
    """`matching_size` of two layers of one label, remembered by their content for long lists."""
    if len(first.spans) + len(second.spans) < _CACHE_MIN:
        return _matching_of(first.spans, second.spans)
    key = (first.key, second.key)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None and found[0] == first.spans and found[1] == second.spans:
            _cache.move_to_end(key)
            return found[2]
    size = _matching_of(first.spans, second.spans)
    with _cache_lock:
        _cache[key] = (first.spans, second.spans, size)
        _cache.move_to_end(key)
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return size


def _matching_of(first: Sequence[LayerSpan], second: Sequence[LayerSpan]) -> int:
    pieces = None
    if any(p for _, _, p in first) or any(p for _, _, p in second):
        pieces = ([p or ((s, e),) for s, e, p in first], [p or ((s, e),) for s, e, p in second])
    return matching_size([(s, e) for s, e, _ in first], [(s, e) for s, e, _ in second], pieces)


def matching_size(
    first: Sequence[Interval],
    second: Sequence[Interval],
    pieces: tuple[Sequence[Pieces], Sequence[Pieces]] | None = None,
) -> int:
    """The size of a maximum one-to-one matching of intervals that share a character (Kuhn's
    augmenting paths, iterative, over the sweep's candidate pairs; a greedy pass first matches
    most). With `pieces` (each item's pieces, inside its interval) two items are candidates only
    when their pieces share a character."""
    adjacent = _adjacent(first, second, pieces)
    owner: dict[int, int] = {}  # second-list index -> first-list index matched to it
    partner: dict[int, int] = {}  # first-list index -> second-list index
    unmatched = []
    for i, js in adjacent.items():
        free = next((j for j in js if j not in owner), None)
        if free is None:
            unmatched.append(i)
        else:
            owner[free], partner[i] = i, free
    for root in unmatched:
        _augment(root, adjacent, owner, partner)
    return len(partner)


def _adjacent(
    first: Sequence[Interval],
    second: Sequence[Interval],
    pieces: tuple[Sequence[Pieces], Sequence[Pieces]] | None,
) -> dict[int, list[int]]:
    """Candidate pairs as adjacency lists (first-list index -> second-list indices, ascending): the
    sort and sweep of `agreement_matching.candidate_pairs`, without the shared-character counts."""
    order = sorted(range(len(second)), key=lambda j: second[j][0])
    adjacent: dict[int, list[int]] = {}
    active: list[int] = []
    position = 0
    for i in sorted(range(len(first)), key=lambda i: first[i][0]):
        start, end = first[i]
        while position < len(order) and second[order[position]][0] < end:
            active.append(order[position])
            position += 1
        active = [j for j in active if second[j][1] > start]
        # Active intervals end after this one starts; one added for an earlier, longer interval
        # may start after this one ends.
        found = [j for j in active if second[j][0] < end]
        if pieces is not None:
            mine = pieces[0][i]
            found = [j for j in found if _share(mine, pieces[1][j])]
        if found:
            found.sort()
            adjacent[i] = found
    return adjacent


def _share(a: Pieces, b: Pieces) -> bool:
    return any(min(x[1], y[1]) > max(x[0], y[0]) for x in a for y in b)


def _augment(root: int, adjacent: dict[int, list[int]], owner: dict[int, int], partner: dict[int, int]) -> bool:
    """Match `root` (free) along an augmenting path if there is one (depth first, no recursion)."""
    reached_from: dict[int, int] = {}  # second-list index -> the first-list index that reached it
    stack = [(root, iter(adjacent[root]))]
    while stack:
        i, options = stack[-1]
        for j in options:
            if j in reached_from:
                continue
            reached_from[j] = i
            if j not in owner:  # free: flip the path back to the root
                while True:
                    i = reached_from[j]
                    previous = partner.get(i)
                    owner[j], partner[i] = i, j
                    if i == root:
                        return True
                    assert previous is not None
                    j = previous
            stack.append((owner[j], iter(adjacent[owner[j]])))
            break
        else:
            stack.pop()
    return False

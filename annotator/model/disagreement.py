"""The review's per-document disagreement score (pure maths, no SQL).

A document's score is in [0, 1], higher meaning more disagreement, over the annotators who worked on
it (a span, a stance, or a status other than not_started): the mean of the parts that apply,

- spans: ``1 - mean overlap F1`` over the pairs of those annotators, where a pair's F1 is the
  micro average over labels of the optimal one-to-one overlap matching within each label
  (:mod:`annotator.model.agreement_matching`: candidate pairs from a sort and sweep, so a
  500-span article is not compared span by span), ``2 * matched / (first + second)``; pairs where
  neither side has a span are left out;
- document stances: the share of targets judged (rows, so two rows of one annotator count twice,
  as they always have) two or more times whose values differ.

A document where fewer than two annotators worked, or where nothing compares, scores 0.0. Only the
number of matched pairs enters, and a maximum matching's size does not depend on its tie-breaks, so
`matching_size` finds it with augmenting paths over the sweep's candidate pairs instead of solving
the weighted assignment the agreement report needs (the tests check it equals that matching's size).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

from annotator.model.agreement_matching import Interval, candidate_pairs

DocSpan = tuple[int, str, int, int]
"""``(annotator_id, label, start, end)``."""
DocStance = tuple[str, str]
"""A document-level stance: ``(target, value)``."""


def document_score(present: Iterable[int], spans: Iterable[DocSpan], stances: Iterable[DocStance]) -> float:
    """The score of one document (see the module docstring); `present` are the annotators who worked
    on it, `spans` and `stances` theirs (claim stances left out)."""
    who = sorted(set(present))
    if len(who) < 2:
        return 0.0
    by_annotator: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    counts: Counter[int] = Counter()
    for annotator_id, label, start, end in spans:
        by_annotator[annotator_id][label].append((start, end))
        counts[annotator_id] += 1
    parts: list[float] = []
    f1s: list[float] = []
    for a, b in combinations(who, 2):
        total = counts[a] + counts[b]
        if total == 0:
            continue
        first, second = by_annotator.get(a, {}), by_annotator.get(b, {})
        matched = sum(matching_size(first[label], second[label]) for label in first if label in second)
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


def matching_size(first: list[Interval], second: list[Interval]) -> int:
    """The size of a maximum one-to-one matching of intervals that share a character (Kuhn's
    augmenting paths, iterative, over `candidate_pairs`; a greedy pass first matches most)."""
    adjacent: dict[int, list[int]] = defaultdict(list)
    for i, j, _ in candidate_pairs(first, second):
        adjacent[i].append(j)
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

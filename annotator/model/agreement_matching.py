"""Maximum one-to-one overlap matching of two annotators' spans (pure, exact, no dependencies).

Given two lists of half-open intervals ``[start, end)``, :func:`max_overlap_matching` pairs them
one-to-one so that, in this order of priority:

1. as many pairs as possible are matched (a maximum matching of the "shares a character" graph);
2. among those, the total number of shared characters is largest;
3. remaining ties go towards the preferred pairs: a pair is preferred when its boundaries are
   closer (``|start1 - start2| + |end1 - end2|``), then by the first list's order, then the
   second's. Formally the chosen matching maximises the sum of ``2 ** rank`` of its pairs where
   the least preferred pair of a group has rank 0, so the most preferred pair possible is in it.

The three criteria are folded into one integer weight per candidate pair and solved exactly with
the Hungarian algorithm (shortest augmenting paths, Python integers, so no rounding) on each
group of mutually overlapping spans separately; in annotated text such groups are small, which
keeps the cubic algorithm cheap. Candidate pairs are found with a sort and a sweep, not by
comparing every span with every other. The tests check the result against brute force on random
small cases and its cardinality and overlap against ``scipy.optimize.linear_sum_assignment``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

Interval = tuple[int, int]
"""``(start, end)`` with ``start < end``."""
Pieces = Sequence[Interval]
"""A discontinuous span's intervals, sorted and apart (its bounds are the interval it is matched as)."""
AllPieces = tuple[Sequence[Pieces], Sequence[Pieces]]
"""The pieces of every item of the first and of the second list."""


def overlap(a: Interval, b: Interval) -> int:
    """Characters two intervals share (0 when they merely touch or are apart)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def shared_characters(a: Pieces, b: Pieces) -> int:
    """Characters two sets of pieces share: each span is the set of its pieces' characters."""
    if len(a) == 1 and len(b) == 1:
        return overlap(a[0], b[0])
    return sum(overlap(x, y) for x in a for y in b)


def candidate_pairs(
    first: Sequence[Interval],
    second: Sequence[Interval],
    pieces: AllPieces | None = None,
) -> list[tuple[int, int, int]]:
    """``(i, j, shared)`` for every pair of intervals sharing at least one character, sorted. With
    ``pieces`` (each item's pieces, inside its interval) what a pair shares is counted piece by piece,
    so two discontinuous spans whose bounds overlap but whose pieces do not are no candidates."""
    order = sorted(range(len(second)), key=lambda j: second[j][0])
    pairs: list[tuple[int, int, int]] = []
    active: list[int] = []  # second-list intervals that started before the current first one ends
    position = 0
    for i in sorted(range(len(first)), key=lambda i: first[i][0]):
        start, end = first[i]
        while position < len(order) and second[order[position]][0] < end:
            active.append(order[position])
            position += 1
        active = [j for j in active if second[j][1] > start]  # later first spans start no earlier
        for j in active:
            shared = overlap(first[i], second[j]) if pieces is None else shared_characters(pieces[0][i], pieces[1][j])
            if shared > 0:
                pairs.append((i, j, shared))
    pairs.sort()
    return pairs


def max_overlap_matching(
    first: Sequence[Interval],
    second: Sequence[Interval],
    pieces: AllPieces | None = None,
) -> list[tuple[int, int]]:
    """The optimal one-to-one matching (see the module docstring) as sorted ``(i, j)`` index pairs;
    ``pieces`` as in :func:`candidate_pairs` (the boundary tie-break still uses the intervals)."""
    return matching_of_candidates(candidate_pairs(first, second, pieces), first, second)


def matching_of_candidates(
    edges: list[tuple[int, int, int]], first: Sequence[Interval], second: Sequence[Interval]
) -> list[tuple[int, int]]:
    """:func:`max_overlap_matching` from its candidate pairs (sorted, as :func:`candidate_pairs` gives
    them, or any sorted subset of them: a caller matching by label and across labels searches once)."""
    if len({i for i, _, _ in edges}) == len(edges) == len({j for _, j, _ in edges}):
        # No span in two candidate pairs (the usual case): every pair is a group of its own and matched.
        return [(i, j) for i, j, _ in edges]
    result: list[tuple[int, int]] = []
    for group in _groups(edges):
        result.extend(_solve_group(group, first, second))
    return sorted(result)


def _groups(edges: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Connected components of the candidate graph (first-list nodes i, second-list nodes j)."""
    parent: dict[int, int] = {}  # first-list node i is i, second-list node j is -1 - j

    def root(node: int) -> int:
        up = parent.setdefault(node, node)
        while up != node:
            parent[node] = parent[up]
            node, up = up, parent[up]
        return node

    for i, j, _ in edges:
        parent[root(i)] = root(-1 - j)
    grouped: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for edge in edges:
        grouped[root(edge[0])].append(edge)
    return list(grouped.values())


def pair_weights(
    group: Sequence[tuple[int, int, int]], first: Sequence[Interval], second: Sequence[Interval]
) -> dict[tuple[int, int], int]:
    """One integer weight per candidate pair whose sums order matchings by the three criteria."""

    def distance(edge: tuple[int, int, int]) -> int:
        a, b = first[edge[0]], second[edge[1]]
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    preferred = sorted(group, key=lambda e: (distance(e), e[0], e[1]))
    bonus_base = 1 << len(group)  # every sum of bonuses is below this
    overlap_base = sum(e[2] for e in group) + 1  # every total overlap is below this
    return {
        (i, j): (overlap_base + shared) * bonus_base + (1 << (len(group) - 1 - rank))
        for rank, (i, j, shared) in enumerate(preferred)
    }


def _solve_group(
    group: list[tuple[int, int, int]], first: Sequence[Interval], second: Sequence[Interval]
) -> list[tuple[int, int]]:
    if len(group) == 1:  # most groups: one candidate pair, no weights needed
        return [(group[0][0], group[0][1])]
    weights = pair_weights(group, first, second)
    rows = sorted({i for i, _, _ in group})
    cols = sorted({j for _, j, _ in group})
    transposed = len(rows) > len(cols)
    if transposed:
        rows, cols = cols, rows
        weights = {(j, i): w for (i, j), w in weights.items()}
    chosen = _assign([[weights.get((r, c), 0) for c in cols] for r in rows])
    pairs = [(rows[r], cols[c]) for r, c in enumerate(chosen) if (rows[r], cols[c]) in weights]
    return [(j, i) for i, j in pairs] if transposed else pairs


def _assign(weight: list[list[int]]) -> list[int]:
    """Maximum-weight assignment of every row to a distinct column (rows <= columns).

    The Hungarian algorithm with potentials (shortest augmenting path, O(rows^2 * columns)) on the
    costs ``-weight``; returns the column of each row.
    """
    n, m = len(weight), len(weight[0])
    inf = float("inf")
    u = [0] * (n + 1)
    v = [0] * (m + 1)
    match = [0] * (m + 1)  # match[column] = row (1-based), 0 = free
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        match[0] = row
        column = 0
        low: list[float] = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[column] = True
            r = match[column]
            delta: float = inf
            best = 0
            for c in range(1, m + 1):
                if not used[c]:
                    current = -weight[r - 1][c - 1] - u[r] - v[c]
                    if current < low[c]:
                        low[c] = current
                        way[c] = column
                    if low[c] < delta:
                        delta = low[c]
                        best = c
            step = int(delta)
            for c in range(m + 1):
                if used[c]:
                    u[match[c]] += step
                    v[c] -= step
                else:
                    low[c] -= step
            column = best
            if match[column] == 0:
                break
        while column:
            previous = way[column]
            match[column] = match[previous]
            column = previous
    result = [0] * n
    for c in range(1, m + 1):
        if match[c]:
            result[match[c] - 1] = c - 1
    return result

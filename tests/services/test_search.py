"""Corpus search (services.search) against a brute-force scan of random documents and annotations,
on both back ends; the document list's search through the full-text index."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

import pytest

from annotator.model.errors import AnnotatorError
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.services.search import BATCH, SearchQuery, checked_filters, hits_by_document, search
from tests.helpers import add_texts

VOCAB = ["nato", "NATO", "Nato", "kyiv", "war", "peace", "Київ", "мир", "x1", "talks", "talk", "summit"]
SEPARATORS = [" ", " ", " ", ", ", "\n", "-", "_", ". ", " 😀 ", "/"]


def _text(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(n):
        parts.append(rng.choice(VOCAB))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def _add_docs(project: Project, texts: list[str]) -> list[int]:
    return add_texts(project, *texts, title="Title {}", same_text_twice=True)


@dataclass
class World:
    ids: list[int]
    texts: dict[int, str]
    spans: list[tuple[int, str, str, int, int, dict[str, str]]] = field(
        default_factory=list
    )  # doc, who, label, s, e, attrs
    stances: list[tuple[int, str, str, str]] = field(default_factory=list)  # doc, who, target, value
    status: dict[tuple[int, str], Status] = field(default_factory=dict)


def _world(project: Project, seed: int, n_docs: int = 40) -> World:
    rng = random.Random(seed)
    texts = [_text(rng, rng.randint(3, 60)) for _ in range(n_docs)]
    ids = _add_docs(project, texts)
    world = World(ids, dict(zip(ids, texts, strict=True)))
    people = {name: project.annotator(name).id for name in ("alice", "bob")}
    for doc in ids:
        text = world.texts[doc]
        for name, who in people.items():
            for _ in range(rng.randint(0, 4)):
                start = rng.randrange(len(text) - 1)
                end = rng.randint(start + 1, min(len(text), start + 80))
                label = rng.choice(["claim", "source"])
                attrs = {"claim_type": rng.choice(["factual", "opinion"])} if label == "claim" else {}
                A.add_span(project, doc, who, label, start, end, attrs)
                world.spans.append((doc, name, label, start, end, attrs))
            if rng.random() < 0.4:
                value = rng.choice(["favor", "against"])
                A.set_stance(project, doc, who, "nato_membership", value)
                world.stances.append((doc, name, "nato_membership", value))
            status = rng.choice([Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE])
            A.set_status(project, doc, who, status)
            world.status[(doc, name)] = status
    return world


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """The reference: a regular expression over the lower-cased text, overlapping matches included."""
    words = re.findall(r"[^\W_]+", phrase.lower())
    if not words:
        return []
    body = r"[\W_]+".join(re.escape(w) for w in words)
    pattern = re.compile(rf"(?=(?<![^\W_])({body})(?![^\W_]))")
    return [(m.start(1), m.end(1)) for m in pattern.finditer(text.lower())]


def _expected(world: World, q: SearchQuery) -> list[tuple[int, int, int]]:
    who = set(q.annotators) or {"alice", "bob"}
    span_scope = q.in_spans or bool(q.labels) or q.attribute is not None
    out = []
    for doc in world.ids:
        text = world.texts[doc]
        spans = [
            s
            for s in world.spans
            if s[0] == doc
            and s[1] in who
            and (not q.labels or s[2] in q.labels)
            and (q.attribute is None or s[5].get(q.attribute[0]) == q.attribute[1])
        ]
        stance_ok = any(
            st[0] == doc
            and st[1] in who
            and (q.stance_target is None or st[2] == q.stance_target)
            and (q.stance_value is None or st[3] == q.stance_value)
            for st in world.stances
        )
        if (q.stance_target or q.stance_value) and not stance_ok:
            continue
        if q.status is not None:
            states = [world.status.get((doc, name), Status.NOT_STARTED) for name in who]
            if q.status == Status.NOT_STARTED and any(s != Status.NOT_STARTED for s in states):
                continue
            if q.status != Status.NOT_STARTED and q.status not in states:
                continue
        annotated = any(s[0] == doc and s[1] in who for s in world.spans) or any(
            st[0] == doc and st[1] in who for st in world.stances
        )
        only_who = q.annotators and not span_scope and not (q.stance_target or q.stance_value) and q.status is None
        if only_who and not annotated:
            continue
        if not q.text:
            if span_scope:
                out += sorted((doc, s[3], s[4]) for s in spans)
            else:
                out.append((doc, 0, 0))
            continue
        for start, end in _occurrences(text, q.text):
            if not span_scope or any(s[3] <= start and end <= s[4] for s in spans):
                out.append((doc, start, end))
    return out


QUERIES = [
    SearchQuery("nato"),
    SearchQuery("NATO talks"),
    SearchQuery("war, peace!"),
    SearchQuery("київ мир"),
    SearchQuery("x1"),
    SearchQuery("nato nato"),
    SearchQuery("summit", labels=("claim",)),
    SearchQuery("peace", in_spans=True),
    SearchQuery("talk", in_spans=True, annotators=("bob",)),
    SearchQuery("war", attribute=("claim_type", "opinion")),
    SearchQuery("kyiv", stance_target="nato_membership", stance_value="against"),
    SearchQuery("мир", status=Status.DONE, annotators=("alice",)),
    SearchQuery("nato", status=Status.NOT_STARTED),
    SearchQuery("peace", annotators=("alice",)),
    SearchQuery("", labels=("source",), annotators=("alice",)),
    SearchQuery("", stance_target="nato_membership", stance_value="favor"),
    SearchQuery("", in_spans=True, status=Status.IN_PROGRESS),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_search_finds_what_a_scan_finds(project: Project, seed: int) -> None:
    world = _world(project, seed)
    for q in QUERIES:
        result = search(project, q, limit=100_000, width=10)
        got = [(h.doc_id, h.start, h.end) for h in result.hits]
        assert got == _expected(world, q), q
        assert not result.more
        for hit in result.hits:
            text = world.texts[hit.doc_id]
            assert hit.left == text[max(0, hit.start - 10) : hit.start].replace("\n", " ")
            assert hit.match == text[hit.start : hit.end].replace("\n", " ")
            assert hit.right == text[hit.end : hit.end + 10].replace("\n", " ")
    assert any(search(project, q, limit=100_000).hits for q in QUERIES)


def test_results_name_the_spans_they_lie_in_and_stop_at_the_limit(project: Project) -> None:
    text = "Officials said NATO talks stalled. Later, NATO talks resumed in Kyiv."
    (doc,) = _add_docs(project, [text])
    alice = project.annotator("alice").id
    start = text.index("Later")
    A.add_span(project, doc, alice, "claim", start, len(text), {"claim_type": "factual"})
    result = search(project, SearchQuery("nato talks", labels=("claim",)))
    (hit,) = result.hits
    assert (hit.start, hit.end) == (text.index("NATO talks", start), text.index("NATO talks", start) + 10)
    assert hit.match == "NATO talks" and hit.left.endswith("Later, ") and hit.right.startswith(" resumed")
    assert [(s.annotator, s.label, s.start) for s in hit.spans] == [("alice", "claim", start)]
    everywhere = search(project, SearchQuery("NATO talks"), limit=1)
    assert [h.start for h in everywhere.hits] == [text.index("NATO")] and everywhere.more


def test_offsets_are_code_points(project: Project) -> None:
    text = "😀😀 𝔘𝔫𝔦 — NATO said 🇺🇦 NATO"
    (doc,) = _add_docs(project, [text])
    hits = search(project, SearchQuery("nato")).hits
    assert [text[h.start : h.end] for h in hits] == ["NATO", "NATO"]
    assert [h.doc_id for h in hits] == [doc, doc]


def test_unknown_annotator_and_wordless_query_are_refused(project: Project) -> None:
    _add_docs(project, ["Some text."])
    with pytest.raises(AnnotatorError, match="no annotator called 'nobody'"):
        search(project, SearchQuery("text", annotators=("nobody",)))
    with pytest.raises(AnnotatorError, match="no words"):
        search(project, SearchQuery("?!"))


def test_the_index_follows_deletes_and_edits(project: Project) -> None:
    (doc,) = _add_docs(project, ["The summit in Vilnius ended."])
    alice = project.annotator("alice").id
    span, _ = A.add_span(project, doc, alice, "claim", 4, 10)
    assert [h.match for h in search(project, SearchQuery("summit", in_spans=True)).hits] == ["summit"]
    A.delete_span(project, span.id)
    assert search(project, SearchQuery("summit", in_spans=True)).hits == ()
    assert [h.match for h in search(project, SearchQuery("vilnius")).hits] == ["Vilnius"]


def test_document_list_search_uses_words_and_a_prefix(project: Project) -> None:
    ids = _add_docs(project, ["NATO summit opens in Vilnius.", "The summary: nato-summit talks.", "Nothing here 🇺🇦."])
    assert D.document_ids(project, search="nato sum") == ids[:2]
    assert D.document_ids(project, search="NATO summit") == ids[:2]
    assert D.document_ids(project, search="summit opens") == [ids[0]]
    assert D.document_ids(project, search="doc-2") == [ids[2]]  # the external id
    assert D.document_ids(project, search="title 1") == [ids[1]]  # the title
    assert D.document_ids(project, search="ummit") == []  # words, not substrings
    assert D.document_ids(project, search="🇺🇦") == [ids[2]]  # no words: a scan for the characters


def test_a_phrase_far_into_a_long_text_is_found(project: Project) -> None:
    # Past the 16,383rd word, where PostgreSQL's tsvector stops counting positions.
    text = "a " * 20_000 + "NATO talks resumed; talks NATO."
    (doc,) = _add_docs(project, [text])
    alice = project.annotator("alice").id
    A.add_span(project, doc, alice, "claim", 0, len(text))
    for q in (SearchQuery("nato talks"), SearchQuery("nato talks", labels=("claim",))):
        assert [(h.doc_id, h.start) for h in search(project, q).hits] == [(doc, 40_000)]
    assert search(project, SearchQuery("resumed nato")).hits == ()


def test_results_come_a_document_at_a_time_and_stop_when_cancelled(project: Project) -> None:
    world = _world(project, 5, n_docs=3 * BATCH)
    filters = checked_filters(project, SearchQuery("nato"))
    per_document = list(hits_by_document(project, filters, 10))
    hits = [h for found in per_document for h in found]
    assert [(h.doc_id, h.start, h.end) for h in hits] == _expected(world, SearchQuery("nato"))
    assert all(len({h.doc_id for h in found}) == 1 for found in per_document if found)
    seen: list[int] = []
    stop = threading.Event()
    for found in hits_by_document(project, filters, 10, cancelled=stop.is_set):
        seen.extend(h.doc_id for h in found)
        if found:
            stop.set()  # cancel at the first document with a hit
    first = min(h.doc_id for h in hits)
    assert seen and set(seen) == {first}  # the rest of its batch, then nothing more was read

"""Search over what a large annotation import stored: the import indexes its documents and spans once
at the end (`store.fulltext.defer_index` / `catch_up`) instead of row by row, and the search must
find exactly what a scan finds, as after any other way of writing (tests/services/test_search.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql

from annotator.io import annotation_jsonl
from annotator.io.importer import import_paths
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.services.search import search
from annotator.store import annotations as q
from annotator.store import fulltext
from tests.helpers import add_texts
from tests.services.test_search import QUERIES, World, _expected, _text


def _imported_world(project: Project, tmp_path: Path, seed: int) -> World:
    rng = random.Random(seed)
    first = _text(rng, 20)
    (before,) = add_texts(project, first, title="T")  # a document the import finds stored
    texts = [_text(rng, rng.randint(3, 60)) for _ in range(30)]
    lines: list[dict[str, Any]] = []
    planned: list[tuple[int, str, str, int, int, dict[str, str]]] = []
    stances: list[tuple[int, str, str, str]] = []
    status: dict[tuple[int, str], Status] = {}
    for n, text in enumerate(texts):
        for name in ("alice", "bob"):
            spans = []
            for _ in range(rng.randint(0, 4)):
                start = rng.randrange(len(text) - 1)
                end = rng.randint(start + 1, min(len(text), start + 80))
                label = rng.choice(["claim", "source"])
                attrs = {"claim_type": rng.choice(["factual", "opinion"])} if label == "claim" else {}
                spans.append({"label": label, "start": start, "end": end, "attributes": attrs})
                planned.append((n, name, label, start, end, attrs))
            line: dict[str, Any] = {"document": {"id": f"imp{n}", "title": "T", "text": text}, "annotator": name}
            line["spans"] = spans
            if rng.random() < 0.4:
                value = rng.choice(["favor", "against"])
                line["stances"] = [{"target": "nato_membership", "value": value}]
                stances.append((n, name, "nato_membership", value))
            state = rng.choice([Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE])
            line["status"] = state.value
            status[(n, name)] = state
            lines.append(line)
    path = tmp_path / "world.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    report = import_paths(project, [path])
    assert report.ok and report.documents_added == len(texts), report.rejected
    ids = [i for i in D.document_ids(project) if i != before]
    world = World([before, *ids], {before: first} | dict(zip(ids, texts, strict=True)))
    world.spans = [(ids[n], *rest) for n, *rest in planned]  # type: ignore[misc]
    world.stances = [(ids[n], *rest) for n, *rest in stances]  # type: ignore[misc]
    world.status = {(ids[n], name): s for (n, name), s in status.items()}
    return world


@pytest.mark.parametrize("seed", [3, 4])
def test_search_after_a_large_import_finds_what_a_scan_finds(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(annotation_jsonl, "BATCH_LINES", 4)  # a "large" file: 60 lines, 15 batches
    deferred: list[object] = []
    catch_up = fulltext.catch_up

    def spy(conn: Any, marker: Any) -> None:
        deferred.append(marker)
        catch_up(conn, marker)

    monkeypatch.setattr(fulltext, "catch_up", spy)
    with project.session() as s:
        triggers_before = _triggers(s)
    world = _imported_world(project, tmp_path, seed)
    sqlite = project.store.engine.dialect.name == "sqlite"
    assert [marker is not None for marker in deferred] == [sqlite]  # deferred on SQLite only
    for query in QUERIES:
        result = search(project, query, limit=100_000, width=10)
        assert [(h.doc_id, h.start, h.end) for h in result.hits] == _expected(world, query), query
    with project.session() as s:
        assert _triggers(s) == triggers_before
        if sqlite:
            s.execute(sql("INSERT INTO spans_fts(spans_fts, rank) VALUES ('integrity-check', 1)"))
            s.execute(sql("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)"))
    # The index follows later writes: a new span is found, an imported span deleted is not.
    doc, text = world.ids[1], world.texts[world.ids[1]]
    A.add_span(project, doc, project.annotator("alice").id, "claim", 0, len(text))
    world.spans.append((doc, "alice", "claim", 0, len(text), {}))
    gone = next(span for span in world.spans if span[1] == "bob")
    with project.session() as s:
        stored = q.spans_for(s, gone[0], [project.annotator("bob").id])
    A.delete_span(project, next(span.id for span in stored if (span.label, span.start, span.end) == gone[2:5]))
    world.spans.remove(gone)
    for query in [query for query in QUERIES if query.status is None]:  # adding a span starts the document
        result = search(project, query, limit=100_000, width=10)
        assert [(h.doc_id, h.start, h.end) for h in result.hits] == _expected(world, query), query


def _triggers(s: Any) -> list[str]:
    if s.get_bind().dialect.name != "sqlite":
        return []
    return sorted(s.execute(sql("SELECT sql FROM sqlite_master WHERE type = 'trigger'")).scalars())

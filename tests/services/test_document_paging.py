"""The document list's search a page at a time (keyset paging in list order) against a brute-force
scan of random documents, on both back ends; the capped count; the plans the back ends choose."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from annotator.model.search import find_matches
from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services.project import Project
from annotator.store import documents as store_docs
from tests.helpers import add_texts

VOCAB = ["nato", "NATO", "summit", "summary", "sum", "kyiv", "Київ", "talks", "x1", "war"]


def _docs(project: Project, n: int, seed: int) -> dict[int, str]:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 12))) for _ in range(n)]
    ids = add_texts(project, *texts, ext_id="p-{}", title="", same_text_twice=True)
    return dict(zip(ids, texts, strict=True))


def _scan(texts: dict[int, str], query: str) -> list[int]:
    """The list's rule written independently: the query's words in a row, the last one a prefix."""
    words = [w.lower() for w in re.findall(r"[^\W_]+", query)]
    out = []
    for doc_id, text in texts.items():
        tokens = [t.lower() for t in re.findall(r"[^\W_]+", text)]
        for i in range(len(tokens) - len(words) + 1):
            window = tokens[i : i + len(words)]
            if window[:-1] == words[:-1] and window[-1].startswith(words[-1]):
                out.append(doc_id)
                break
    return sorted(out)


def _all_pages(project: Project, size: int, **filters: object) -> list[int]:
    out: list[int] = []
    after = None
    while True:
        page = D.document_id_page(project, after=after, limit=size, **filters)  # type: ignore[arg-type]
        assert len(page) <= size
        out.extend(page)
        if len(page) < size:
            return out
        after = page[-1]


@pytest.mark.parametrize("query", ["nato", "sum", "nato sum", "summit", "київ", "x1 war", "zzz"])
def test_pages_in_a_row_give_every_match_once_in_list_order(project: Project, query: str) -> None:
    texts = _docs(project, 240, seed=len(query))
    expected = _scan(texts, query)
    assert D.document_ids(project, search=query) == expected
    for size in (1, 7, 100, 1000):
        assert _all_pages(project, size, search=query) == expected
    count = D.count_matching(project, search=query, cap=50)
    assert count == min(len(expected), 51)


@pytest.mark.parametrize("query", ["nato", "su", "sum", "nato sum", "summit", "київ x", "ar", "x1 war"])
def test_the_article_highlights_where_the_list_finds(project: Project, query: str) -> None:
    """F3 in the article (model.search.find_matches) and the list's index agree on every document."""
    texts = _docs(project, 150, seed=7)
    assert D.document_ids(project, search=query) == [i for i, text in texts.items() if find_matches(text, query)]


def test_pages_with_a_status_filter(project: Project) -> None:
    texts = _docs(project, 120, seed=3)
    me = project.annotator("me").id
    rng = random.Random(4)
    done = sorted(rng.sample(sorted(texts), 40))
    for doc_id in done:
        A.set_status(project, doc_id, me, Status.DONE)
    for status in (Status.DONE, Status.NOT_STARTED):
        expected = D.document_ids(project, me, status, "nato")
        scan = [i for i in _scan(texts, "nato") if (i in done) == (status == Status.DONE)]
        assert expected == scan
        assert _all_pages(project, 9, annotator_id=me, status=status, search="nato") == scan


def test_the_page_query_is_answered_by_the_index_in_order(project: Project, backend: str) -> None:
    _docs(project, 50, seed=1)
    with project.session() as s:
        query = store_docs.document_id_page_query(s, search="nato sum", after=3, limit=10)
        conn = s.connection()
        if backend == "sqlite":
            sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            # FTS5 hands matches out in rowid order: no sort of every match before the LIMIT.
            assert "VIRTUAL TABLE" in plan and "TEMP B-TREE" not in plan, plan
        else:
            sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
            # On 50 rows the server walks the primary key (in id order, testing each row) and stops at
            # the LIMIT, as it may for a common word on a big table; barred from that and from a scan, it
            # must be able to take the GIN index: the query's expression is the index's own.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            plan = " | ".join(str(row[0]) for row in conn.exec_driver_sql("EXPLAIN " + sql))
            assert "Bitmap Index Scan on ix_documents_fulltext" in plan, plan

"""Small builders shared by tests: documents inserted straight through the store's bulk insert."""

from __future__ import annotations

import hashlib

from annotator.services import documents
from annotator.services.project import Project
from annotator.store.documents import insert_documents


def add_texts(project: Project, *texts: str) -> list[int]:
    """Insert one document per text (ids "doc-N", titles "Article N"); returns the new ids in order."""
    before = set(documents.document_ids(project))
    with project.session() as s:
        insert_documents(
            s,
            [
                {
                    "ext_id": f"doc-{len(before) + i}",
                    "sha256": hashlib.sha256(t.encode()).hexdigest(),
                    "title": f"Article {len(before) + i}",
                    "text": t,
                    "n_chars": len(t),
                    "meta": {},
                    "encoding": "utf-8",
                    "source": "test",
                    "imported_at": "2024-01-01T00:00:00Z",
                }
                for i, t in enumerate(texts)
            ],
        )
    return [i for i in documents.document_ids(project) if i not in before]

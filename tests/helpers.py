"""Small builders shared by tests: documents inserted straight through the store's bulk insert, and
the app started in a child process of its own."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.services import documents
from annotator.services.project import Project
from annotator.store.documents import insert_documents


def add_texts(
    project: Project, *texts: str, ext_id: str = "doc-{}", title: str = "Article {}", same_text_twice: bool = False
) -> list[int]:
    """Insert one document per text; returns the new ids in order.

    `ext_id` and `title` are formatted with the document's position in the project (0 for the first);
    with `same_text_twice` the sha256 is made from that position, so equal texts are stored as two
    documents (as random test corpora need)."""
    before = set(documents.document_ids(project))
    with project.session() as s:
        insert_documents(
            s,
            [
                {
                    "ext_id": ext_id.format(len(before) + i),
                    "sha256": f"{len(before) + i:064x}" if same_text_twice else hashlib.sha256(t.encode()).hexdigest(),
                    "title": title.format(len(before) + i),
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


REPO = Path(__file__).resolve().parent.parent


def run_app_child(
    code: str, tmp_path: Path, *, platform: str = "offscreen", prefix: Sequence[str] = (), timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """`python -c code` in a new process from the repository's root, its settings, data and cache
    under `tmp_path` (never the real user's), Qt on `platform`; `prefix` runs it under another
    command (xvfb-run). Not checked: the caller asserts on the result."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": platform,
        "ANNOTATOR_CONFIG_DIR": str(tmp_path / "config"),
        "ANNOTATOR_DATA_DIR": str(tmp_path / "data"),
        "ANNOTATOR_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [*prefix, sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

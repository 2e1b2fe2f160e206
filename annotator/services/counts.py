"""`annotator stats`: a project's counts, read without opening a `Project` (no ORM, no scheme parse)."""

from __future__ import annotations

from pathlib import Path

from annotator.model.types import Status
from annotator.store import counts as store_counts


def project_stats(location: Path | str) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per table (documents, annotators, spans, relations, stances) and (document, annotator)
    pairs per status (`status_pairs`), as `documents.stats` and `status_counts` give them on an open
    project. Opens `location` read-only; raises ProjectFileError when it cannot."""
    found = store_counts.project_counts(location)
    stored = {status: found.statuses.get(status.value, 0) for status in Status}
    pairs = status_pairs(stored, found.rows["documents"], found.rows["annotators"])
    return dict(found.rows), {status.value: n for status, n in pairs.items()}


def status_pairs(stored: dict[Status, int], documents: int, annotators: int) -> dict[Status, int]:
    """Every (document, annotator) pair of the project per status, as the document list shows each
    annotator's: a document an annotator never touched has no status row and is *not started*.
    `stored` counts the status rows."""
    started = stored.get(Status.IN_PROGRESS, 0) + stored.get(Status.DONE, 0)
    return {
        Status.NOT_STARTED: max(documents * annotators - started, 0),
        Status.IN_PROGRESS: stored.get(Status.IN_PROGRESS, 0),
        Status.DONE: stored.get(Status.DONE, 0),
    }

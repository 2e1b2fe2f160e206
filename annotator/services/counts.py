"""`annotator stats`: a project's counts, read without opening a `Project` (no ORM, no scheme parse)."""

from __future__ import annotations

from pathlib import Path

from annotator.model.types import Status
from annotator.store import counts as store_counts


def project_stats(location: Path | str) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per table (documents, annotators, spans, relations, stances) and (document, annotator)
    pairs per status, every status listed (0 for none), as `documents.stats` and `status_counts` give
    them on an open project. Opens `location` read-only; raises ProjectFileError when it cannot."""
    found = store_counts.project_counts(location)
    return dict(found.rows), {status.value: found.statuses.get(status.value, 0) for status in Status}

"""The annotation queries, one module per entity; this module re-exports them under the names the
services have always used (`from annotator.store import annotations as q`).

Functions take a session and never commit: the caller's `ProjectStore.session()` is the transaction.
"""

from __future__ import annotations

from annotator.store.annotators import (
    add_annotator,
    annotator_by_name,
    annotator_by_uid,
    list_annotators,
    rename_annotator,
)
from annotator.store.comments import add_comment, comments_for, delete_comment
from annotator.store.relations import (
    delete_relation,
    insert_relation,
    relations_for,
    relations_for_ids,
    relations_touching,
)
from annotator.store.spans import (
    delete_span,
    get_span,
    insert_span,
    overwrite_span,
    spans_at,
    spans_for,
    update_span,
)
from annotator.store.stances import (
    delete_stance,
    find_stance,
    insert_stance,
    overwrite_stance,
    stances_for,
    stances_on_spans,
    update_stance_value,
)
from annotator.store.stances import (
    next_version as next_stance_version,
)
from annotator.store.status import (
    count_done,
    get_status,
    put_status,
    status_counts,
    statuses_for,
    statuses_of_doc,
)
from annotator.store.work import (
    annotated_layers,
    annotator_ids_with_work,
    delete_layer,
    has_annotations,
    review_relations,
    review_spans,
    review_stances,
    span_counts,
    table_counts,
    work_pairs,
)

__all__ = [
    "add_annotator",
    "add_comment",
    "annotated_layers",
    "annotator_by_name",
    "annotator_by_uid",
    "annotator_ids_with_work",
    "comments_for",
    "count_done",
    "delete_comment",
    "delete_layer",
    "delete_relation",
    "delete_span",
    "delete_stance",
    "find_stance",
    "get_span",
    "get_status",
    "has_annotations",
    "insert_relation",
    "insert_span",
    "insert_stance",
    "list_annotators",
    "next_stance_version",
    "overwrite_span",
    "overwrite_stance",
    "put_status",
    "relations_for",
    "relations_for_ids",
    "relations_touching",
    "rename_annotator",
    "review_relations",
    "review_spans",
    "review_stances",
    "span_counts",
    "spans_at",
    "spans_for",
    "stances_for",
    "stances_on_spans",
    "status_counts",
    "statuses_for",
    "statuses_of_doc",
    "table_counts",
    "update_span",
    "update_stance_value",
    "work_pairs",
]

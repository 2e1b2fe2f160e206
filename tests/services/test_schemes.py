"""services.schemes: apply renames stored names, review comments and rejections, records versions."""

from __future__ import annotations

from annotator.model.scheme import parse_scheme
from annotator.services import annotations as A
from annotator.services import schemes
from annotator.services.project import Project
from annotator.store import comments as store_comments
from tests.helpers import add_texts
from tests.model.test_scheme_diff import RENAMED


def test_apply_renames_comment_and_rejection_keys_and_records_the_author(project: Project) -> None:
    doc = add_texts(project, "Zelensky said NATO must act now.")[0]
    me = project.annotator("alice")
    A.add_span(project, doc, me.id, "claim", 14, 31, {"claim_type": "factual"})
    keys = [
        "span:14:31:claim",
        "rejected:relation:attributed_to:span:14:31:claim->span:0:8:source",
        "stance:nato_membership@span:14:31:claim",
        "document",
    ]
    with project.session() as s:  # a rejection is stored as a comment with a reserved key
        for key in keys:
            store_comments.add_comment(s, doc, me.id, key, "note")
    schemes.apply(project, parse_scheme(RENAMED), "editor")
    with project.session() as s:
        stored = sorted(k for _, _, k, _, _ in store_comments.comments_for(s, doc))
    assert stored == sorted(
        [
            "span:14:31:assertion",
            "rejected:relation:said_by:span:14:31:assertion->span:0:8:source",
            "stance:nato@span:14:31:assertion",
            "document",
        ]
    )
    versions = schemes.versions(project)
    assert [v.author for v in versions][-1] == "editor" and len(versions) == 2
    assert parse_scheme(versions[0].toml).label("claim") is not None

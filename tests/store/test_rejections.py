"""Rejections live in their own table; schema-1 files, which kept them as "rejected:" comments, migrate."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select, update

from annotator.model.types import text_sha256
from annotator.services import review as R
from annotator.services.project import Project
from annotator.store import rejections
from annotator.store.engine import SCHEMA_VERSION, open_store
from annotator.store.tables import CommentRow, DocumentRow, MetaRow, RejectionRow


def _project_with_a_document(path: Path) -> tuple[Project, int, int]:
    project = Project.open(path)
    text = "The minister said the talks failed."
    with project.session() as s:
        s.execute(
            insert(DocumentRow).values(
                ext_id="d1",
                sha256=text_sha256(text),
                title="t",
                text=text,
                n_chars=len(text),
                meta={},
                imported_at="2024-01-01T00:00:00.000000Z",
            )
        )
        doc_id = s.scalars(select(DocumentRow.id)).one()
    return project, doc_id, project.annotator("rita").id


def test_a_rejection_is_a_row_of_its_own_not_a_comment(tmp_path: Path) -> None:
    project, doc, rita = _project_with_a_document(tmp_path / "p.db")
    with project.session() as s:
        rejections.add_rejection(s, doc, rita, "span:0:4:claim")
        rejections.add_rejection(s, doc, rita, "span:0:4:claim")  # twice is once
    with project.session() as s:
        assert rejections.rejected_keys(s, doc) == {"span:0:4:claim"}
        assert s.scalars(select(CommentRow.id)).all() == []
    assert R.comments(project, doc) == []
    project.close()


def test_a_schema_1_file_moves_its_rejection_comments_into_the_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    project, doc, rita = _project_with_a_document(path)
    R.add_comment(project, doc, rita, "span:0:4:claim", "check the source")
    project.close()
    # Make the file what schema 1 wrote: no rejections table, rejections as "rejected:" comments.
    store = open_store(path)
    with store.engine.begin() as conn:
        RejectionRow.__table__.drop(conn)  # type: ignore[attr-defined]
        conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value="1"))
        for key in ("span:0:4:claim", "stance:nato_membership", "span:0:4:claim"):
            conn.execute(
                insert(CommentRow).values(
                    doc_id=doc,
                    annotator_id=rita,
                    item_key="rejected:" + key,
                    text="rejected",
                    created_at="2024-01-01T00:00:00.000000Z",
                    updated_at="2024-01-01T00:00:00.000000Z",
                )
            )
    store.close()

    migrated = Project.open(path)
    try:
        with migrated.session() as s:
            assert rejections.rejected_keys(s, doc) == {"span:0:4:claim", "stance:nato_membership"}
            keys = s.scalars(select(CommentRow.item_key)).all()
            version = s.scalars(select(MetaRow.value).where(MetaRow.key == "schema_version")).one()
        assert keys == ["span:0:4:claim"] and version == str(SCHEMA_VERSION)
        assert [c.text for c in R.comments(migrated, doc)] == ["check the source"]
    finally:
        migrated.close()
    assert (tmp_path / "old.db.v1.bak").exists()

"""No lost update in the source registry: a rename, merge or alias move is undone and redone by
writing whole states (`sources.apply_state`); each write names the state the last step left, so a
span or alias someone else changed since (another connection) is not overwritten unasked:
StaleWriteError carries the stored one beside mine and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.model.errors import StaleWriteError
from annotator.model.types import Span
from annotator.services import annotations as A
from annotator.services import documents as D
from annotator.services import sources
from annotator.services.project import Project
from tests.helpers import add_texts

TEXT = "President Zelensky said so, and Reuters reported it."


@pytest.fixture
def colleague(project: Project, project_location: Path | str) -> Iterator[Project]:
    other = Project.open(project_location)
    yield other
    other.close()


def _names(project: Project, doc: int, who: int) -> list[str]:
    return [s.attributes.get("canonical", "") for s in D.load_view(project, doc, who).spans]


def test_undoing_a_rename_over_a_colleagues_edit_is_refused(project: Project, colleague: Project) -> None:
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold").id
    span, _ = A.add_span(project, doc, gold, "source", 0, 18, {"canonical": "Zelensky"})
    edit, _ = sources.rename_source(project, "Zelensky", "Volodymyr Zelensky")
    A.set_attribute(colleague, span.id, "canonical", "V. Zelensky")  # after my rename

    with pytest.raises(StaleWriteError) as refused:
        sources.apply_state(project, edit.before, expected=edit.after)  # undo the rename
    stored, mine = refused.value.stored, refused.value.mine
    assert isinstance(stored, Span) and stored.attributes["canonical"] == "V. Zelensky"
    assert isinstance(mine, Span) and mine.attributes["canonical"] == "Zelensky"
    assert _names(project, doc, gold) == ["V. Zelensky"]  # nothing written
    sources.apply_state(project, edit.before)  # keep mine: written over theirs
    assert _names(colleague, doc, gold) == ["Zelensky"]


def test_undoing_a_merge_over_a_colleagues_alias_move_is_refused(project: Project, colleague: Project) -> None:
    doc = add_texts(project, TEXT)[0]
    gold = project.annotator("gold").id
    A.add_span(project, doc, gold, "source", 0, 18, {"canonical": "Zelensky"})
    A.add_span(project, doc, gold, "source", 31, 38, {"canonical": "Reuters"})
    edit, _ = sources.merge_sources(project, "Zelensky", "Reuters")  # a wrong merge...
    assert sources.alias_map(project).get("Zelensky") == "Reuters"
    sources.apply_state(
        colleague, sources.RegistryState(aliases=(("Zelensky", None),))
    )  # ...a colleague drops the alias

    with pytest.raises(StaleWriteError) as refused:
        sources.apply_state(project, edit.before, expected=edit.after)
    assert "Zelensky" in str(refused.value.stored) and "Zelensky" in str(refused.value.mine)
    assert _names(project, doc, gold) == ["Reuters", "Reuters"]  # nothing written

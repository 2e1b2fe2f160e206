""" "The next document" has one definition, in services: the list's rows ahead first, then import order."""

from __future__ import annotations

from annotator.model.types import Status
from annotator.services import annotations as A
from annotator.services import documents
from annotator.services.project import Project
from tests.helpers import add_texts


def test_the_next_document_is_the_first_not_done_ahead_in_the_list_then_in_import_order(project: Project) -> None:
    one, two, three, four = add_texts(project, "One.", "Two.", "Three.", "Four.")
    me = project.annotator("me").id
    for done in (two, four):
        A.set_status(project, done, me, Status.DONE)
    # The list shows four, two, three (sorted by something): after four come two (done) and three.
    assert documents.next_unfinished(project, me, four, [two, three]) == three
    # Nothing ahead that is not done (or still exists): import order after four, wrapping round.
    assert documents.next_unfinished(project, me, four, [two, 999]) == one
    assert documents.next_unfinished(project, me, one, []) == three
    A.set_status(project, one, me, Status.DONE)
    A.set_status(project, three, me, Status.DONE)
    assert documents.next_unfinished(project, me, two, [three, four]) is None


def test_with_the_list_filtered_the_next_document_is_one_the_filter_shows(project: Project) -> None:
    """A filtered list is the work queue: Done and next does not leave it for a document it hides."""
    one, two, three, four, five = add_texts(
        project, "NATO summit.", "Grain prices.", "NATO talks.", "Weather.", "NATO again."
    )
    me = project.annotator("me").id
    assert documents.next_unfinished(project, me, one, [], search="nato") == three
    assert documents.next_unfinished(project, me, five, [], search="nato") == one  # wraps inside the filter
    A.set_status(project, three, me, Status.DONE)
    assert documents.next_unfinished(project, me, one, [], search="nato") == five
    A.add_span(project, two, me, "claim", 0, 5)
    A.add_span(project, four, me, "claim", 0, 7)
    assert documents.next_unfinished(project, me, two, [], status=Status.IN_PROGRESS) == four
    assert documents.next_unfinished(project, me, four, [], status=Status.IN_PROGRESS) == two
    assert documents.next_unfinished(project, me, one, [], status=Status.NOT_STARTED) == five
    assert documents.next_unfinished(project, me, one, [], status=Status.NOT_STARTED, search="weather") is None
    assert documents.next_unfinished(project, me, one, [], status=Status.DONE) is None
    for doc in (one, five):
        A.set_status(project, doc, me, Status.DONE)
    assert documents.next_unfinished(project, me, five, [], search="nato") is None  # every listed one done
    assert documents.next_unfinished(project, me, five, []) == two  # unfiltered: the others remain

"""The undo commands: every user edit of annotations is one `QUndoCommand` here.

Each command stores ids and plain values (never ORM rows), calls one service function in `redo()`
and its inverse in `undo()`, then tells every view what changed through `ctx.notify(changes)`.
A command whose first `redo()` is refused by a service (a `ValidationError`, a read-only project)
records the one-line reason in `error` and marks itself obsolete, so `QUndoStack.push` drops it
and the caller can show the reason in the status bar. A later undo or redo (Ctrl+Z after moving on)
first opens the command's document (`show_document`), so no document changes out of sight. When
the service refuses a later undo or redo (another program holds the write lock), nothing changed:
the command tells `ctx.step_refused`, which puts the stack's index back (this command skips the
inverse step that does it) and posts the reason to the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtGui import QUndoCommand

from annotator.model.changes import Changes
from annotator.model.errors import AnnotatorError, StaleWriteError
from annotator.model.types import Relation, Status
from annotator.services import annotations as svc
from annotator.ui.context import AppContext, Conflict

_NOTE_COMMAND_ID = 1001  # mergeWith() only pairs commands that share this id


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def show_document(ctx: AppContext, doc_id: int | None) -> None:
    """Open `doc_id` unless it is already shown: an undo or redo of an edit made on another document
    must not change that document out of sight (the user would not see what the step did)."""
    if doc_id is not None and doc_id != ctx.current_doc_id:
        ctx.open_document(doc_id)


class _ServiceCommand(QUndoCommand):
    """Shared plumbing: error capture on the first redo, notifying the views, and bringing the
    command's document into view before a later undo/redo changes it."""

    def __init__(self, ctx: AppContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.error: str | None = None
        self._done_once = False
        self._shown_doc: int | None = None  # the document the first redo changed
        self.conflict: Conflict | None = None  # the first redo met a row someone else had changed
        # The version of the shared row this command last saw or wrote (None: not checked). A write
        # from an older version is refused (StaleWriteError) instead of overwriting a colleague's.
        self._expected: int | None = None
        self._row: tuple[object, ...] | None = None  # the row's key in ctx.written_versions
        self._skip_step = False  # the stack is putting its index back after a refused undo/redo
        self._keep_mine = False  # this undo/redo is "keep mine" over someone else's change

    def _refused(self, exc: AnnotatorError) -> None:
        self._skip_step = True
        self.ctx.step_refused(str(exc))

    def redo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        if self._done_once:
            show_document(self.ctx, self._shown_doc)
            self._attempt(self._redo, undoing=False)
            return
        if (refusal := self.ctx.edit_guard()) is not None:
            self.error = refusal  # another curator holds the document under review
            self.setObsolete(True)
            return
        try:
            changes = self._redo()
        except StaleWriteError as exc:
            self.error = str(exc)
            retry = self._with_version(_stored_version(exc))
            self.conflict = Conflict(exc, None if retry is None else lambda: _push_again(self.ctx, retry))
            self.setObsolete(True)
            return
        except AnnotatorError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        if not self._done_once:
            # Span commands know only span ids: the service's Changes names the document.
            own = getattr(self, "doc_id", None)
            doc_ids = changes.doc_ids or (frozenset({own}) if isinstance(own, int) else frozenset())
            self._shown_doc = next(iter(doc_ids)) if len(doc_ids) == 1 else None
        self._done_once = True
        self.ctx.notify(changes)

    def undo(self) -> None:
        if self._skip_step:
            self._skip_step = False
            return
        show_document(self.ctx, self._shown_doc)
        self._attempt(self._undo, undoing=True)

    def _attempt(self, step: Callable[[], Changes], *, undoing: bool) -> None:
        """An undo or redo after the first. Refused, it changes nothing and the stack's index stays
        where it was (`_refused`); a row someone else changed meanwhile is left as it is and the user
        is asked which version to keep: keeping mine takes the step again (Ctrl+Z or Ctrl+Shift+Z
        over again) over theirs, so the index moves only when the step is done."""
        try:
            changes = step()
        except StaleWriteError as exc:
            self._keep_mine = False
            stored_version = _stored_version(exc)
            self._refused(exc)
            self.ctx.refuse(Conflict(exc, lambda: self._step_again(undoing, stored_version)))
            return
        except AnnotatorError as exc:  # e.g. another program holds the write lock: nothing changed
            self._keep_mine = False
            self._refused(exc)
            return
        self._keep_mine = False
        self.ctx.notify(changes)

    def _step_again(self, undoing: bool, stored_version: int) -> str | None:
        """Keep mine after a refused undo/redo: the same step through the stack, naming the version
        now stored; refused when the history has moved on since (the step is no longer next)."""
        stack = self.ctx.undo_stack
        if stack.command(stack.index() - 1 if undoing else stack.index()) is not self:
            return "The undo history has moved on since; nothing was changed."
        self._wrote(stored_version)
        self._keep_mine = True
        if undoing:
            stack.undo()
        else:
            stack.redo()
        return None

    def _version_to_name(self) -> int | None:
        """The version a write must find stored: the one the window showed on the first redo; later,
        the one this window last wrote to that row (any of its commands: an undo of an earlier edit
        follows the later ones it undid), so only someone else's write in between is a conflict."""
        if self._expected is None or not self._done_once or self._row is None:
            return self._expected
        return self.ctx.written_versions.get(self._row, self._expected)

    def _wrote(self, version: int) -> None:
        if self._expected is not None:
            self._expected = version
            if self._row is not None:
                self.ctx.written_versions[self._row] = version

    def _with_version(self, version: int) -> _ServiceCommand | None:
        """This edit again, to be written over the version now stored ("keep mine"); None when the
        command cannot say (it does not check versions)."""
        return None

    def _redo(self) -> Changes:
        raise NotImplementedError

    def _undo(self) -> Changes:
        raise NotImplementedError

    def _deselect(self, span_id: int) -> None:
        if self.ctx.selected_span_id == span_id:
            self.ctx.select_span(None)


def _stored_version(exc: StaleWriteError) -> int:
    """The version now stored (0: the row is gone), which a write keeping mine must name."""
    return int(getattr(exc.stored, "version", 0))


class AddSpanCommand(_ServiceCommand):
    """Add a span; redo after undo brings it back with the same id, so later commands still apply.
    A span the layer already held (`existed`: the service gave it back) is left alone by undo and redo."""

    def __init__(
        self,
        ctx: AppContext,
        doc_id: int,
        label: str,
        start: int,
        end: int,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(ctx, f"Add {_pretty(label)}")
        self.doc_id, self.label, self.start, self.end = doc_id, label, start, end
        self.attributes = dict(attributes or {})
        self.span_id = 0
        self.existed = False

    def _redo(self) -> Changes:
        if self.existed:
            return Changes()
        span, changes = svc.add_span(
            self.ctx.project,
            self.doc_id,
            self.ctx.recorded_annotator().id,
            self.label,
            self.start,
            self.end,
            self.attributes,
            span_id=self.span_id,
        )
        self.span_id, self.existed = span.id, not changes.spans
        return changes

    def _undo(self) -> Changes:
        if self.existed:
            return Changes()
        self._deselect(self.span_id)
        return svc.delete_span(self.ctx.project, self.span_id)[1]


class DeleteSpanCommand(_ServiceCommand):
    """Delete a span; undo restores it with its relations and stances, all with their old ids."""

    def __init__(self, ctx: AppContext, span_id: int, label: str = "span") -> None:
        super().__init__(ctx, f"Delete {_pretty(label)}")
        self.span_id = span_id
        self._removed: svc.RemovedSpan | None = None
        self._restored = False

    def _redo(self) -> Changes:
        self._deselect(self.span_id)
        self._removed, changes = svc.delete_span(self.ctx.project, self.span_id)
        return changes

    def _undo(self) -> Changes:
        assert self._removed is not None
        changes = svc.restore_span(self.ctx.project, self._removed)
        self._restored = True
        return changes

    def undo(self) -> None:
        self._restored = False
        super().undo()
        if self._restored:  # the span that came back is selected, as it was when it was deleted
            self.ctx.select_span(self.span_id)


class ChangeSpanCommand(_ServiceCommand):
    """Change a span's label and/or its whole attribute mapping."""

    def __init__(
        self,
        ctx: AppContext,
        span_id: int,
        *,
        label: str | None = None,
        attributes: Mapping[str, str] | None = None,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(ctx, f"Change to {_pretty(label)}" if label else "Change attributes")
        self.span_id, self.label = span_id, label
        self.attributes = None if attributes is None else dict(attributes)
        self._before: tuple[str, dict[str, str]] | None = None
        self._expected, self._row = expected_version, ("span", span_id)

    def _redo(self) -> Changes:
        before, after, changes = svc.update_span(
            self.ctx.project,
            self.span_id,
            label=self.label,
            attributes=self.attributes,
            expected_version=self._version_to_name(),
        )
        if self._before is None:
            self._before = (before.label, dict(before.attributes))
        self._wrote(after.version)
        return changes

    def _undo(self) -> Changes:
        assert self._before is not None
        label, attrs = self._before
        _before, after, changes = svc.update_span(
            self.ctx.project, self.span_id, label=label, attributes=attrs, expected_version=self._version_to_name()
        )
        self._wrote(after.version)
        return changes

    def _with_version(self, version: int) -> _ServiceCommand:
        return ChangeSpanCommand(
            self.ctx, self.span_id, label=self.label, attributes=self.attributes, expected_version=version
        )


class AddFragmentCommand(_ServiceCommand):
    """Add a piece to a span (a discontinuous span); undo restores its pieces as they were."""

    def __init__(self, ctx: AppContext, span_id: int, start: int, end: int) -> None:
        super().__init__(ctx, "Add fragment")
        self.span_id, self.start, self.end = span_id, start, end
        self._before: tuple[tuple[int, int], ...] | None = None

    def _redo(self) -> Changes:
        before, _after, changes = svc.add_fragment(self.ctx.project, self.span_id, self.start, self.end)
        self._before = before.parts
        return changes

    def _undo(self) -> Changes:
        assert self._before is not None
        return svc.set_fragments(self.ctx.project, self.span_id, self._before)[2]


class SetAttributeCommand(_ServiceCommand):
    """Set one attribute of a span ("" or None removes it)."""

    def __init__(
        self, ctx: AppContext, span_id: int, name: str, value: str | None, *, expected_version: int | None = None
    ) -> None:
        shown = value if value else "(none)"
        super().__init__(ctx, f"Set {_pretty(name)}: {shown}")
        self.span_id, self.name, self.value = span_id, name, value or None
        self._previous: str | None = None
        self._expected, self._row = expected_version, ("span", span_id)
        self._first = True

    def _set(self, value: str | None) -> Changes:
        before, after, changes = svc.set_attribute(
            self.ctx.project, self.span_id, self.name, value, expected_version=self._version_to_name()
        )
        if self._first:
            self._previous, self._first = before.attributes.get(self.name), False
        self._wrote(after.version)
        return changes

    def _redo(self) -> Changes:
        return self._set(self.value)

    def _undo(self) -> Changes:
        return self._set(self._previous)

    def _with_version(self, version: int) -> _ServiceCommand:
        return SetAttributeCommand(self.ctx, self.span_id, self.name, self.value, expected_version=version)


class LinkCommand(_ServiceCommand):
    """Link two spans. Undo removes the link and restores the links it replaced (max_per_from)."""

    def __init__(self, ctx: AppContext, rel_type: str, from_span: int, to_span: int) -> None:
        super().__init__(ctx, f"Link {_pretty(rel_type)}")
        self.rel_type, self.from_span, self.to_span = rel_type, from_span, to_span
        self._relation: Relation | None = None
        self._replaced: tuple[Relation, ...] = ()
        self._existed = False

    def _redo(self) -> Changes:
        if self._relation is not None:
            # Redo after undo: put back the very same relation (ids never recycle in the store, and
            # a later UnlinkCommand on the stack refers to this id).
            if self._existed:
                return Changes()
            changes = Changes()
            for old in self._replaced:
                changes = changes | svc.unlink(self.ctx.project, old.id)
            return changes | svc.restore_relations(self.ctx.project, (self._relation,))
        result, changes = svc.link(self.ctx.project, self.rel_type, self.from_span, self.to_span)
        self._relation, self._replaced = result.relation, result.replaced
        self._existed = not changes.relations
        return changes

    def _undo(self) -> Changes:
        assert self._relation is not None
        if self._existed:
            return Changes()
        changes = svc.unlink(self.ctx.project, self._relation.id)
        return changes | svc.restore_relations(self.ctx.project, self._replaced)

    @property
    def relation_id(self) -> int:
        return self._relation.id if self._relation else 0


class UnlinkCommand(_ServiceCommand):
    """Remove a relation; undo restores it with its old id."""

    def __init__(self, ctx: AppContext, relation: Relation) -> None:
        super().__init__(ctx, f"Unlink {_pretty(relation.type)}")
        self.relation = relation

    def _redo(self) -> Changes:
        return svc.unlink(self.ctx.project, self.relation.id)

    def _undo(self) -> Changes:
        return svc.restore_relations(self.ctx.project, (self.relation,))


class SetStanceCommand(_ServiceCommand):
    """Set or (value None) clear a stance, on the document or on one span."""

    def __init__(
        self,
        ctx: AppContext,
        doc_id: int,
        target: str,
        value: str | None,
        span_id: int | None = None,
        *,
        expected_version: int | None = None,
    ) -> None:
        level = "claim stance" if span_id else "document stance"
        text = f"Set {level} on {_pretty(target)}: {_pretty(value)}" if value else f"Clear {level} on {_pretty(target)}"
        super().__init__(ctx, text)
        self.doc_id, self.target, self.value, self.span_id = doc_id, target, value, span_id
        self._previous: str | None = None
        self._expected = expected_version  # 0: I saw no stance there
        self._first = True

    def _set(self, value: str | None) -> Changes:
        who = self.ctx.recorded_annotator().id
        self._row = ("stance", self.doc_id, who, self.target, self.span_id)
        previous, version, changes = svc.write_stance(
            self.ctx.project,
            self.doc_id,
            who,
            self.target,
            value,
            self.span_id,
            expected_version=self._version_to_name(),
        )
        if self._first:
            self._previous, self._first = previous, False
        self._wrote(version)
        return changes

    def _redo(self) -> Changes:
        return self._set(self.value)

    def _undo(self) -> Changes:
        return self._set(self._previous)

    def _with_version(self, version: int) -> _ServiceCommand:
        return SetStanceCommand(self.ctx, self.doc_id, self.target, self.value, self.span_id, expected_version=version)


class SetStatusCommand(_ServiceCommand):
    def __init__(self, ctx: AppContext, doc_id: int, status: Status) -> None:
        super().__init__(ctx, f"Mark {_pretty(status.value)}")
        self.doc_id, self.status = doc_id, status
        self._previous = Status.NOT_STARTED

    def _redo(self) -> Changes:
        self._previous, changes = svc.set_status(
            self.ctx.project, self.doc_id, self.ctx.recorded_annotator().id, self.status
        )
        return changes

    def _undo(self) -> Changes:
        return svc.set_status(self.ctx.project, self.doc_id, self.ctx.recorded_annotator().id, self._previous)[1]


class SetNoteCommand(_ServiceCommand):
    """Save the document note. Consecutive saves on one document merge into one undo step."""

    def __init__(self, ctx: AppContext, doc_id: int, note: str) -> None:
        super().__init__(ctx, "Edit note")
        self.doc_id, self.note = doc_id, note
        self._previous: str | None = None

    def _redo(self) -> Changes:
        previous, changes = svc.set_note(self.ctx.project, self.doc_id, self.ctx.recorded_annotator().id, self.note)
        if self._previous is None:
            self._previous = previous
        return changes

    def _undo(self) -> Changes:
        assert self._previous is not None
        return svc.set_note(self.ctx.project, self.doc_id, self.ctx.recorded_annotator().id, self._previous)[1]

    def id(self) -> int:
        return _NOTE_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetNoteCommand) or other.doc_id != self.doc_id:
            return False
        self.note = other.note
        if self.note == self._previous:
            self.setObsolete(True)  # typed back to where it started: nothing left to undo
        return True


def push_command(ctx: AppContext, command: _ServiceCommand) -> str | None:
    """Push `command`; return the one-line reason when the service refused it, else None. A write
    refused because someone else changed the row first also goes to `ctx.refuse`, which asks the
    user which version to keep."""
    ctx.push(command)
    if command.conflict is not None:
        ctx.refuse(command.conflict)
    return command.error


def _push_again(ctx: AppContext, command: _ServiceCommand) -> str | None:
    """Keep mine: the edit again over the version now stored (refused again if that moved too)."""
    error = push_command(ctx, command)
    return None if command.conflict is not None else error

"""Undo commands for the Sources window: rename a canonical name, merge two, move an alias.

The first `redo()` runs the service edit (which may refuse it); it returns the affected spans'
attributes and alias rows before and after, so `undo()` writes `before` and a later `redo()` writes
`after` through `sources.apply_state`: the same round trip every time, ids and values only. Each
write names the side the last step left: spans or aliases someone else changed since are not
overwritten unasked (StaleWriteError: the two-version dialog; the undo index stays until "Keep mine").
"""

from __future__ import annotations

from collections.abc import Callable

from annotator.model.changes import Changes
from annotator.services import sources
from annotator.services.project import Project
from annotator.ui.commands import _ServiceCommand
from annotator.ui.context import AppContext

EditFn = Callable[[Project], tuple[sources.RegistryEdit, Changes]]


class RegistryEditCommand(_ServiceCommand):
    def __init__(self, ctx: AppContext, text: str, edit: EditFn) -> None:
        super().__init__(ctx, text)
        self._edit_fn = edit
        self.edit: sources.RegistryEdit | None = None

    def _redo(self) -> Changes:
        if self.edit is None:
            self.edit, changes = self._edit_fn(self.ctx.project)
            self.setText(self.edit.text)
            return changes
        return self._apply(self.edit.after, self.edit.before)

    def _undo(self) -> Changes:
        assert self.edit is not None
        return self._apply(self.edit.before, self.edit.after)

    def _apply(self, state: sources.RegistryState, left: sources.RegistryState) -> Changes:
        """Write `state` if the spans and aliases are still as this command's last step left them
        (`left`); after "Keep mine" over someone else's change, write it regardless."""
        return sources.apply_state(self.ctx.project, state, expected=None if self._keep_mine else left)


def rename_command(ctx: AppContext, old: str, new: str) -> RegistryEditCommand:
    return RegistryEditCommand(ctx, f"Rename source {old}", lambda p: sources.rename_source(p, old, new))


def merge_command(ctx: AppContext, absorbed: str, into: str) -> RegistryEditCommand:
    return RegistryEditCommand(ctx, f"Merge source {absorbed}", lambda p: sources.merge_sources(p, absorbed, into))


def move_alias_command(ctx: AppContext, alias: str, to: str) -> RegistryEditCommand:
    return RegistryEditCommand(ctx, f"Move alias {alias}", lambda p: sources.move_alias(p, alias, to))

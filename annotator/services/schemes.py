"""Evolving a project's scheme: plan (what changes, how many annotations each change touches) and apply.

Applying is all or nothing: one transaction renames the stored names and records the new version
with its author, or nothing happens. Removing an element in use is refused with its counts; the
user archives it instead. Old names are kept as aliases (also across several renames), so old
files keep importing and merging.
"""

from __future__ import annotations

from annotator.model.errors import SchemeError, StaleWriteError
from annotator.model.scheme import Scheme, parse_scheme
from annotator.model.scheme_diff import diff_schemes, inherited_aliases
from annotator.model.scheme_toml import scheme_to_toml
from annotator.model.scheme_usage import SchemePlan, SchemeUsage, plan_changes
from annotator.services.alignment import renamed_item_key
from annotator.services.project import Project
from annotator.store import schemes as store_schemes
from annotator.store.schemes import SchemeVersion


class SchemeChangeRefused(SchemeError):
    """The change would lose annotations; `plan` says which elements and how many."""

    def __init__(self, plan: SchemePlan) -> None:
        lines = [c.describe() for c in plan.refused]
        super().__init__("scheme change refused, nothing was changed:\n  " + "\n  ".join(lines))
        self.plan = plan


def usage(project: Project) -> SchemeUsage:
    with project.session() as s:
        return store_schemes.usage(s)


def plan(project: Project, new: Scheme) -> SchemePlan:
    """What applying `new` would do, with counts (the scheme as it would be stored, aliases inherited)."""
    merged = inherited_aliases(project.scheme, new)
    with project.session() as s:
        counts = store_schemes.usage(s)
    return plan_changes(project.scheme, merged, diff_schemes(project.scheme, merged), counts)


def apply(project: Project, new: Scheme, author: str, *, dry_run: bool = False) -> SchemePlan:
    """Install `new` as the project's scheme, renaming stored names; raises SchemeChangeRefused."""
    result = plan(project, new)
    if result.refused:
        raise SchemeChangeRefused(result)
    if dry_run or project.readonly:
        return result
    merged = result.new
    if merged == project.scheme and not result.changes:
        return result
    text = new.source_text if merged == new and new.source_text else scheme_to_toml(merged)
    with project.session() as s:
        stored = store_schemes.supersede_current(s)
        if stored is not None and parse_scheme(stored, origin=f"{project.path} (stored scheme)") != project.scheme:
            raise StaleWriteError(
                f"{project.path}: someone else changed the scheme since it was opened here; nothing was "
                "changed (open the project again to see their scheme, then apply yours)",
                stored=parse_scheme(stored, origin=f"{project.path} (stored scheme)"),
                mine=merged,
            )
        store_schemes.rename_to_current(s, merged)
        store_schemes.rewrite_item_keys(s, lambda key: renamed_item_key(key, merged))
        store_schemes.add_version(s, text, author)
    project.scheme = parse_scheme(text, origin=f"{project.path} (stored scheme)")
    return result


def versions(project: Project) -> list[SchemeVersion]:
    with project.session() as s:
        return store_schemes.versions(s)


def current_toml(project: Project) -> str:
    """The stored text of the scheme in force (with the author's comments), or one written from it."""
    with project.session() as s:
        return store_schemes.current_toml(s) or scheme_to_toml(project.scheme)


def reload(project: Project) -> Scheme:
    """Take the scheme stored now as this project's (someone else changed it since it was opened
    here): what a refused `apply` offers before the change is made again on top of theirs."""
    with project.session() as s:
        toml = store_schemes.current_toml(s)
    if toml is not None:
        project.scheme = parse_scheme(toml, origin=f"{project.path} (stored scheme)")
    return project.scheme

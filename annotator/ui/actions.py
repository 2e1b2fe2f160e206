"""The action table: every QAction of the main window declared as data, and the shortcuts help.

One row per action (id, text, keys, tip, menu). The menus, the key bindings and the Help > Keyboard
shortcuts page (and the README's table, through `shortcuts_markdown`) are all generated from these rows,
so they cannot drift apart. Label keys and stance-value number keys come from the scheme. The main
window decides what each action does; this module only declares and builds them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack

from annotator.model.scheme import AttributeDef, Scheme

MENUS = ("File", "Edit", "Annotate", "Go", "View", "Project", "Review", "Help")
MAX_NUMBER_KEYS = 9


@dataclass(frozen=True)
class ActionSpec:
    """One action. `keys` are portable key names (the documented bindings); `standard` adds the
    platform's own binding for the same command where Qt knows one."""

    id: str
    text: str
    keys: tuple[str, ...] = ()
    tip: str = ""
    menu: str = ""
    standard: QKeySequence.StandardKey | None = None
    separator_before: bool = False
    checkable: bool = False


_SK = QKeySequence.StandardKey

_FILE = (
    ActionSpec("new_project", "&New project…", ("Ctrl+N",), "Create an empty project file", "File", _SK.New),
    ActionSpec("open_project", "&Open project…", ("Ctrl+O",), "Open another project file", "File", _SK.Open),
    ActionSpec(
        "connect_server",
        "Connect to &server…",
        (),
        "Open a shared project on a PostgreSQL server (postgresql+psycopg://USER@HOST/DATABASE)",
        "File",
    ),
    ActionSpec(
        "import_files",
        "&Import articles…",
        ("Ctrl+I",),
        "Import .txt, .csv or .jsonl files into this project",
        "File",
        separator_before=True,
    ),
    ActionSpec("import_folder", "Import a &folder…", (), "Import every .txt/.csv/.jsonl file in a folder", "File"),
    ActionSpec(
        "import_other",
        "Import from another &tool…",
        (),
        "Import brat standoff, Label Studio JSON, doccano JSONL or INCEpTION XMI annotations",
        "File",
    ),
    ActionSpec("export", "&Export…", ("Ctrl+E",), "Export annotations as CSV tables or JSONL", "File"),
    ActionSpec(
        "save_copy",
        "Save a &copy of the project…",
        (),
        "Write a complete copy of the project file (the way to copy or back up a project while it is open)",
        "File",
    ),
    ActionSpec(
        "merge",
        "&Merge colleague's work…",
        ("Ctrl+Shift+M",),
        "Bring in a colleague's project file or annotation JSONL as their own layer",
        "File",
    ),
    ActionSpec(
        "change_name", "Change &annotator name…", (), "Annotate under another name", "File", separator_before=True
    ),
    ActionSpec(
        "quit",
        "&Quit",
        ("Ctrl+Q",),
        "Close annotator (everything is already saved)",
        "File",
        _SK.Quit,
        separator_before=True,
    ),
)
_EDIT = (
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "Undo the last edit", "Edit", _SK.Undo),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z",), "Redo the last undone edit", "Edit", _SK.Redo),
    ActionSpec(
        "delete_span",
        "&Delete span",
        ("Delete", "Backspace"),
        "Delete the selected span",
        "Edit",
        separator_before=True,
    ),
    ActionSpec(
        "cancel",
        "Cancel link / clear selection",
        ("Esc",),
        "Stop picking a source, or deselect the span; also clears the find highlights (F3 shows them again)",
        "Edit",
    ),
    ActionSpec(
        "find",
        "&Search documents",
        ("Ctrl+F",),
        "Search titles and text; Enter opens the first match",
        "Edit",
        _SK.Find,
        separator_before=True,
    ),
    ActionSpec("find_next", "Next &match in article", ("F3",), "Select the next match of the search term", "Edit"),
    ActionSpec(
        "find_prev", "Previous match in article", ("Shift+F3",), "Select the previous match of the search term", "Edit"
    ),
    ActionSpec(
        "corpus_search",
        "Search the &project…",
        ("Ctrl+Shift+F",),
        "Find words and phrases in every document and annotation, filtered by label, stance, annotator, status",
        "Edit",
    ),
    ActionSpec(
        "same_text",
        "Same text &elsewhere",
        ("Ctrl+Alt+F",),
        "Search the project for the selected span's text",
        "Edit",
    ),
)
_ANNOTATE_TAIL = (
    ActionSpec(
        "pick_source",
        "Pick &source on text",
        ("A",),
        "Then click the span the selected claim is attributed to, or press its number in the list",
        "Annotate",
        separator_before=True,
    ),
    ActionSpec(
        "claim_stance",
        "&Claim stance (active target)",
        ("K",),
        "Then a digit or first letter: the selected claim's stance on the active target",
        "Annotate",
    ),
    ActionSpec(
        "add_fragment",
        "Add selection as a &fragment",
        ("F",),
        "Click a span, select another piece of its text, press F: one span in several pieces",
        "Annotate",
    ),
    ActionSpec(
        "cycle_target",
        "Next stance &target",
        ("T",),
        "Choose which target the number keys set",
        "Annotate",
        separator_before=True,
    ),
)
_SOURCES = ActionSpec(
    "sources",
    "So&urces…",
    ("Ctrl+Shift+S",),
    "Canonical source names with their aliases and counts: rename, merge, move an alias",
    "Annotate",
    separator_before=True,
)
EDGE_MOVES: dict[str, tuple[str, int, str]] = {
    "edge.start_left": ("start", -1, "char"),
    "edge.start_right": ("start", 1, "char"),
    "edge.start_word_left": ("start", -1, "word"),
    "edge.start_word_right": ("start", 1, "word"),
    "edge.end_left": ("end", -1, "char"),
    "edge.end_right": ("end", 1, "char"),
    "edge.end_word_left": ("end", -1, "word"),
    "edge.end_word_right": ("end", 1, "word"),
}
"""Span-edge action id -> (edge, step, unit) for `model.snapping.move_edge`."""
_EDGE_KEYS = {
    "edge.start_left": "[",
    "edge.start_right": "]",
    "edge.start_word_left": "{",
    "edge.start_word_right": "}",
    "edge.end_left": ",",
    "edge.end_right": ".",
    "edge.end_word_left": "<",
    "edge.end_word_right": ">",
}
EDGE_KEYS_HELP = "Edges: [ ] start · , . end (Shift: a word) · or drag an end"
_EDGES = tuple(
    ActionSpec(
        action_id,
        f"Move span {edge} {'left' if step < 0 else 'right'} by a {'character' if unit == 'char' else 'word'}",
        (_EDGE_KEYS[action_id],),
        f"Move the selected span's {edge} one {'character' if unit == 'char' else 'word'} "
        f"{'left' if step < 0 else 'right'}",
        "Edit",
        separator_before=action_id == "edge.start_left",
    )
    for action_id, (edge, step, unit) in EDGE_MOVES.items()
)
_GO = (
    ActionSpec(
        "done_next",
        "Mark &done and open next",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Mark this document done and open the next unfinished one",
        "Go",
    ),
    ActionSpec(
        "prev_doc",
        "&Previous document",
        ("Alt+Left",),
        "Open the previous document in the list",
        "Go",
        separator_before=True,
    ),
    ActionSpec("next_doc", "&Next document", ("Alt+Right",), "Open the next document in the list", "Go"),
    ActionSpec(
        "next_span",
        "Next &span",
        ("Alt+N",),
        "Select the span after the selected one (or after the caret), to edit, relabel or delete it",
        "Go",
        separator_before=True,
    ),
    ActionSpec(
        "prev_span",
        "Pre&vious span",
        ("Alt+Shift+N",),
        "Select the span before the selected one (or before the caret)",
        "Go",
    ),
    ActionSpec(
        "span_at_caret",
        "Span at &caret",
        ("Alt+Return",),
        "Select the span under the caret, to edit, relabel or delete it",
        "Go",
    ),
)
_VIEW = (
    ActionSpec("zoom_in", "Zoom &in", ("Ctrl+=", "Ctrl++"), "Larger article text", "View", _SK.ZoomIn),
    ActionSpec("zoom_out", "Zoom &out", ("Ctrl+-",), "Smaller article text", "View", _SK.ZoomOut),
    ActionSpec("zoom_reset", "&Reset zoom", ("Ctrl+0",), "Default article text size", "View"),
    ActionSpec(
        "reset_layout",
        "Reset la&yout",
        ("Ctrl+Alt+0",),
        "Put the side panels back in their places at their default widths",
        "View",
    ),
    ActionSpec(
        "show_links",
        "Show attribution &links",
        ("Ctrl+Shift+L",),
        "Draw each claim's link to its source as an arc over the text",
        "View",
        separator_before=True,
        checkable=True,
    ),
)
_REVIEW = (
    ActionSpec(
        "review_mode",
        "&Review mode",
        ("Ctrl+R",),
        "Compare the shown annotators' layers of this document and settle them into gold",
        "Review",
        checkable=True,
    ),
    ActionSpec(
        "accept_item",
        "&Accept version into gold",
        ("G",),
        "Copy the chosen annotator's version of the current review item into gold",
        "Review",
        separator_before=True,
    ),
    ActionSpec("reject_item", "Re&ject item", ("X",), "Leave the current review item out of gold", "Review"),
    ActionSpec(
        "edit_item",
        "&Edit in gold",
        ("E",),
        "Accept the item if gold lacks it, then edit gold's span in the Tagging panel",
        "Review",
    ),
    ActionSpec(
        "accept_agreed",
        "Accept all a&greed",
        ("Ctrl+Shift+A",),
        "Accept every item all annotators agree on into gold",
        "Review",
    ),
    ActionSpec(
        "agreement_report",
        "Agreement re&port…",
        ("Ctrl+Shift+R",),
        "Kappa, alpha and F1 between annotators, with charts and per-document drill-down",
        "Review",
        separator_before=True,
    ),
    ActionSpec(
        "blind_mode",
        "&Blind mode (hide colleagues until I mark done)",
        (),
        "Project setting: colleagues' layers stay hidden on a document until you mark it done",
        "Review",
        separator_before=True,
        checkable=True,
    ),
)
_PROJECT = (
    ActionSpec(
        "scheme_editor",
        "&Scheme editor…",
        ("Ctrl+Shift+E",),
        "Edit labels, attributes, relation types, stance targets and values; rename without losing a tag",
        "Project",
    ),
)
_HELP = (
    ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",), "List every keyboard shortcut", "Help"),
    ActionSpec("about", "&About annotator", (), "Version and licence", "Help"),
)


def action_specs(scheme: Scheme) -> list[ActionSpec]:
    """Every action for this scheme, in menu order. Label keys win over a fixed single key they clash
    with (the fixed action keeps its menu entry, without the key)."""
    labels = [
        ActionSpec(
            f"label.{lab.name}",
            f"Tag as {lab.name}",
            (lab.key.upper(),),
            lab.description or f"Make a {lab.name} span from the selected text",
            "Annotate",
        )
        for lab in scheme.active_labels
    ]
    stance = [
        ActionSpec(
            f"stance.{i}",
            f"Document stance: {value}",
            (str(i),),
            f"Set '{value}' for the active stance target",
            "Annotate",
            separator_before=i == 1,
        )
        for i, value in enumerate(scheme.stance_values[:MAX_NUMBER_KEYS], start=1)
        if value not in scheme.archived_stance_values
    ]
    attrs = [
        ActionSpec(
            f"attr.{key}",
            "Set " + " / ".join(sorted({name.replace("_", " ") for (_label, name), k in keys.items() if k == key})),
            (key,),
            "Go to that field of the selected span; then a digit or the value's first letter",
            "Annotate",
            separator_before=i == 0,
        )
        for keys in (attribute_keys(scheme),)
        for i, key in enumerate(sorted(set(keys.values())))
    ]
    head = [*_FILE, *_EDIT, *_EDGES, *labels, *attrs, *_ANNOTATE_TAIL[:3], *stance, _ANNOTATE_TAIL[3], _SOURCES]
    specs = [*head, *_GO, *_VIEW, *_PROJECT, *_REVIEW, *_HELP]
    if not scheme.relations:
        specs = [s for s in specs if s.id != "pick_source"]
    if not scheme.active_targets:
        specs = [s for s in specs if not s.id.startswith("stance.") and s.id != "cycle_target"]
    if not scheme.targets or not scheme.stance_span_labels:
        specs = [s for s in specs if s.id != "claim_stance"]
    taken = {k.upper() for s in labels for k in s.keys}
    # In review mode the digits pick whose version (MainWindow.press_digit through the stance rows):
    # the digits no stance value or label has get rows of their own, enabled in review mode only.
    stance_keys = {k for s in specs if s.id.startswith("stance.") for k in s.keys}
    free = [str(i) for i in range(1, 10) if str(i) not in taken | stance_keys]
    specs += [
        ActionSpec(
            f"version.{n}",
            f"Accept version of column {n}",
            (n,),
            "In review mode: whose version G accepts",
            "Review",
            separator_before=i == 0,
        )
        for i, n in enumerate(free)
    ]
    return [
        s
        if s.id.startswith(("label.", "attr."))
        else ActionSpec(
            s.id,
            s.text,
            tuple(k for k in s.keys if k.upper() not in taken),
            s.tip,
            s.menu,
            s.standard,
            s.separator_before,
            s.checkable,
        )
        for s in specs
    ]


def _fixed_letter_keys() -> set[str]:
    every = (*_FILE, *_EDIT, *_ANNOTATE_TAIL, *_GO, *_VIEW, *_PROJECT, *_REVIEW, *_HELP)
    return {k.upper() for s in every for k in s.keys if len(k) == 1 and k.isalpha()}


def attribute_keys(scheme: Scheme) -> dict[tuple[str, str], str]:
    """(label, attribute) -> the letter that takes the keyboard to that field. The scheme's `key`
    where it is free (not a label key nor a fixed key), else the first free letter of the name."""
    taken = {lab.key.upper() for lab in scheme.labels} | _fixed_letter_keys()
    result: dict[tuple[str, str], str] = {}
    for lab in scheme.labels:
        used: set[str] = set()
        wanted: list[tuple[AttributeDef, str | None]] = [(a, a.key) for a in lab.attributes if a.key]
        wanted += [(a, None) for a in lab.attributes if not a.key]
        for attr, key in wanted:
            candidates = [key] if key else []
            candidates += [ch.upper() for ch in attr.name if ch.isalpha()]
            free = next((c for c in candidates if c not in taken and c not in used), None)
            if free is not None:
                used.add(free)
                result[(lab.name, attr.name)] = free
    return result


def build_actions(parent: QObject, scheme: Scheme, undo_stack: QUndoStack) -> dict[str, QAction]:
    """QActions for every spec, keyed by id. Undo/Redo come from the undo stack so their text and
    enabled state follow it. Actions get WindowShortcut context: Qt's own ShortcutOverride makes a
    line edit or the notes field keep letters, digits, Delete and Backspace while it has focus."""
    actions: dict[str, QAction] = {}
    for spec in action_specs(scheme):
        if spec.id == "undo":
            action = undo_stack.createUndoAction(parent, "&Undo")
        elif spec.id == "redo":
            action = undo_stack.createRedoAction(parent, "&Redo")
        else:
            action = QAction(spec.text, parent)
        action.setObjectName(f"action_{spec.id}")
        action.setCheckable(spec.checkable)
        action.setShortcuts(key_sequences(spec))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = spec.tip + (f" ({keys_text(spec)})" if spec.keys else "")
        action.setToolTip(tip)
        action.setStatusTip(spec.tip)
        actions[spec.id] = action
    return actions


def key_sequences(spec: ActionSpec) -> list[QKeySequence]:
    seqs = [QKeySequence(k) for k in spec.keys]
    if spec.standard is not None and spec.keys:
        for seq in QKeySequence.keyBindings(spec.standard):
            if seq not in seqs:
                seqs.append(seq)
    return seqs


def keys_text(spec: ActionSpec) -> str:
    return ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in spec.keys)


def shortcut_rows(scheme: Scheme) -> list[tuple[str, str, str]]:
    """(keys, what it does, menu) for every action that has a key, in menu order."""
    rows = [(keys_text(s), s.text.replace("&", ""), s.menu) for s in action_specs(scheme) if s.keys]
    return sorted(rows, key=lambda row: MENUS.index(row[2]) if row[2] in MENUS else len(MENUS))


def shortcuts_html(scheme: Scheme) -> str:
    """The Help > Keyboard shortcuts page."""
    parts = ["<table cellspacing='0' cellpadding='4'>"]
    menu = None
    for keys, text, row_menu in shortcut_rows(scheme):
        if row_menu != menu:
            menu = row_menu
            parts.append(f"<tr><th colspan='2' align='left'><br>{html.escape(menu)}</th></tr>")
        parts.append(f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(text)}</td></tr>")
    parts.append(
        "</table><p>Letter and number keys act on the article; they type normally in the "
        "search box and the notes field.</p>"
    )
    return "".join(parts)


def shortcuts_markdown(scheme: Scheme) -> str:
    """The same table for the README."""
    lines = ["| Keys | Action | Menu |", "|---|---|---|"]
    lines += [f"| {keys} | {text} | {menu} |" for keys, text, menu in shortcut_rows(scheme)]
    return "\n".join(lines)

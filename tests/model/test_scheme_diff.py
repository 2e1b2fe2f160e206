"""Scheme diffs: renames of every kind through aliases, additions, removals, archives; aliases inherited."""

from __future__ import annotations

from annotator.model.scheme import load_scheme_file, parse_scheme
from annotator.model.scheme_diff import diff_schemes, inherited_aliases, undo_target
from annotator.model.scheme_toml import scheme_to_toml
from annotator.paths import DEFAULT_SCHEME

RENAMED = DEFAULT_SCHEME.read_text(encoding="utf-8")
for old, new in [
    ('name = "claim"\n', 'name = "assertion"\naliases = ["claim"]\n'),
    ('name = "claim_type"\n', 'name = "kind"\n  aliases = ["claim_type"]\n'),
    ('"factual", "opinion"', '"fact", "opinion"'),
    ("value_descriptions = { factual =", 'value_aliases = { factual = "fact" }\n  value_descriptions = { fact ='),
    ('name = "attributed_to"\n', 'name = "said_by"\naliases = ["attributed_to"]\n'),
    ('from = "claim"', 'from = "assertion"'),
    ('span_labels = ["claim"]', 'span_labels = ["assertion"]'),
    ('name = "nato_membership"\n', 'name = "nato"\n  aliases = ["nato_membership"]\n'),
    ('values = ["favor", "against"', 'value_aliases = { favor = "pro" }\nvalues = ["pro", "against"'),
    ("value_descriptions = { favor =", "value_descriptions = { pro ="),
]:
    assert old in RENAMED, old
    RENAMED = RENAMED.replace(old, new, 1)


def test_a_rename_of_every_kind_is_a_rename_and_nothing_else() -> None:
    old, new = load_scheme_file(DEFAULT_SCHEME), parse_scheme(RENAMED)
    changes = diff_schemes(old, new)
    renames = {(c.kind, c.old, c.new) for c in changes if c.action == "rename"}
    assert renames == {
        ("label", ("claim",), ("assertion",)),
        ("attribute", ("claim", "claim_type"), ("assertion", "kind")),
        ("value", ("claim", "claim_type", "factual"), ("assertion", "kind", "fact")),
        ("relation", ("attributed_to",), ("said_by",)),
        ("target", ("nato_membership",), ("nato",)),
        ("stance_value", ("favor",), ("pro",)),
    }
    assert [c for c in changes if c.action in ("add", "remove")] == []
    assert "rename label claim -> assertion" in [c.describe() for c in changes]


def test_additions_removals_and_archives() -> None:
    old = load_scheme_file(DEFAULT_SCHEME)
    text = DEFAULT_SCHEME.read_text(encoding="utf-8")
    text = text.replace('"yes", "no"', '"yes", "no", "maybe"')
    text = text.replace('"document", "anonymous"', '"document"')
    text = text.replace('  name = "security_guarantees"\n', '  name = "security_guarantees"\n  archived = true\n')
    text += '\n[[labels]]\nname = "quote"\nkey = "Q"\ncolor = "#123456"\n'
    changes = {(c.action, c.kind, c.old or c.new) for c in diff_schemes(old, parse_scheme(text))}
    assert changes == {
        ("add", "value", ("claim", "checkworthy", "maybe")),
        ("remove", "value", ("source", "source_type", "anonymous")),
        ("archive", "target", ("security_guarantees",)),
        ("add", "label", ("quote",)),
    }


def test_a_second_rename_keeps_the_first_names_as_aliases() -> None:
    first = parse_scheme(RENAMED)
    second_text = RENAMED.replace(
        'name = "assertion"\naliases = ["claim"]', 'name = "statement"\naliases = ["assertion"]'
    )
    second_text = second_text.replace('span_labels = ["assertion"]', 'span_labels = ["statement"]').replace(
        'from = "assertion"', 'from = "statement"'
    )
    second = inherited_aliases(first, parse_scheme(second_text))
    assert second.canonical_label("claim") == "statement"
    assert second.canonical_stance_value("favor") == "pro"
    assert second.canonical_attributes("claim", {"claim_type": "factual"}) == {"kind": "fact"}


def test_the_undo_target_renames_everything_back() -> None:
    old = load_scheme_file(DEFAULT_SCHEME)
    new = parse_scheme(RENAMED)
    back = undo_target(old, new)
    renames = {(c.kind, c.old, c.new) for c in diff_schemes(new, back) if c.action == "rename"}
    assert ("label", ("assertion",), ("claim",)) in renames
    assert ("value", ("assertion", "kind", "fact"), ("claim", "claim_type", "factual")) in renames
    assert ("stance_value", ("pro",), ("favor",)) in renames
    assert [c for c in diff_schemes(new, back) if c.action in ("add", "remove")] == []


def test_attribute_and_stance_values_can_be_archived_and_restored() -> None:
    old = load_scheme_file(DEFAULT_SCHEME)
    text = DEFAULT_SCHEME.read_text(encoding="utf-8")
    text = text.replace('  values = ["yes", "no"]\n', '  values = ["yes", "no"]\n  archived_values = ["no"]\n')
    text = text.replace("span_labels = [", 'archived_values = ["not_addressed"]\nspan_labels = [')
    new = parse_scheme(text)
    assert new.label("claim").attribute("checkworthy").active_values == ("yes",)  # type: ignore[union-attr]
    new.validate_span("claim", {"checkworthy": "no"})  # stored values stay valid
    changes = {(c.action, c.kind, c.new) for c in diff_schemes(old, new)}
    assert changes == {
        ("archive", "value", ("claim", "checkworthy", "no")),
        ("archive", "stance_value", ("not_addressed",)),
    }
    assert {c.action for c in diff_schemes(new, old)} == {"restore"}
    assert parse_scheme(scheme_to_toml(new)) == new

"""The scheme format: every problem with its line, size limits, TOML round trip, version hash, shipped schemes."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model.errors import SchemeError
from annotator.model.scheme import load_scheme_file, parse_scheme
from annotator.model.scheme_parse import check_scheme
from annotator.model.scheme_toml import scheme_to_toml
from annotator.paths import DEFAULT_SCHEME

SHIPPED = sorted(DEFAULT_SCHEME.parent.glob("*.toml"))


def test_every_problem_is_reported_with_its_own_line() -> None:
    text = (
        'name = "broken"\n'  # 1
        "[[labels]]\n"  # 2
        'name = "claim"\n'  # 3
        'color = "red"\n'  # 4
        "  [[labels.attributes]]\n"  # 5
        '  name = "kind"\n'  # 6
        '  values = ["a", "a"]\n'  # 7
        '  value_aliases = { old = "gone" }\n'  # 8
        "[[labels]]\n"  # 9
        'name = "quote"\n'  # 10
        'key = "C"\n'  # 11
        'colour = "#ffffff"\n'  # 12
        "[[relations]]\n"  # 13
        'name = "said"\n'  # 14
        'from = "claim"\n'  # 15
        'to = "nobody"\n'  # 16
        "[stance]\n"  # 17
        'values = ["pro"]\n'  # 18
        "  [[stance.targets]]\n"  # 19
        '  name = "t"\n'  # 20
        '  aliases = ["claim thing"]\n'  # 21
    )
    scheme, problems = check_scheme(text)
    assert scheme is None
    found = {(p.line, p.message.split(":")[0]) for p in problems}
    lines = sorted(p.line for p in problems if p.line)
    assert lines == [4, 7, 8, 11, 12, 16, 21], problems
    assert (11, "duplicate label key 'C'") in found
    assert any("colour" in p.message and p.line == 12 for p in problems)
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, origin="s.toml")
    assert len(str(info.value).splitlines()) == len(problems)
    assert all(line.startswith("s.toml line ") for line in str(info.value).splitlines())


def test_a_deeply_nested_file_is_refused_with_line_and_reason() -> None:
    text = '[[labels]]\nname = "a"\n\nbomb = ' + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(SchemeError, match=r"x\.toml line 4: values are nested more than"):
        parse_scheme(text, origin="x.toml")


def test_a_huge_file_is_refused_with_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text('[[labels]]\nname = "a"\n' + "# padding padding padding\n" * 60000, encoding="utf-8")
    with pytest.raises(SchemeError, match=r"huge\.toml line \d+: the file is larger than"):
        load_scheme_file(path)


def test_syntax_errors_keep_tomllibs_line() -> None:
    with pytest.raises(SchemeError, match=r"line 3: not valid TOML"):
        parse_scheme('[[labels]]\nname = "a"\nkey = \n')


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_schemes_load_and_round_trip_through_toml(path: Path) -> None:
    scheme = load_scheme_file(path)
    again = parse_scheme(scheme_to_toml(scheme))
    assert again == scheme
    assert again.version_hash == scheme.version_hash
    assert scheme.guidelines.startswith("\n# ") or scheme.guidelines.startswith("# ")
    assert all(lab.description for lab in scheme.labels)


def test_shipped_examples_are_fnc1_and_a_richer_scheme() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"default", "fnc1", "checkworthiness"} <= names
    fnc1 = load_scheme_file(DEFAULT_SCHEME.parent / "fnc1.toml")
    assert fnc1.stance_values == ("agree", "disagree", "discuss", "unrelated")
    rich = load_scheme_file(DEFAULT_SCHEME.parent / "checkworthiness.toml")
    statement = rich.label("statement")
    assert statement is not None
    assert {"verdict", "quote_type"} <= {a.name for a in statement.attributes}


def test_the_hash_ignores_comments_and_layout_but_not_content() -> None:
    a = parse_scheme('# hello\n[[labels]]\nname = "a"\n')
    b = parse_scheme('[[labels]]\n   name="a"\n')
    c = parse_scheme('[[labels]]\nname = "a"\ndescription = "x"\n')
    assert a.version_hash == b.version_hash != c.version_hash
    assert len(a.version_hash) == 12


def test_aliases_of_every_kind_resolve_to_current_names() -> None:
    scheme = parse_scheme(
        '[[labels]]\nname = "assertion"\naliases = ["claim"]\n'
        '  [[labels.attributes]]\n  name = "kind"\n  aliases = ["claim_type"]\n  values = ["fact"]\n'
        '  value_aliases = { factual = "fact" }\n'
        '[[relations]]\nname = "said_by"\nfrom = "assertion"\nto = "assertion"\naliases = ["attributed_to"]\n'
        '[stance]\nvalues = ["pro"]\nvalue_aliases = { favor = "pro" }\n'
        '  [[stance.targets]]\n  name = "nato"\n  aliases = ["nato_membership"]\n'
    )
    assert scheme.canonical_label("claim") == "assertion"
    assert scheme.canonical_attributes("claim", {"claim_type": "factual"}) == {"kind": "fact"}
    assert scheme.canonical_relation("attributed_to") == "said_by"
    assert scheme.canonical_target("nato_membership") == "nato"
    assert scheme.canonical_stance_value("favor") == "pro"
    scheme.validate_stance("nato_membership", "favor")
    scheme.validate_span("claim", {"claim_type": "factual"})


def test_the_readme_documents_every_key_and_its_example_parses() -> None:
    readme = (DEFAULT_SCHEME.parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Scheme files") :]
    example = section[section.index("```toml\n") + 8 : section.index("```\n", section.index("```toml\n") + 8)]
    scheme = parse_scheme(example)
    assert scheme.canonical_label("claim") == "assertion"
    from annotator.model import scheme_parse

    table = section[: section.index("```toml")]
    keys = (
        scheme_parse._TOP_KEYS
        | scheme_parse._LABEL_KEYS
        | scheme_parse._ATTR_KEYS
        | scheme_parse._REL_KEYS
        | scheme_parse._STANCE_KEYS
        | scheme_parse._TARGET_KEYS
    )
    assert {k for k in keys if f"`{k}`" not in table} <= {"labels", "relations", "stance", "targets", "attributes"}


def test_a_file_with_thousands_of_problems_reports_the_first_fifty() -> None:
    text = "".join(f'[[labels]]\nname = "l{i}"\nkey = "A"\n' for i in range(2000))
    _, problems = check_scheme(text)
    assert len(problems) == 51
    assert problems[-1].message.startswith("... and ") and problems[-1].message.endswith(" more problems")
    assert problems[0].line == 6  # the second label's key is the first duplicate

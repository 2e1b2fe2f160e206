from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model.errors import SchemeError
from annotator.model.scheme import load_scheme_file, parse_scheme
from annotator.paths import DEFAULT_SCHEME


def test_default_scheme_matches_the_product_contract() -> None:
    scheme = load_scheme_file(DEFAULT_SCHEME)
    assert scheme.label_names == ("claim", "source")
    claim, source = scheme.labels
    assert [a.name for a in claim.attributes] == ["claim_type", "checkworthy"]
    assert claim.attribute("claim_type").values == ("factual", "opinion", "prediction", "demand")
    assert claim.attribute("checkworthy").values == ("yes", "no")
    assert source.attribute("source_type").values == (
        "named_person",
        "official",
        "organization",
        "media",
        "document",
        "anonymous",
    )
    canonical = source.attribute("canonical")
    assert canonical.kind == "text" and canonical.completion == "source_registry"
    rel = scheme.relation("attributed_to")
    assert (rel.from_label, rel.to_label, rel.max_per_from) == ("claim", "source", 1)
    assert scheme.target_names == ("nato_membership", "security_guarantees")
    assert scheme.target("nato_membership").description == "Ukraine joining NATO"
    assert scheme.stance_values == ("favor", "against", "neutral", "not_addressed")
    assert (claim.key, source.key) == ("C", "S")


FNC1 = """
name = "fnc1"
[[labels]]
name = "headline_claim"
key = "H"
[stance]
values = ["agree", "disagree", "discuss", "unrelated"]
[[stance.targets]]
name = "headline"
"""


def test_a_user_scheme_with_other_labels_and_values() -> None:
    scheme = parse_scheme(FNC1)
    assert scheme.label_names == ("headline_claim",)
    assert scheme.stance_values == ("agree", "disagree", "discuss", "unrelated")
    scheme.validate_stance("headline", "discuss")
    with pytest.raises(SchemeError, match="favor"):
        scheme.validate_stance("headline", "favor")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[labels]]\nname = "claim"\nkey = "C"\n[[labels]]\nname = "claim"\nkey = "D"\n',
            r"line 5: duplicate label 'claim'",
        ),
        (
            '[[labels]]\nname = "claim"\n  [[labels.attributes]]\n  name = "kind"\n  type = "choise"\n',
            r"line 5: attribute 'kind': type must be one of choice, text",
        ),
        (
            '[[labels]]\nname = "claim"\n[[relations]]\nname = "r"\nfrom = "claim"\nto = "nobody"\n',
            r"line 6: relation 'r': 'to' must name a label",
        ),
        ('[[labels]]\nname = "claim"\ncolor = "red"\n', r"line 3: label 'claim': color"),
        (
            '[[labels]]\nname = "claim"\n[stance]\nvalues = []\n[[stance.targets]]\nname = "t"\n',
            r"has targets but no values",
        ),
        ('[[labels]\nname = "claim"\n', r"line 1"),
        ('name = "x"\n', r"at least one \[\[labels\]\]"),
    ],
)
def test_broken_scheme_names_line_and_problem(text: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        parse_scheme(text, origin="my.toml")


def test_broken_scheme_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[labels]]\nname = "a b"\n', encoding="utf-8")
    with pytest.raises(SchemeError, match=r"broken\.toml line 2: label needs a name"):
        load_scheme_file(path)


def test_validate_span_checks_label_attribute_and_value() -> None:
    scheme = load_scheme_file(DEFAULT_SCHEME)
    scheme.validate_span("claim", {"claim_type": "opinion"})
    scheme.validate_span("source", {"canonical": "anything at all"})
    with pytest.raises(SchemeError, match="label 'quote'"):
        scheme.validate_span("quote", {})
    with pytest.raises(SchemeError, match="attribute 'colour'"):
        scheme.validate_span("claim", {"colour": "red"})
    with pytest.raises(SchemeError, match="value 'maybe'"):
        scheme.validate_span("claim", {"checkworthy": "maybe"})


def test_renamed_label_and_value_keep_old_names_as_aliases() -> None:
    scheme = parse_scheme(
        '[[labels]]\nname = "assertion"\naliases = ["claim"]\n'
        '  [[labels.attributes]]\n  name = "kind"\n  values = ["fact"]\n'
        '  value_aliases = { factual = "fact" }\n'
    )
    assert scheme.canonical_label("claim") == "assertion"
    scheme.validate_span("claim", {"kind": "factual"})

import datetime as dt

import pytest

from kiosk.rules import load_rulebook
from kiosk.rules.parameters import PolicyError, load_policy

GOOD = """
code = "pension_basic"
name = "城乡居民基础养老金"
department = "县人社局"
period = "month"
note = "示例"
[parameters.monthly_amount]
unit = "fen"
values = [
  { start = 2023-01-01, value = 100, reference = "A" },
  { start = 2024-07-01, value = 200, reference = "B" },
]
"""


def write(tmp_path, text, name="p.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_at_returns_value_in_force_the_day_before_and_the_day_of_a_change(tmp_path):
    parameter = load_policy(write(tmp_path, GOOD))["monthly_amount"]
    assert parameter.at(dt.date(2024, 6, 30)).value == 100
    assert parameter.at(dt.date(2024, 7, 1)).value == 200
    assert parameter.at(dt.date(2030, 1, 1)).reference == "B"
    with pytest.raises(PolicyError, match="no value in force"):
        parameter.at(dt.date(2022, 12, 31))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("pension_basic", "nonexistent"), "unknown programme code"),
        (('reference = "B"', 'reference = ""'), "legal reference is required"),
        (('reference = "B"', 'note = "x"'), "legal reference is required"),
        (("2024-07-01", "2022-07-01"), "dates must be in order"),
        (("2024-07-01", "2023-01-01"), "no two values starting on one day"),
        (('unit = "fen"', 'unit = "yuan"'), "unit must be one of"),
        (("value = 200", "value = 2.5"), "must be an integer"),
        (("value = 200", "value = -1"), "must not be negative"),
        (('period = "month"', 'period = "week"'), "period must be one of"),
        (('department = "县人社局"', ""), "missing department"),
        (("[parameters", "[[broken"), "cannot read policy file"),
    ],
)
def test_bad_policy_files_are_refused_with_a_reason(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path, {"pension_basic"})
    assert "p.toml" in str(caught.value)


def test_bundled_policies_load_say_they_are_illustrative_and_change_mid_year():
    rulebook = load_rulebook()
    assert set(rulebook.codes) == {
        "pension_basic",
        "elderly_allowance",
        "dibao",
        "tekun",
        "disability_living",
        "disability_care",
        "farmland",
        "forest",
        "education",
    }
    mid_year = set()
    for policy in rulebook.policies.values():
        assert "示例" in policy.note and "not official" in policy.note
        for parameter in policy.parameters.values():
            assert all(v.reference for v in parameter.values)
            mid_year |= {(policy.code, v.start_on) for v in parameter.values[1:] if v.start_on.month != 1}
    assert len({code for code, _ in mid_year}) >= 2


def test_rulebook_refuses_a_missing_programme(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(PolicyError, match="no policy file for"):
        load_rulebook(tmp_path)


def test_rule_version_changes_with_the_policy_text(tmp_path):
    from kiosk.rules import DEFAULT_POLICY_DIR

    for source in DEFAULT_POLICY_DIR.glob("*.toml"):
        write(tmp_path, source.read_text(encoding="utf-8"), source.name)
    before = load_rulebook(tmp_path).version
    path = tmp_path / "tekun.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("60000", "61000"), encoding="utf-8")
    assert load_rulebook(tmp_path).version != before == load_rulebook().version


TRANSLATIONS = """
[translations.en]
name = "Basic pension"
[translations.en.references]
"A" = "Reference A"
"""


def test_translations_are_read_and_checked(tmp_path):
    translated = GOOD + TRANSLATIONS
    policy = load_policy(write(tmp_path, translated))
    assert policy.term("en", "name", "城乡居民基础养老金") == "Basic pension"
    assert policy.term("en", "reference", "A") == "Reference A"
    assert policy.term("en", "reference", "B") is None and policy.term("fr", "name", "x") is None
    with pytest.raises(PolicyError, match="translations.en.colour: only name, department, note, references"):
        load_policy(write(tmp_path, translated.replace('name = "Basic pension"', 'colour = "red"')))
    with pytest.raises(PolicyError, match="references must map each reference to text"):
        load_policy(write(tmp_path, translated.replace('"A" = "Reference A"', '"A" = 3')))

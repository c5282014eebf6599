"""The examples in docs/ import cleanly, in the documented order, and show what the docs say."""

from __future__ import annotations

from pathlib import Path

from kiosk.imports.formats import load_mapping
from kiosk.imports.loader import import_file
from kiosk.services.checks import run_checks
from kiosk.store import open_store
from tests.helpers.facts import TODAY

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_the_documented_examples_import_and_check(tmp_path, rulebook):
    store = open_store(tmp_path / "county.db")
    for name in ("villages.csv", "persons.csv", "enrolments.csv", "payments.csv"):
        report = import_file(store, EXAMPLES / name, rulebook=rulebook, today=TODAY)
        assert report.committed and report.error_count == 0, (name, [e.message for e in report.errors])
    mapped = import_file(
        store,
        EXAMPLES / "payments-county-headers.csv",
        rulebook=rulebook,
        today=TODAY,
        mapping=load_mapping(EXAMPLES / "mapping.toml"),
    )
    assert mapped.committed and mapped.imported == 1
    cadres = [("522799195003140014", "王德明", "村委会主任")]
    findings = {(f.check, f.name, f.period) for f in run_checks(store, rulebook, today=TODAY, cadres=cadres)}
    assert ("paid_after_death", "李国华", "2025-06") in findings  # died 2025-05-10, paid for June
    assert ("cadre_dibao", "张秀英", "") in findings  # 低保 in the village head's household
    # 王小花's grant went to her father's card: the same household, so not a shared-account finding
    assert not any(check == "shared_account" for check, _, _ in findings)

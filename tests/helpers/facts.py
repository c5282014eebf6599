"""The suite's fixed "today", and facts about a person built from keywords."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kiosk.rules import Enrolment, PersonFacts

TODAY = dt.date(2026, 11, 22)


def make_facts(
    born: dt.date = dt.date(1950, 3, 5), death_on: dt.date | None = None, **enrolments: object
) -> PersonFacts:
    """Build facts; each keyword is a programme code mapped to a dict of Enrolment fields (or True)."""
    built = []
    for code, spec in enrolments.items():
        fields = {"start_on": dt.date(2015, 1, 1)} if spec is True else dict(spec)  # type: ignore[arg-type]
        fields.setdefault("start_on", dt.date(2015, 1, 1))
        if "quantity" in fields and fields["quantity"] is not None:
            fields["quantity"] = Decimal(str(fields["quantity"]))
        built.append(Enrolment(code, **fields))  # type: ignore[arg-type]
    return PersonFacts(born, death_on, tuple(built))

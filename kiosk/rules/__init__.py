"""Rules as code: programme policies (dated TOML parameters) and the functions that apply them.

Pure: no I/O beyond reading the policy files once, no floats on the money path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from kiosk.core.i18n import N_, say
from kiosk.rules.facts import Enrolment, PersonFacts
from kiosk.rules.hints import Hint, find_hints
from kiosk.rules.households import head_line, member_line
from kiosk.rules.parameters import PolicyError, ProgrammePolicy, load_policy, parse_policy, rule_version
from kiosk.rules.periods import Period, add_months, parse_period, period_of, periods_between
from kiosk.rules.programmes import CORE, RULES, Entitlement, owed, shape_problem
from kiosk.rules.relations import Counts, relation_reason

DEFAULT_POLICY_DIR = Path(__file__).with_name("params")

__all__ = [
    "Enrolment",
    "Entitlement",
    "Hint",
    "Period",
    "PersonFacts",
    "PolicyError",
    "ProgrammePolicy",
    "Rulebook",
    "load_rulebook",
    "load_rulebook_from",
    "parse_period",
    "period_of",
    "periods_between",
]


@dataclass(frozen=True)
class Rulebook:
    """The programmes in force, each with its policy and rule function."""

    policies: Mapping[str, ProgrammePolicy]
    version: str

    @property
    def codes(self) -> list[str]:
        return list(self.policies)

    def owed(self, code: str, facts: PersonFacts, period: Period) -> Entitlement:
        """Return what `code` owes the person for `period`, with its explanation."""
        policy = self.policies[code]
        if period.kind != policy.period_kind:
            return _wrong_kind(policy, period)
        household = facts.household
        if policy.household.to_head and household is not None and household.head_index is not None:
            if household.is_head:
                return head_line([self._own(code, m, period) for m in household.everyone()], policy)
            own = self._own(code, facts, period)
            return member_line(own, facts, policy) if own.amount_fen else own
        return self._own(code, facts, period)

    def share(self, code: str, facts: PersonFacts, period: Period) -> Entitlement:
        """What the person is owed for themselves — their own share where the head receives it for the
        household: what a household's amount adds up from."""
        policy = self.policies[code]
        if period.kind != policy.period_kind:
            return _wrong_kind(policy, period)
        return self._own(code, facts, period)

    def _own(self, code: str, facts: PersonFacts, period: Period) -> Entitlement:
        """What the programme's rule and relations owe this person, for themselves."""
        policy = self.policies[code]
        entitlement = RULES[policy.rule](facts, period, policy)
        if entitlement.amount_fen and (policy.relations.excluded_by or policy.relations.requires):
            found = relation_reason(policy.relations, facts, period, self._counts, self._names)
            if found is not None:
                reason, reference = found
                return owed(0, reason, reference)
        return entitlement

    def takes_part(self, code: str, facts: PersonFacts) -> bool:
        """Does the person have lines in programme `code`: enrolled themselves, or the head of a household
        whose members are, where the programme pays the head."""
        if facts.ever_enrolled(code):
            return True
        household = facts.household
        policy = self.policies.get(code)
        return (
            policy is not None
            and policy.household.to_head
            and household is not None
            and household.is_head
            and any(member.ever_enrolled(code) for member in household.members)
        )

    def rule_files(self, day: dt.date) -> list[dict[str, str]]:
        """The policy files in force on `day`, each with the date its newest value in force took effect:
        what a rule version means, for a complaint's evidence and a clerk."""
        files = []
        for code, policy in self.policies.items():
            since = policy.in_force_on(day)
            files.append(
                {"code": code, "file": policy.file_name, "since": since.isoformat() if since else ""}
            )
        return files

    def version_label(self, day: dt.date) -> str:
        """The rule version in words a clerk can trace: each file with the date of its values in force."""
        found = self._labels.get(day)
        if found is None:
            found = self._labels[day] = self._label(day)
        return found

    @cached_property
    def _labels(self) -> dict[dt.date, str]:
        return {}

    def _label(self, day: dt.date) -> str:
        named = "，".join(
            f"{entry['file']}（{entry['since']}起）" if entry["since"] else entry["file"]
            for entry in self.rule_files(day)
        )
        return f"{named}；指纹{self.version}"

    @cached_property
    def uses_households(self) -> bool:
        """Does any rule read a household (a 差额, a payment to the head, a prerequisite of the household)?
        A county that pays everything per person skips reading households on every lookup."""
        return any(
            policy.household.to_head
            or "monthly_standard" in policy.parameters
            or any(relation.household for relation in policy.relations.requires)
            for policy in self.policies.values()
        )

    @cached_property
    def _names(self) -> dict[str, str]:
        return {code: policy.name for code, policy in self.policies.items()}

    @cached_property
    def _counts(self) -> dict[str, Counts]:
        """Per programme, whether it counts for a period: made once, read by every line a relation checks."""
        return {code: self._counter(code) for code in self.policies}

    def _counter(self, code: str) -> Counts:
        """Whether programme `code` counts for a period (its own timing, alive and enrolled)."""
        timing = self.policies[code].timing

        def counts(facts: PersonFacts, period: Period) -> bool:
            return timing.alive_for(facts, period) and timing.enrolment(facts, code, period) is not None

        return counts

    def due_on(self, code: str, period: Period) -> dt.date:
        """Return the last day on which a payment for `period` is on time."""
        return _due_on(period, self.policies[code].due_months)

    def hints(self, facts: PersonFacts, today: dt.date) -> list[Hint]:
        return find_hints(facts, today, self.policies)


def _wrong_kind(policy: ProgrammePolicy, period: Period) -> Entitlement:
    return owed(
        0,
        say(
            N_("此项按%(kind)s发放，不按%(asked)s"),
            kind=say(_KIND_ZH[policy.period_kind]),
            asked=say(_KIND_ZH[period.kind]),
        ),
    )


@lru_cache(maxsize=8192)
def _due_on(period: Period, due_months: int) -> dt.date:
    return add_months(period.start_on, due_months) - dt.timedelta(days=1)


_KIND_ZH = {"month": N_("月"), "quarter": N_("季度"), "semester": N_("学期"), "year": N_("年")}


def load_rulebook(
    policy_dir: Path | None = None, overrides: Mapping[str, tuple[str, str]] | None = None
) -> Rulebook:
    """Load and validate every policy file in `policy_dir` (default: the bundled demo policies).

    `overrides` ({code: (file name, text)}, e.g. policies imported into the store) replace files
    of the same programme. Raises PolicyError if any is invalid, names an unknown programme, or a
    programme has no policy.
    """
    folder = policy_dir or DEFAULT_POLICY_DIR
    sources: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        policy = load_policy(path, set(RULES))
        if policy.code in sources:
            raise PolicyError(f"{path.name}: programme {policy.code!r} is defined twice")
        sources[policy.code] = (path.name, policy.source)
    sources.update(overrides or {})
    return load_rulebook_from(sources)


def load_rulebook_from(sources: Mapping[str, tuple[str, str]]) -> Rulebook:
    """Build a rulebook from policy texts {code: (file name, text)}; raise PolicyError if any is wrong."""
    policies: dict[str, ProgrammePolicy] = {}
    for code, (name, text) in sources.items():
        policy = parse_policy(text, name, set(RULES))
        if policy.code != code:
            raise PolicyError(f"{name}: declares programme {policy.code!r}, expected {code!r}")
        policies[code] = policy
    missing = [code for code in CORE if code not in policies]
    if missing:
        raise PolicyError(f"no policy file for: {', '.join(missing)}")
    for code, policy in policies.items():
        unknown = sorted(policy.relations.codes() - set(policies))
        if unknown:
            raise PolicyError(f"{sources[code][0]}: relations name unknown programmes: {', '.join(unknown)}")
        problem = shape_problem(policy)
        if problem is not None:
            raise PolicyError(f"{sources[code][0]}: {problem}")
    ordered = {code: policies[code] for code in [*CORE, *sorted(set(policies) - set(CORE))]}
    return Rulebook(ordered, rule_version(ordered))

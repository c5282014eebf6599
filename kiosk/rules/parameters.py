"""Dated policy parameters loaded from TOML: values, units and legal references.

`Parameter.at(day)` returns the value in force on that day (OpenFisca's idea, with
integer fen instead of floats). Files are validated before use; any problem is a
PolicyError naming the file and parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.rules.disclosure import DisclosureError, DisclosureRule, parse_disclosure
from kiosk.rules.relations import RelationError, Relations, parse_relations
from kiosk.rules.timing import Timing, TimingError, parse_timing

Value = int | Mapping[str, int]

UNITS = {"fen", "fen_per_mu", "years", "months"}
PAYS = ("each", "head")  # [household] pays: to each member, or the whole household's amount to its head
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
PERIOD_KINDS = {"month", "quarter", "semester", "year"}


class PolicyError(ValueError):
    """Raised when a policy file is malformed, incomplete or contradicts itself."""


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter, in force from `start_on` until the next one starts."""

    start_on: dt.date
    value: Value
    reference: str
    decided_on: dt.date | None = None  # a rise decided after it took effect (back-paid by backpay_by)
    backpay_by: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named policy parameter: its unit and its dated values, oldest first."""

    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    # Entitlements built from this parameter, keyed by what their wording depends on. It lives and dies
    # with the parameter, so a reloaded rulebook never sees another's entries.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def at(self, day: dt.date) -> DatedValue:
        """Return the value in force on `day`.

        Raises PolicyError if `day` is before the first value.
        """
        current = None
        for dated in self.values:
            if dated.start_on <= day:
                current = dated
            else:
                break
        if current is None:
            raise PolicyError(f"{self.name}: no value in force on {day.isoformat()}")
        return current

    def previous(self, dated: DatedValue) -> DatedValue | None:
        """Return the value that `dated` replaced, if any."""
        index = self.values.index(dated)
        return self.values[index - 1] if index else None


@dataclass(frozen=True, slots=True)
class HouseholdPayment:
    """`[household]`: whether the programme pays each member, or the household's whole amount to its head
    (户主) — a county's practice for 低保, farmland or forest — with the rule that says so."""

    pays: str = "each"
    reference: str = ""

    @property
    def to_head(self) -> bool:
        return self.pays == "head"


@dataclass(frozen=True, slots=True)
class AssetLimits:
    """`[assets]`: how many vehicles, properties and businesses a household may hold and still receive the
    programme (the supervision checks flag more), with the rule that says so."""

    vehicles: int
    properties: int
    businesses: int
    reference: str

    def limit(self, kind: str) -> int:
        return {"vehicle": self.vehicles, "property": self.properties, "business": self.businesses}[kind]


@dataclass(frozen=True, slots=True)
class ProgrammePolicy:
    """A programme's metadata and parameters as read from its policy file."""

    code: str
    name: str
    department: str
    period_kind: str
    due_months: int
    note: str
    parameters: Mapping[str, Parameter]
    source: str
    # language → {"name", "department", "note": text; "references": {Chinese reference: its translation}}
    translations: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing)  # when a right begins and ends (kiosk.rules.timing)
    relations: Relations = field(
        default_factory=Relations
    )  # exclusions, prerequisites (kiosk.rules.relations)
    rule: str = ""  # the rule function computing it (kiosk.rules.programmes.RULES); by default its code
    file_name: str = ""  # the policy file it came from, named in the rule version
    household: HouseholdPayment = field(default_factory=HouseholdPayment)
    disclosure: DisclosureRule | None = None  # what it makes public (公示), if anything
    assets: AssetLimits | None = None  # what a household may own and still receive it (for the checks)

    def in_force_on(self, day: dt.date) -> dt.date | None:
        """The latest start among the values in force on `day` (when this file's rules last changed)."""
        starts = [
            dated.start_on for p in self.parameters.values() for dated in p.values if dated.start_on <= day
        ]
        return max(starts) if starts else None

    def term(self, language: str, field_name: str, chinese: str) -> str | None:
        """`chinese` (this programme's name, department, note or a reference) in `language`, if the file says."""
        words = self.translations.get(language, {})
        if field_name == "reference":
            references = words.get("references", {})
            found = references.get(chinese) if isinstance(references, dict) else None
        else:
            found = words.get(field_name)
        return found if isinstance(found, str) else None

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]


def _check_value(where: str, unit: str, raw: object) -> Value:
    if isinstance(raw, bool) or not isinstance(raw, (int, dict)):
        raise PolicyError(f"{where}: value must be an integer (fen) or a table of integers")
    if isinstance(raw, dict):
        if not raw or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
            raise PolicyError(f"{where}: every value in the table must be an integer")
        if any(v < 0 for v in raw.values()):
            raise PolicyError(f"{where}: values must not be negative")
        return {str(k): int(v) for k, v in raw.items()}
    if raw < 0:
        raise PolicyError(f"{where}: value must not be negative")
    return raw


def _decision(
    spot: str, entry: Mapping[str, object], start: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """A value's decision date and the date its back-pay is due by: a standard decided in April that takes
    effect from January is owed from January, but what January–March lack is arrears to come until then."""
    decided, backpay_by = entry.get("decided"), entry.get("backpay_by")
    for key, day in (("decided", decided), ("backpay_by", backpay_by)):
        if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
            raise PolicyError(f"{spot}: {key} must be a date such as 2025-04-15")
    if decided is None:
        if backpay_by is not None:
            raise PolicyError(f"{spot}: backpay_by needs the date the value was decided (decided = …)")
        return None, None
    assert isinstance(decided, dt.date)  # noqa: S101 - checked above
    if decided <= start:
        return None, None  # decided before it took effect: nothing to back-pay
    if not isinstance(backpay_by, dt.date) or backpay_by < decided:
        raise PolicyError(
            f"{spot}: decided after its start, it needs backpay_by, on or after {decided.isoformat()}"
        )
    return decided, backpay_by


def _load_parameter(where: str, name: str, raw: Mapping[str, object]) -> Parameter:
    unit = raw.get("unit")
    if unit not in UNITS:
        raise PolicyError(f"{where}.{name}: unit must be one of {sorted(UNITS)}, not {unit!r}")
    entries = raw.get("values")
    if not isinstance(entries, list) or not entries:
        raise PolicyError(f"{where}.{name}: at least one dated value is required")
    values = []
    for position, entry in enumerate(entries, start=1):
        spot = f"{where}.{name} value {position}"
        if not isinstance(entry, dict):
            raise PolicyError(f"{spot}: must be a table with start, value and reference")
        start = entry.get("start")
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise PolicyError(f"{spot}: start must be a date such as 2025-04-01")
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise PolicyError(f"{spot}: a legal reference is required")
        decided, backpay_by = _decision(spot, entry, start)
        values.append(
            DatedValue(
                start,
                _check_value(spot, str(unit), entry.get("value")),
                reference.strip(),
                decided,
                backpay_by,
            )
        )
    starts = [v.start_on for v in values]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise PolicyError(f"{where}.{name}: dates must be in order with no two values starting on one day")
    return Parameter(name, str(raw.get("description", name)), str(unit), tuple(values))


def load_policy(path: Path, known_codes: set[str] | None = None) -> ProgrammePolicy:
    """Read and validate one programme's policy file (see parse_policy; `known_codes`: the rules known)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path.name}: cannot read policy file: {error}") from None
    return parse_policy(text, path.name, known_codes)


def parse_policy(text: str, where: str, known_codes: set[str] | None = None) -> ProgrammePolicy:
    """Validate one programme's policy text; `where` names it in errors. `known_codes` are the rules the
    engine has: a programme is computed by the rule its file names (`rule = "dibao"` for a county's urban
    低保 `dibao_urban`), by default the one of its own code.

    Raises PolicyError naming the file for syntax errors, unknown programmes,
    missing fields, unordered or overlapping dates and missing references.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{where}: cannot read policy file: {error}") from None
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        raise PolicyError(f"{where}: missing programme code")
    if not _CODE.match(code):
        raise PolicyError(f"{where}: programme code {code!r}: use 2–32 lower-case letters, digits or _")
    rule = raw.get("rule", code)
    if not isinstance(rule, str):
        raise PolicyError(f'{where}: rule must name a rule such as "dibao"')
    if known_codes is not None and rule not in known_codes:
        if "rule" in raw:
            raise PolicyError(f"{where}: unknown rule {rule!r} (one of: {', '.join(sorted(known_codes))})")
        raise PolicyError(
            f"{where}: unknown programme code {code!r}: to compute it as a known programme is, "
            f"name that one's rule (rule = one of: {', '.join(sorted(known_codes))})"
        )
    for key in ("name", "department", "period", "note"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise PolicyError(f"{where}: missing {key}")
    if raw["period"] not in PERIOD_KINDS:
        raise PolicyError(f"{where}: period must be one of {sorted(PERIOD_KINDS)}")
    due_months = raw.get("due_months", 1)
    if not isinstance(due_months, int) or isinstance(due_months, bool) or not 1 <= due_months <= 24:
        raise PolicyError(f"{where}: due_months must be a whole number from 1 to 24")
    params_raw = raw.get("parameters", {} if rule == "record" else None)  # a register has no amounts
    if not isinstance(params_raw, dict) or (not params_raw and rule != "record"):
        raise PolicyError(f"{where}: no parameters")
    parameters = {name: _load_parameter(where, name, body) for name, body in params_raw.items()}
    translations = _translations(where, raw.get("translations", {}))
    try:
        timing = parse_timing(raw.get("timing"), raw["period"])
        relations = parse_relations(raw.get("relations"))
        disclosure = parse_disclosure(raw.get("disclosure"))
    except (TimingError, RelationError, DisclosureError) as error:
        raise PolicyError(f"{where}: {error}") from None
    household = _household(where, raw.get("household"))
    assets = _assets(where, raw.get("assets"))
    if code in relations.codes():
        raise PolicyError(f"{where}: relations: a programme cannot exclude or require itself")
    return ProgrammePolicy(
        code=code,
        name=raw["name"],
        department=raw["department"],
        period_kind=raw["period"],
        due_months=due_months,
        note=raw["note"],
        parameters=parameters,
        source=text,
        translations=translations,
        timing=timing,
        relations=relations,
        rule=rule,
        file_name=where,
        household=household,
        disclosure=disclosure,
        assets=assets,
    )


def _assets(where: str, raw: object) -> AssetLimits | None:
    """`[assets]`: vehicles, properties, businesses (whole numbers, each optional, default none allowed:
    0 vehicles, 1 home, 0 businesses), with its reference."""
    if raw is None:
        return None
    allowed = {"vehicles": 0, "properties": 1, "businesses": 0}
    if not isinstance(raw, dict) or set(raw) - {*allowed, "reference"}:
        raise PolicyError(
            f'{where}: assets must be a table of vehicles, properties, businesses and reference = "…"'
        )
    for key in allowed:
        value = raw.get(key, allowed[key])
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PolicyError(f"{where}: assets.{key} must be a whole number (0 or more)")
        allowed[key] = value
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise PolicyError(f'{where}: assets: a legal reference is required (reference = "…")')
    return AssetLimits(allowed["vehicles"], allowed["properties"], allowed["businesses"], reference.strip())


def _household(where: str, raw: object) -> HouseholdPayment:
    """`[household]`: pays = "each" | "head", with its reference."""
    if raw is None:
        return HouseholdPayment()
    if not isinstance(raw, dict) or set(raw) - {"pays", "reference"}:
        raise PolicyError(f'{where}: household must be a table: pays = "each" or "head", reference = "…"')
    pays = raw.get("pays", "each")
    if pays not in PAYS:
        raise PolicyError(f"{where}: household.pays must be one of {', '.join(PAYS)}, not {pays!r}")
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise PolicyError(f'{where}: household: a legal reference is required (reference = "…")')
    return HouseholdPayment(str(pays), reference.strip())


def _translations(where: str, raw: object) -> dict[str, dict[str, object]]:
    """`[translations.LANG]`: name, department, note, and a `references` table (Chinese → translation)."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: translations must be a table of languages")
    found: dict[str, dict[str, object]] = {}
    for language, words in raw.items():
        if not isinstance(words, dict):
            raise PolicyError(f"{where}: translations.{language} must be a table")
        for key, value in words.items():
            if key == "references":
                if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                    raise PolicyError(
                        f"{where}: translations.{language}.references must map each reference to text"
                    )
            elif key not in ("name", "department", "note") or not isinstance(value, str):
                raise PolicyError(
                    f"{where}: translations.{language}.{key}: only name, department, note, references"
                )
        found[str(language)] = dict(words)
    return found


def rule_version(policies: Mapping[str, ProgrammePolicy]) -> str:
    """Return a short fingerprint of the policy texts in force, for evidence snapshots (the files and the
    dates of their values in force are `Rulebook.rule_files`)."""
    digest = hashlib.sha256()
    for code in sorted(policies):
        digest.update(code.encode())
        digest.update(policies[code].source.encode())
    return digest.hexdigest()[:12]

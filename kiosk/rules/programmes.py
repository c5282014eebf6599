"""One plain function per programme: (facts, period, policy) -> Entitlement.

When a right begins and ends, and the day its facts are read, is the programme's timing
(kiosk.rules.timing, from its policy file's `[timing]`; by default the facts as they stand on
the period's first day). Every function explains its answer in words a villager can read, with a
legal reference — on a line that owes nothing too, when the file states its timing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from kiosk.core.i18n import N_, Day, Message, Month, Yuan, say
from kiosk.core.money import format_quantity, multiply_fen
from kiosk.rules.facts import Enrolment, Household, HouseholdIncome, PersonFacts
from kiosk.rules.parameters import DatedValue, Parameter, ProgrammePolicy
from kiosk.rules.periods import Period, add_months
from kiosk.rules.timing import reached_on


@dataclass(frozen=True, slots=True)
class Entitlement:
    """What is owed for one programme and period, and why.

    `explanation` is one line: the computation when something is owed, the reason
    when nothing is. `change_note` tells of a standard that changed this year.
    """

    amount_fen: int
    explanation: str
    reference: str = ""
    change_note: str | None = None
    message: Message | None = None  # `explanation` with its parts, for other languages
    change: Message | None = None  # `change_note`'s
    # A standard raised after the period (decided on, owed under the old one, back-paid by): a payment
    # at the old standard is arrears to come until then, not an underpayment.
    backpay: tuple[int, dt.date, dt.date] | None = None
    source: str = ""  # which value decided it: "monthly_by_category@2025-07-01" (its programme's file)
    # What a household payment to the head is built from (kiosk.rules.households): ("per_mu", area, rate),
    # ("chae", standard, income, per-capita 差额, add-on name, add-on fen, exit month or 0), ("flat", name).
    basis: tuple = ()
    to_head: bool = False  # a member's share, paid to the household's head (the line says so; owes nothing)


def _pick(value: object, key: str | None) -> int | None:
    if isinstance(value, dict):
        return value.get(key) if key is not None else None
    return value  # type: ignore[return-value]


def _change_note(
    parameter: Parameter, dated: DatedValue, period: Period, key: str | None, per: str
) -> Message | None:
    """Describe a change of standard that took effect in the period's year, if any."""
    if dated.start_on.year != period.year:
        return None
    previous = parameter.previous(dated)
    if previous is None:
        return None
    old, new = _pick(previous.value, key), _pick(dated.value, key)
    if old is None or new is None or old == new:
        return None
    return say(_CHANGE[per], month=Month(dated.start_on), old=Yuan(old), new=Yuan(new))


_CHANGE = {
    "每月": N_("%(month)s起每月标准由%(old)s元调整为%(new)s元"),
    "每学期": N_("%(month)s起每学期标准由%(old)s元调整为%(new)s元"),
    "每亩": N_("%(month)s起每亩标准由%(old)s元调整为%(new)s元"),
}
_AMOUNT = {"每月": N_("%(what)s，每月%(amount)s元"), "每学期": N_("%(what)s，每学期%(amount)s元")}


def owed(amount: int, message: Message, reference: str = "", change: Message | None = None) -> Entitlement:
    """An entitlement explained by `message` (its Chinese kept as `explanation` for every older caller)."""
    return Entitlement(amount, str(message), reference, str(change) if change else None, message, change)


def _not_owed(reason: Message, reference: str = "") -> Entitlement:
    return owed(0, reason, reference)


def _precheck(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement | Enrolment:
    """The enrolment governing the period, or a zero entitlement when, by the programme's timing, the
    person had died or was not (yet) enrolled for it (one scan of the enrolments serves both)."""
    timing = policy.timing
    if facts.death_on is not None and not timing.alive_for(facts, period):
        words = (
            N_("已于%(day)s去世，按规定去世当期不再发放")
            if facts.death_on >= period.start_on
            else N_("已于%(day)s去世，此后不应再发放")
        )
        return _not_owed(say(words, day=Day(facts.death_on)), timing.reference)
    governing = timing.enrolment(facts, policy.code, period)
    if governing is None:
        waiting = timing.starting_in(facts, policy.code, period)
        if waiting is not None:  # approved within the period: the timing says from when
            return _not_owed(say(_FROM_NEXT[period.kind], day=Day(waiting.start_on)), timing.reference)
        return _not_owed(say(N_("%(period)s未登记享受此项"), period=period.label), timing.reference)
    return governing


_FROM_NEXT = {  # a right that begins within a period but counts from the next one
    "month": N_("%(day)s起享受此项，按规定次月起发放"),
    "quarter": N_("%(day)s起享受此项，按规定下一季度起发放"),
    "semester": N_("%(day)s起享受此项，按规定下学期起发放"),
    "year": N_("%(day)s起享受此项，按规定次年起发放"),
}


def _amount_from(
    parameter: Parameter, period: Period, key: str | None, per: str, describe: Message
) -> Entitlement:
    dated = parameter.at(period.start_on)
    decided_later = dated.decided_on is not None and period.start_on < dated.decided_on
    memo_key = (dated.start_on, key, per, describe, period.year, decided_later)
    cached = parameter.memo.get(memo_key)
    if cached is not None:
        return cached
    amount = _pick(dated.value, key)
    if amount is None:
        entitlement = _not_owed(say(N_("%(what)s不在补助范围内"), what=describe))
    else:
        entitlement = owed(
            amount,
            say(_AMOUNT[per], what=describe, amount=Yuan(amount)),
            dated.reference,
            _change_note(parameter, dated, period, key, per),
        )
        entitlement = dataclasses.replace(
            entitlement, source=f"{parameter.name}@{dated.start_on.isoformat()}"
        )
        previous = parameter.previous(dated)
        old = _pick(previous.value, key) if previous is not None else None
        if decided_later and old is not None and old < amount and dated.decided_on and dated.backpay_by:
            entitlement = dataclasses.replace(entitlement, backpay=(old, dated.decided_on, dated.backpay_by))
    parameter.memo[memo_key] = entitlement
    return entitlement


def pension_basic(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the basic pension to insured persons aged 60 or more on the month's first day."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    age_rule = policy["min_age"].at(period.start_on)
    min_age = int(age_rule.value)  # type: ignore[arg-type]
    reached = reached_on(facts.birth_on, min_age)
    if not policy.timing.reaches(reached, period):
        if reached <= period.end_on:  # reached within the period: the timing says from when
            return _not_owed(
                say(N_("%(day)s年满%(age)s周岁，按规定次月起发放"), day=Day(reached), age=min_age)
                if policy.timing.age == "next_period"
                else say(N_("%(period)s初未满%(age)s周岁"), period=period.label, age=min_age),
                policy.timing.reference or age_rule.reference,
            )
        return _not_owed(
            say(N_("%(period)s初未满%(age)s周岁"), period=period.label, age=min_age), age_rule.reference
        )
    return _amount_from(policy["monthly_amount"], period, None, "每月", say(N_("基础养老金")))


def elderly_allowance(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the allowance of the highest age band the person has reached."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    parameter = policy["monthly_by_age"]
    bands = parameter.at(period.start_on).value
    age = facts.age_on(period.start_on)
    reached = [
        int(low)
        for low in bands  # type: ignore[union-attr]
        if policy.timing.reaches(reached_on(facts.birth_on, int(low)), period)
    ]
    if not reached:
        lowest = min(int(b) for b in bands)  # type: ignore[union-attr]
        return _not_owed(
            say(
                N_("%(period)s初%(age)s周岁，未满%(lowest)s周岁"), period=period.label, age=age, lowest=lowest
            )
        )
    band = str(max(reached))
    entitlement = _amount_from(
        parameter, period, band, "每月", say(N_("年满%(band)s周岁（现%(age)s周岁）"), band=band, age=age)
    )
    lower = [int(low) for low in bands if int(low) < int(band)]  # type: ignore[union-attr]
    turned = reached_on(facts.birth_on, int(band))
    if lower and turned.year == period.year and entitlement.amount_fen:  # a new band this year: say from what
        old = _pick(bands, str(max(lower)))
        if old is not None and old != entitlement.amount_fen:
            change = say(
                N_("%(day)s年满%(band)s周岁，每月标准由%(old)s元调整为%(new)s元"),
                day=Day(turned),
                band=band,
                old=Yuan(old),
                new=Yuan(entitlement.amount_fen),
            )
            entitlement = dataclasses.replace(entitlement, change_note=str(change), change=change)
    return entitlement


def dibao(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe 低保 in the shape the county's file uses: a flat monthly amount per category
    (`monthly_by_category`, as many Guizhou counties pay it), or the household 差额 (`monthly_standard`:
    the standard less the household's verified per-capita income, per member, plus any add-on of the
    member's category, and a gradual exit while a risen income is new)."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    category = enrolled.category or ""
    if "monthly_standard" in policy.parameters:
        return _chae(facts, period, policy, category)
    entitlement = _amount_from(
        policy["monthly_by_category"],
        period,
        category,
        "每月",
        say(N_("低保%(category)s类"), category=category),
    )
    return (
        dataclasses.replace(entitlement, basis=("flat", category)) if entitlement.amount_fen else entitlement
    )


def _chae(facts: PersonFacts, period: Period, policy: ProgrammePolicy, category: str) -> Entitlement:
    """One member's 低保 差额 for a month: (standard − household per-capita income) + the category's add-on."""
    standard_rule = policy["monthly_standard"].at(period.start_on)
    standard = int(standard_rule.value)  # type: ignore[arg-type]
    household = facts.household
    read_on = policy.timing.read_day(period)
    income = household.income_on(read_on) if household is not None else None
    if income is None:
        return _not_owed(
            say(N_("未登记家庭收入核定，无法按差额计算，请咨询县民政局")), standard_rule.reference
        )
    sources = [f"monthly_standard@{standard_rule.start_on.isoformat()}"]
    references = [standard_rule.reference]
    exit_month = 0
    if income.per_capita_fen < standard:
        per_capita = standard - income.per_capita_fen
        message = say(
            N_("家庭人均收入%(income)s元，低于标准%(standard)s元，按差额每人%(per)s元"),
            income=Yuan(income.per_capita_fen),
            standard=Yuan(standard),
            per=Yuan(per_capita),
        )
    else:
        kept = _gradual_exit(household, income, standard, period, policy)  # type: ignore[arg-type]
        if kept is None:
            return _not_owed(
                say(
                    N_("家庭人均收入%(income)s元，不低于标准%(standard)s元"),
                    income=Yuan(income.per_capita_fen),
                    standard=Yuan(standard),
                ),
                standard_rule.reference,
            )
        per_capita, exit_month, months, exit_rule = kept
        if exit_month == 0:
            return _not_owed(
                say(
                    N_("家庭人均收入%(income)s元，高于标准%(standard)s元，%(months)s个月渐退期已满"),
                    income=Yuan(income.per_capita_fen),
                    standard=Yuan(standard),
                    months=months,
                ),
                exit_rule.reference,
            )
        sources.append(f"gradual_exit_months@{exit_rule.start_on.isoformat()}")
        references.append(exit_rule.reference)
        message = say(
            N_(
                "家庭人均收入%(income)s元，已高于标准%(standard)s元；渐退期第%(month)s个月（共%(months)s个月），按原差额每人%(per)s元继续发放"
            ),
            income=Yuan(income.per_capita_fen),
            standard=Yuan(standard),
            month=exit_month,
            months=months,
            per=Yuan(per_capita),
        )
    addon = 0
    if category and "monthly_addon_by_category" in policy.parameters:
        addon_rule = policy["monthly_addon_by_category"].at(period.start_on)
        found = _pick(addon_rule.value, category)
        if found:
            addon = found
            sources.append(f"monthly_addon_by_category@{addon_rule.start_on.isoformat()}")
            references.append(addon_rule.reference)
            message = say(
                N_("%(base)s；另加%(category)s每月%(addon)s元，共%(total)s元"),
                base=message,
                category=category,
                addon=Yuan(addon),
                total=Yuan(per_capita + addon),
            )
    entitlement = owed(per_capita + addon, message, "；".join(dict.fromkeys(references)))
    return dataclasses.replace(
        entitlement,
        source="+".join(sources),
        basis=(
            "chae",
            standard,
            income.per_capita_fen,
            per_capita,
            category if addon else "",
            addon,
            exit_month,
        ),
    )


def _gradual_exit(
    household: Household, income: HouseholdIncome, standard: int, period: Period, policy: ProgrammePolicy
) -> tuple[int, int, int, DatedValue] | None:
    """While a household's income has newly risen to the standard or above, the file's
    `gradual_exit_months` keep its last 差额 for that many months (渐退). Returns (the kept per-capita 差额,
    which month of the exit this is — 0 once it is over —, the exit's length, its rule), or None when the
    file has no gradual exit or the household was never below the standard."""
    if "gradual_exit_months" not in policy.parameters:
        return None
    exit_rule = policy["gradual_exit_months"].at(period.start_on)
    months = int(exit_rule.value)  # type: ignore[arg-type]
    earlier = [i for i in household.incomes if i.verified_on < income.verified_on]
    rose = income
    for record in reversed(earlier):  # back to the first of the run of incomes at or above the standard
        if record.per_capita_fen < standard:
            break
        rose = record
    below = [i for i in earlier if i.verified_on < rose.verified_on]
    if not below or below[-1].per_capita_fen >= standard:
        return None
    first = rose.verified_on if rose.verified_on.day == 1 else add_months(rose.verified_on.replace(day=1), 1)
    month = (period.start_on.year - first.year) * 12 + period.start_on.month - first.month + 1
    return standard - below[-1].per_capita_fen, (month if month <= months else 0), months, exit_rule


_SETTINGS = ("集中", "分散")  # 特困 support in an institution (集中供养) or at home (分散供养)


def _setting_and_level(category: str) -> tuple[str, str]:
    """A 特困 enrolment's category: its self-care level, its setting, or both as "分散/全自理"."""
    setting = level = ""
    for part in category.split("/"):
        part = part.strip()
        if part in _SETTINGS:
            setting = part
        elif part:
            level = part
    return setting, level


def tekun(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the monthly basic-living standard to persons in 特困 support — one amount, or by setting
    (`monthly_by_setting`: 集中 or 分散) — plus, where the county's file has `monthly_care_by_level`,
    the care standard of the person's self-care ability. The enrolment's category names them:
    "全自理", "分散", or both ("分散/全失能")."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    setting, level = _setting_and_level(enrolled.category or "")
    if "monthly_by_setting" in policy.parameters:
        if not setting:
            return _not_owed(
                say(N_("特困供养：未登记集中或分散供养，无法确定标准")),
                policy["monthly_by_setting"].values[-1].reference,
            )
        basic = _amount_from(
            policy["monthly_by_setting"],
            period,
            setting,
            "每月",
            say(N_("特困供养（%(setting)s供养）"), setting=setting),
        )
    else:
        basic = _amount_from(policy["monthly_amount"], period, None, "每月", say(N_("特困供养")))
    if "monthly_care_by_level" not in policy.parameters or not basic.amount_fen:
        return basic
    parameter = policy["monthly_care_by_level"]
    dated = parameter.at(period.start_on)
    care = _pick(dated.value, level)
    if care is None:
        return _not_owed(
            say(N_("特困供养：自理能力“%(level)s”不在照料护理标准中"), level=level), dated.reference
        )
    message = say(
        N_(
            "特困供养（%(setting)s供养）：基本生活每月%(basic)s元，加%(level)s照料护理每月%(care)s元，共%(total)s元"
        )
        if setting
        else N_("特困供养：基本生活每月%(basic)s元，加%(level)s照料护理每月%(care)s元，共%(total)s元"),
        setting=setting,
        basic=Yuan(basic.amount_fen),
        level=level,
        care=Yuan(care),
        total=Yuan(basic.amount_fen + care),
    )
    return dataclasses.replace(
        basic,
        amount_fen=basic.amount_fen + care,
        explanation=str(message),
        message=message,
        reference=f"{basic.reference}；{dated.reference}",
        source=f"{basic.source}+{parameter.name}@{dated.start_on.isoformat()}",
        backpay=None,
    )


def _grade(enrolled: Enrolment) -> str:
    quantity = enrolled.quantity
    return str(int(quantity)) if quantity is not None else "?"


_GRADE_ZH = {
    "1": N_("残疾等级一级"),
    "2": N_("残疾等级二级"),
    "3": N_("残疾等级三级"),
    "4": N_("残疾等级四级"),
}


def _by_grade(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    grade = _grade(enrolled)
    describe = say(_GRADE_ZH[grade]) if grade in _GRADE_ZH else say(N_("残疾等级%(grade)s级"), grade=grade)
    return _amount_from(policy["monthly_by_grade"], period, grade, "每月", describe)


def disability_living(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the living allowance by the certificate grade held on the month's first day."""
    return _by_grade(facts, period, policy)


def disability_care(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the care allowance by grade; grades absent from its table (3 and 4) are owed nothing."""
    return _by_grade(facts, period, policy)


def _per_mu(facts: PersonFacts, period: Period, policy: ProgrammePolicy, land: str) -> Entitlement:
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    area = enrolled.quantity or Decimal(0)
    parameter = policy["rate_per_mu"]
    dated = parameter.at(period.start_on)
    rate = dated.value
    amount = multiply_fen(area, rate)  # type: ignore[arg-type]
    entitlement = owed(
        amount,
        say(_PER_MU[land], area=format_quantity(area), rate=Yuan(rate), amount=Yuan(amount)),  # type: ignore[arg-type,unused-ignore]
        dated.reference,
        _change_note(parameter, dated, period, None, "每亩"),
    )
    return dataclasses.replace(
        entitlement, source=f"{parameter.name}@{dated.start_on.isoformat()}", basis=("per_mu", area, rate)
    )


_PER_MU = {
    "承包耕地": N_("承包耕地%(area)s亩 × %(rate)s元/亩 = %(amount)s元"),
    "公益林": N_("公益林%(area)s亩 × %(rate)s元/亩 = %(amount)s元"),
}


def farmland(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the year's rate times the contracted farmland area held on 1 January."""
    return _per_mu(facts, period, policy, "承包耕地")


def forest(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the year's rate times the public-benefit forest area held on 1 January."""
    return _per_mu(facts, period, policy, "公益林")


_STAGE_ZH = {"preschool": N_("学前教育"), "primary": N_("小学"), "junior": N_("初中"), "senior": N_("高中")}


def education(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe the semester grant of the pupil's school stage."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    stage = enrolled.category or ""
    describe = say(_STAGE_ZH[stage]) if stage in _STAGE_ZH else say("%(stage)s", stage=stage)
    return _amount_from(policy["semester_by_stage"], period, stage, "每学期", describe)


def record(facts: PersonFacts, period: Period, policy: ProgrammePolicy) -> Entitlement:
    """Owe nothing: a register the county holds only so other programmes can be related to it (an
    enterprise pension, which excludes the residents' basic pension). A payment under it is shown, and
    owes nothing here."""
    if isinstance(enrolled := _precheck(facts, period, policy), Entitlement):
        return enrolled
    return _not_owed(say(N_("此项仅作登记，本系统不计算金额")), policy.timing.reference)


Rule = Callable[[PersonFacts, Period, ProgrammePolicy], Entitlement]

RULES: dict[str, Rule] = {
    "pension_basic": pension_basic,
    "elderly_allowance": elderly_allowance,
    "dibao": dibao,
    "tekun": tekun,
    "disability_living": disability_living,
    "disability_care": disability_care,
    "farmland": farmland,
    "forest": forest,
    "education": education,
    "record": record,
}
CORE = tuple(code for code in RULES if code != "record")  # every county's rulebook has these programmes

# The parameters each rule reads: one set of each tuple's alternatives is required, the rest optional.
SHAPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "pension_basic": (("min_age",), ("monthly_amount",)),
    "elderly_allowance": (("monthly_by_age",),),
    "dibao": (("monthly_by_category", "monthly_standard"),),
    "tekun": (("monthly_amount", "monthly_by_setting"),),
    "disability_living": (("monthly_by_grade",),),
    "disability_care": (("monthly_by_grade",),),
    "farmland": (("rate_per_mu",),),
    "forest": (("rate_per_mu",),),
    "education": (("semester_by_stage",),),
    "record": (),
}
OPTIONAL = {
    "dibao": {"monthly_addon_by_category", "gradual_exit_months"},
    "tekun": {"monthly_care_by_level"},
}
HOUSEHOLD_RULES = {"dibao", "farmland", "forest"}  # may be paid to the household's head ([household] pays)


def shape_problem(policy: ProgrammePolicy) -> str | None:
    """What is wrong with the parameters a policy gives its rule, in words for its author; None if right."""
    names = set(policy.parameters)
    known: set[str] = set(OPTIONAL.get(policy.rule, set()))
    for alternatives in SHAPES[policy.rule]:
        given = [name for name in alternatives if name in names]
        known.update(alternatives)
        if not given:
            return f"rule {policy.rule!r} needs parameters.{' or parameters.'.join(alternatives)}"
        if len(given) > 1:
            return f"give one of parameters.{' or parameters.'.join(alternatives)}, not both"
    unknown = sorted(names - known)
    if unknown:
        return f"rule {policy.rule!r} does not read parameters.{', parameters.'.join(unknown)}"
    if "monthly_standard" in names:
        if policy.period_kind != "month":
            return 'a household 差额 (monthly_standard) is paid by the month: period = "month"'
        if policy["monthly_standard"].unit != "fen":
            return 'monthly_standard: unit must be "fen"'
    if "gradual_exit_months" in names and policy["gradual_exit_months"].unit != "months":
        return 'gradual_exit_months: unit must be "months"'
    if policy.household.to_head and policy.rule not in HOUSEHOLD_RULES:
        return (
            f'household.pays = "head" is for {", ".join(sorted(HOUSEHOLD_RULES))}, not rule {policy.rule!r}'
        )
    return None

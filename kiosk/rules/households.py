"""A programme paid to the household's head (a policy file's `[household] pays = "head"`): the head's line
owes what every member's share adds up to, explained as the household's computation; a member's line owes
nothing and says the head receives it, with the member's share.

Each share is the member's own entitlement, computed by the programme's rule and relations from the
member's facts (a member in 特困 support is no share of the household's 低保), so a household's 低保 is
the sum of its members' shares — the property tests hold it to that. Land is the exception that proves
the rule: the household's whole area is multiplied once, and rounded once, as the county pays it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal

from kiosk.core.i18n import N_, Message, Yuan, say
from kiosk.core.money import format_quantity, multiply_fen
from kiosk.rules.facts import PersonFacts
from kiosk.rules.parameters import ProgrammePolicy
from kiosk.rules.programmes import Entitlement, owed


def member_line(own: Entitlement, facts: PersonFacts, policy: ProgrammePolicy) -> Entitlement:
    """A member's share, paid to the head: nothing owed here, and the line says who receives it."""
    household = facts.household
    head = household.head_name if household is not None else ""
    message = say(
        N_("此项按户发放，由户主%(head)s领取全户款项（其中您的一份%(share)s元）"),
        head=head,
        share=Yuan(own.amount_fen),
    )
    entitlement = owed(0, message, policy.household.reference)
    return dataclasses.replace(entitlement, source=own.source, to_head=True)


def head_line(shares: list[Entitlement], policy: ProgrammePolicy) -> Entitlement:
    """The head's line: the members' shares summed, explained as the household's computation."""
    paid = [share for share in shares if share.amount_fen > 0]
    total = sum(share.amount_fen for share in paid)
    if not paid:
        return next((share for share in shares if share.explanation), shares[0])
    kinds = {share.basis[0] if share.basis else "" for share in paid}
    sources = "+".join(dict.fromkeys(share.source for share in paid if share.source))
    references = "；".join(
        dict.fromkeys(r for r in (*(s.reference for s in paid), policy.household.reference) if r)
    )
    if kinds == {"per_mu"}:
        message, total = _per_mu(paid, policy)
    elif kinds == {"chae"}:
        message = _chae(paid, total)
    else:
        message = say(
            N_("全户%(count)s人，合计%(total)s元（由户主领取）"), count=len(paid), total=Yuan(total)
        )
    return dataclasses.replace(owed(total, message, references), source=sources)


def _chae(paid: list[Entitlement], total: int) -> Message:
    """ "家庭人均收入180元，低于标准420元，按差额每人240元 × 3人 = 720元；另加老年人1人每月50元；共770元"."""
    _, standard, income, per_capita, _, _, exit_month = paid[0].basis
    people = len(paid)
    if exit_month:
        base = say(
            N_(
                "家庭人均收入%(income)s元，已高于标准%(standard)s元；渐退期第%(month)s个月，按原差额每人%(per)s元 × %(people)s人 = %(sum)s元"
            ),
            income=Yuan(income),
            standard=Yuan(standard),
            month=exit_month,
            per=Yuan(per_capita),
            people=people,
            sum=Yuan(per_capita * people),
        )
    else:
        base = say(
            N_(
                "家庭人均收入%(income)s元，低于标准%(standard)s元，按差额每人%(per)s元 × %(people)s人 = %(sum)s元"
            ),
            income=Yuan(income),
            standard=Yuan(standard),
            per=Yuan(per_capita),
            people=people,
            sum=Yuan(per_capita * people),
        )
    addons: Counter[tuple[str, int]] = Counter((s.basis[4], s.basis[5]) for s in paid if s.basis[5])
    if not addons:
        return base
    for (category, fen), count in sorted(addons.items()):
        base = say(
            N_("%(base)s；另加%(category)s%(count)s人每月%(addon)s元"),
            base=base,
            category=category,
            count=count,
            addon=Yuan(fen),
        )
    return say(N_("%(base)s；共%(total)s元"), base=base, total=Yuan(total))


def _per_mu(paid: list[Entitlement], policy: ProgrammePolicy) -> tuple[Message, int]:
    """The household's whole area at the rate: one multiplication, rounded once, as the county pays it."""
    rate = paid[0].basis[2]
    area = sum((Decimal(share.basis[1]) for share in paid), Decimal(0))
    amount = multiply_fen(area, rate)
    land = "公益林" if policy.rule == "forest" else "承包耕地"
    words = (
        N_("全户公益林%(area)s亩 × %(rate)s元/亩 = %(amount)s元")
        if land == "公益林"
        else N_("全户承包耕地%(area)s亩 × %(rate)s元/亩 = %(amount)s元")
    )
    return say(words, area=format_quantity(area), rate=Yuan(rate), amount=Yuan(amount)), amount

"""The demo county: a seeded, deterministic generator of villages, households, enrolments and a ledger.

Everything is fictional (region code 522799, 示范县). Payments follow the rules,
with the anomalies the product exists to reveal sprinkled in at low rates, and
a cast of featured persons (the demo cards) who show each one for sure.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from device.idnumber import check_character
from kiosk.config import DEMO_PERSON_KEY
from kiosk.rules import Enrolment, PersonFacts, Rulebook, periods_between
from kiosk.rules.periods import add_months
from kiosk.rules.reconcile import Payment
from kiosk.services.staff import add_staff
from kiosk.store import Store

COUNTY_CODE = "522799"
TOWNSHIP = "明白镇"
# The demo's clinic worker: her own ID card is her badge (not on the roster), her PIN is on the panel
_STAFF_FIRST17 = f"{COUNTY_CODE}19850315522"
DEMO_STAFF_ID = _STAFF_FIRST17 + check_character(_STAFF_FIRST17)
DEMO_STAFF_PIN = "482915"
VILLAGES = (("石桥村", "001"), ("河坝村", "002"), ("青山村", "003"), ("新寨村", "004"), ("龙井村", "005"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "明华国建军平志伟英秀兰玉珍芳桂红丽春海燕德福贵荣昌文武成林山水云龙凤金银宝顺发强勇刚杰涛斌超波辉鹏"


@dataclass
class _Person:
    id: int
    id_number: str
    name: str
    gender: str
    birth_on: dt.date
    village_code: str
    household: str
    death_on: dt.date | None = None
    account: str = ""
    enrolments: list[Enrolment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


class _Ids:
    """Mint unique, valid ID numbers for the demo county."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def mint(self, birth_on: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{COUNTY_CODE}{birth_on:%Y%m%d}{seq:03d}"
            number = first17 + check_character(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _birth(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    age_days = rng.randint(low * 365 + 1, high * 365 + 300)
    return today - dt.timedelta(days=age_days)


def _birthday(born: dt.date, age: int) -> dt.date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return dt.date(born.year + age, 3, 1)


class DemoCounty:
    """Build the demo county for `today` from `seed`; same inputs give the same database."""

    def __init__(self, rulebook: Rulebook, *, today: dt.date, seed: int = 2025, persons: int = 2000) -> None:
        self.rulebook = rulebook
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible fictional county, not a secret
        self.ids = _Ids(self.rng)
        self.target = persons
        self.people: list[_Person] = []
        self.cards: list[tuple[str, str, str]] = []  # (id_number, label, card kind)
        self.ledger_from = dt.date(today.year - 3, 1, 1)

    # -- people -----------------------------------------------------------------
    def _add(
        self,
        name: str,
        gender: str,
        born: dt.date,
        village: str,
        household: str,
        death_on: dt.date | None = None,
    ) -> _Person:
        person = _Person(
            len(self.people) + 1,
            self.ids.mint(born, gender),
            name,
            gender,
            born,
            village,
            household,
            death_on,
        )
        person.account = f"62179901{person.id:011d}"
        self.people.append(person)
        return person

    def _enrol(
        self,
        person: _Person,
        code: str,
        start_on: dt.date,
        end_on: dt.date | None = None,
        category: str | None = None,
        quantity: str | None = None,
    ) -> None:
        person.enrolments.append(
            Enrolment(code, start_on, end_on, category, Decimal(quantity) if quantity is not None else None)
        )

    def _standard_enrolments(self, person: _Person, *, head: bool, poor: str | None) -> None:
        """Enrol a person in what their age and household make them eligible for (mostly)."""
        rng, today = self.rng, self.today
        age = (today - person.birth_on).days // 365
        since = dt.date(2015, 1, 1)
        if age >= 45 and rng.random() < 0.93:
            self._enrol(person, "pension_basic", since)
        if age >= 80 and rng.random() < 0.9:
            start = add_months(_birthday(person.birth_on, 80), 1)
            self._enrol(person, "elderly_allowance", max(start, since))
        if poor:
            self._enrol(person, "dibao", dt.date(2022, 1, 1), category=poor)
        if rng.random() < 0.03:
            grade = rng.choice("1234")
            if poor:
                self._enrol(person, "disability_living", dt.date(2021, 6, 1), quantity=grade)
            if grade in "12":
                self._enrol(person, "disability_care", dt.date(2021, 6, 1), quantity=grade)
        if head:
            self._enrol(person, "farmland", dt.date(2016, 1, 1), quantity=f"{rng.randint(8, 60) / 10:.1f}")
            if rng.random() < 0.4:
                self._enrol(
                    person, "forest", dt.date(2016, 1, 1), quantity=f"{rng.randint(20, 300) / 10:.1f}"
                )
        if 6 <= age <= 17 and (poor or rng.random() < 0.25):
            self._enrol_pupil(person)

    def _enrol_pupil(self, person: _Person) -> None:
        """Enrol a pupil in the education grant for each school stage, changing every 1 September."""
        stages = (("primary", 6, 12), ("junior", 12, 15), ("senior", 15, 18))
        for stage, first_age, end_age in stages:
            start = dt.date(person.birth_on.year + first_age, 9, 1)
            end = dt.date(person.birth_on.year + end_age, 8, 31)
            if end >= self.ledger_from and start <= self.today:
                self._enrol(person, "education", start, end, category=stage)

    def _households(self) -> None:
        rng, today = self.rng, self.today
        number = 0
        while len(self.people) < self.target:
            number += 1
            village_name, village_suffix = VILLAGES[number % len(VILLAGES)]
            village = f"{COUNTY_CODE}{village_suffix}"
            household = f"{village}-{number:04d}"
            poor = rng.choice("ABC") if rng.random() < 0.08 else None
            surname = rng.choice(SURNAMES)
            head = self._add(surname + _name(rng)[1:], "M", _birth(rng, today, 28, 88), village, household)
            self._standard_enrolments(head, head=True, poor=poor)
            head_age = (today - head.birth_on).days // 365
            if rng.random() < 0.85:
                spouse = self._add(
                    _name(rng),
                    "F",
                    _birth(rng, today, max(20, head_age - 6), head_age + 3),
                    village,
                    household,
                )
                self._standard_enrolments(spouse, head=False, poor=poor)
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) if head_age < 60 else 0):
                child_age = rng.randint(0, max(0, min(30, head_age - 20)))
                gender = rng.choice("MF")
                child = self._add(
                    surname + _name(rng)[1:],
                    gender,
                    _birth(rng, today, child_age, child_age),
                    village,
                    household,
                )
                self._standard_enrolments(child, head=False, poor=poor)
            if head_age < 55 and rng.random() < 0.35:
                elder = self._add(
                    surname + _name(rng)[1:],
                    rng.choice("MF"),
                    _birth(rng, today, head_age + 22, min(100, head_age + 40)),
                    village,
                    household,
                )
                self._standard_enrolments(elder, head=False, poor=poor)

    # -- the ledger -------------------------------------------------------------
    def _pay_day(self, code: str, period_start: dt.date) -> dt.date:
        """When the disbursement normally pays: within the month, or the season for yearly grants."""
        kind = self.rulebook.policies[code].period_kind
        if kind == "month":
            return period_start.replace(day=self.rng.randint(8, 20))
        if kind == "year":
            month = 6 if code == "farmland" else 10
            return dt.date(period_start.year, month, self.rng.randint(5, 25))
        return add_months(period_start, 2).replace(day=self.rng.randint(5, 25))

    def _pay_as_owed(self, person: _Person, *, noise: bool) -> None:
        """Pay every owed period whose pay day has come, with rare random anomalies when `noise`."""
        facts = self._facts(person)
        for code in sorted({e.programme for e in person.enrolments}):
            kind = self.rulebook.policies[code].period_kind
            for period in periods_between(kind, self.ledger_from, self.today):
                owed = self.rulebook.owed(code, facts, period).amount_fen
                if owed == 0:
                    continue
                paid_on = self._pay_day(code, period.start_on)
                amount = owed
                if noise:
                    roll = self.rng.random()
                    if roll < 0.002:
                        continue  # missing
                    if roll < 0.004:
                        amount = owed * 3 // 4  # short
                    elif roll < 0.006:
                        paid_on = self.rulebook.due_on(code, period) + dt.timedelta(
                            days=self.rng.randint(20, 90)
                        )
                    elif roll < 0.007:
                        self._pay(person, code, period, amount, paid_on, "DUP")  # duplicated
                if paid_on <= self.today:
                    self._pay(person, code, period, amount, paid_on)

    def _pay(self, person: _Person, code: str, period, amount: int, paid_on: dt.date, tag: str = "") -> None:  # type: ignore[no-untyped-def]
        if paid_on > self.today:
            return
        batch = f"{code[:4].upper()}-{paid_on:%Y%m}{('-' + tag) if tag else ''}"
        person.payments.append(Payment(code, period, amount, paid_on, person.account, batch))

    def _facts(self, person: _Person) -> PersonFacts:
        return PersonFacts(person.birth_on, person.death_on, tuple(person.enrolments))

    # -- featured persons: one demo card per story --------------------------------
    def _in_publicity(self) -> None:
        """Two households of the first village whose 低保 is in its 公示 period on the demo's day: one
        approved three days before, one whose 低保 ended two days before (村务公开 shows the days left).
        Added last and paid as owed without noise, so the seeded county before them is unchanged."""
        today, village = self.today, f"{COUNTY_CODE}001"
        added = [
            self._add("蒋春梅", "F", dt.date(today.year - 45, 6, 2), village, f"{village}-P001"),
            self._add("蒋小东", "M", dt.date(today.year - 12, 9, 9), village, f"{village}-P001"),
            self._add("龚德顺", "M", dt.date(today.year - 58, 2, 20), village, f"{village}-P002"),
        ]
        for person in added[:2]:
            self._enrol(person, "dibao", today - dt.timedelta(days=3), category="B")
        self._enrol(added[2], "dibao", dt.date(2022, 1, 1), today - dt.timedelta(days=2), category="C")
        for person in added:
            self._pay_as_owed(person, noise=False)

    def _featured(self) -> None:
        today = self.today
        village = f"{COUNTY_CODE}001"
        last_year = today.year - 1
        household = iter(f"{village}-F{n:03d}" for n in range(1, 100))

        def person(name: str, gender: str, born: dt.date, death_on: dt.date | None = None) -> _Person:
            return self._add(name, gender, born, village, next(household), death_on)

        normal = person("王德明", "M", dt.date(today.year - 72, 3, 14))
        self._enrol(normal, "pension_basic", dt.date(2015, 1, 1))
        self._enrol(normal, "farmland", dt.date(2016, 1, 1), quantity="3.2")
        self._enrol(normal, "forest", dt.date(2016, 1, 1), quantity="12.5")
        self._pay_as_owed(normal, noise=False)
        self.cards.append((normal.id_number, "① 正常领取：王德明，72岁，养老金+耕地+公益林", "ssse"))

        dead = person("李桂兰", "F", dt.date(today.year - 89, 6, 2), death_on=dt.date(today.year - 2, 5, 10))
        self._enrol(dead, "pension_basic", dt.date(2015, 1, 1))
        self._enrol(dead, "elderly_allowance", dt.date(2015, 1, 1))
        alive = PersonFacts(dead.birth_on, None, tuple(dead.enrolments))  # the ledger pays as if still alive
        for code in ("pension_basic", "elderly_allowance"):
            for period in periods_between("month", self.ledger_from, today):
                owed = self.rulebook.owed(code, alive, period).amount_fen
                if owed:
                    self._pay(dead, code, period, owed, period.start_on.replace(day=12))
        self.cards.append((dead.id_number, f"② 已去世仍在发钱：李桂兰，{today.year - 2}年5月去世", "ssse"))

        short = person("张秀英", "F", dt.date(today.year - 58, 9, 20))
        self._enrol(short, "dibao", dt.date(2022, 1, 1), category="B")
        self._pay_as_owed(short, noise=False)
        cut = {f"{last_year}-{m:02d}" for m in range(3, 9)}
        short.payments = [
            p
            if not (p.programme == "dibao" and p.period.code in cut)
            else Payment(p.programme, p.period, 20000, p.paid_on, p.account, p.batch)
            for p in short.payments
        ]
        self.cards.append((short.id_number, f"③ 低保少发：张秀英，{last_year}年3–8月每月只发200元", "ssse"))

        missing = person("刘国华", "M", dt.date(today.year - 67, 1, 8))
        self._enrol(missing, "pension_basic", dt.date(2015, 1, 1))
        self._pay_as_owed(missing, noise=False)
        gone = {f"{last_year}-02", f"{last_year}-03"}
        missing.payments = [p for p in missing.payments if p.period.code not in gone]
        self.cards.append((missing.id_number, f"④ 养老金漏发：刘国华，{last_year}年2、3月没发", "ssse"))

        double = person("陈建军", "M", dt.date(today.year - 49, 11, 30))
        self._enrol(double, "farmland", dt.date(2016, 1, 1), quantity="4.6")
        self._enrol(double, "forest", dt.date(2016, 1, 1), quantity="20")
        self._pay_as_owed(double, noise=False)
        for p in list(double.payments):
            if p.programme == "farmland" and p.period.code == str(last_year):
                self._pay(double, "farmland", p.period, p.amount_fen, p.paid_on + dt.timedelta(days=9), "DUP")
            if p.programme == "forest" and p.period.code == str(last_year):
                double.payments.remove(p)
                self._pay(double, "forest", p.period, p.amount_fen, dt.date(today.year, 1, 20))
        self.cards.append((double.id_number, f"⑤ 耕地补贴重复发、公益林迟发：陈建军，{last_year}年", "ssse"))

        eighty = person("赵玉珍", "F", dt.date(today.year - 81, 2, 17))
        self._enrol(eighty, "pension_basic", dt.date(2015, 1, 1))
        self._pay_as_owed(eighty, noise=False)
        self.cards.append((eighty.id_number, "⑥ 满80岁未领高龄津贴：赵玉珍，81岁", "ssse"))

        stopped = person("周文斌", "M", dt.date(today.year - 45, 4, 4))
        self._enrol(stopped, "dibao", dt.date(2022, 1, 1), dt.date(last_year, 6, 30), category="A")
        facts_before = PersonFacts(
            stopped.birth_on, None, (Enrolment("dibao", dt.date(2022, 1, 1), None, "A"),)
        )
        for period in periods_between("month", self.ledger_from, today):
            owed = self.rulebook.owed("dibao", facts_before, period).amount_fen
            self._pay(stopped, "dibao", period, owed, period.start_on.replace(day=15))
        self.cards.append((stopped.id_number, f"⑦ 低保已停仍在发：周文斌，{last_year}年7月起", "ssse"))

        disabled = person("孙海燕", "F", dt.date(today.year - 38, 7, 7))
        self._enrol(disabled, "dibao", dt.date(2022, 1, 1), category="A")
        self._enrol(disabled, "disability_living", dt.date(2021, 6, 1), quantity="1")
        self._enrol(disabled, "disability_care", dt.date(2021, 6, 1), quantity="1")
        self._pay_as_owed(disabled, noise=False)
        self.cards.append((disabled.id_number, "⑧ 一级残疾+低保：孙海燕，全部正常", "ssse"))

        pupil = person("吴小龙", "M", dt.date(today.year - 13, 10, 1))
        self._enrol_pupil(pupil)
        self._pay_as_owed(pupil, noise=False)
        self.cards.append((pupil.id_number, "⑨ 学生教育资助：吴小龙，13岁", "ssse"))

        newcomer = person("马春花", "F", dt.date(today.year - 52, 5, 5))
        self._enrol(newcomer, "dibao", add_months(today, 0), category="C")
        self.cards.append((newcomer.id_number, "⑩ 刚登记低保，还没有发放记录：马春花", "ssse"))

        bad = normal.id_number[:17] + ("0" if normal.id_number[17] != "0" else "1")
        self.cards.append((bad, "⑪ 坏卡：身份证号校验位错误", "ssse"))
        first17 = f"{COUNTY_CODE}19700101999"
        self.cards.append((first17 + check_character(first17), "⑫ 不在名册中的人", "ssse"))
        self.cards.append((normal.id_number, "⑬ 银行卡（一卡通）：王德明，卡上只有卡号", "pboc"))
        self.cards.append(("", "⑭ 不认识的卡（如公交卡）", "unknown"))
        self.cards.append((short.id_number, "⑮ 数据损坏的银行卡", "corrupt"))
        self.cards.append((DEMO_STAFF_ID, f"⑯ 工作人员胸卡：王芳（卫生院，密码{DEMO_STAFF_PIN}）", "ssse"))

    # -- build --------------------------------------------------------------------
    def build(self, store: Store) -> dict[str, int]:
        """Generate everything and write it to `store` in one transaction; return row counts."""
        self._featured()
        featured = len(self.people)
        self._households()
        for person in self.people[featured:]:
            if person.birth_on < dt.date(self.today.year - 75, 1, 1) and self.rng.random() < 0.04:
                person.death_on = self.today - dt.timedelta(days=self.rng.randint(30, 900))
            self._pay_as_owed(person, noise=True)
        self._in_publicity()
        with store.transaction() as tx:
            store.save_programmes(tx, self.rulebook)
            store.add_villages(tx, [(f"{COUNTY_CODE}{suffix}", name, TOWNSHIP) for name, suffix in VILLAGES])
            store.add_persons(
                tx,
                [
                    (
                        p.id,
                        p.id_number,
                        p.name,
                        p.gender,
                        p.birth_on.isoformat(),
                        p.village_code,
                        p.household,
                        p.death_on.isoformat() if p.death_on else None,
                    )
                    for p in self.people
                ],
            )
            store.add_accounts(tx, [(p.account, p.id) for p in self.people])
            heads: dict[tuple[str, str], int] = {}  # the first person of each household heads it
            for p in self.people:
                if p.household:
                    heads.setdefault((p.village_code, p.household), p.id)
            store.upsert_households(tx, [(village, number, pid) for (village, number), pid in heads.items()])
            store.add_enrolments(
                tx,
                [
                    (
                        p.id,
                        e.programme,
                        e.category,
                        str(e.quantity) if e.quantity is not None else None,
                        e.start_on.isoformat(),
                        e.end_on.isoformat() if e.end_on else None,
                    )
                    for p in self.people
                    for e in p.enrolments
                ],
            )
            store.add_payments(
                tx,
                [
                    (
                        p.id,
                        pay.programme,
                        pay.period.code,
                        pay.amount_fen,
                        pay.paid_on.isoformat(),
                        pay.account,
                        pay.batch,
                    )
                    for p in self.people
                    for pay in p.payments
                ],
            )
            store.set_demo_cards(
                tx, [(i, number, label, kind) for i, (number, label, kind) in enumerate(self.cards, start=1)]
            )
            store.set_meta(tx, "demo_built_for", self.today.isoformat())
            store.note_ledger_date(tx)
        return store.counts()


def ensure_demo(
    store: Store, rulebook: Rulebook, *, today: dt.date, seed: int = 2025, staff_secret: str = DEMO_PERSON_KEY
) -> bool:
    """Build the demo county into an empty store, with its clinic worker's account (card ⑯ is her badge,
    keyed with `staff_secret`, the kiosk's person-key secret); return True if it was built now."""
    if store.counts()["persons"]:
        return False
    DemoCounty(rulebook, today=today, seed=seed).build(store)
    add_staff(
        store,
        name="王芳",
        title="卫生院工作人员",
        badge_kind="id",
        badge=DEMO_STAFF_ID,
        pin=DEMO_STAFF_PIN,
        secret=staff_secret,
        now=dt.datetime.now(dt.UTC),
    )
    store.record_audit("system", "demo_build", f"seed={seed}", "ok")
    return True

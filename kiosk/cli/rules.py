"""`kiosk lookup` and `kiosk rules show`: one person's reconciliation, and the rules in force on a day, for
a county's clerk checking a figure by hand (and for external checks, with --json).

`kiosk lookup --db PATH [--today D] [--years N] [--json] ID_NUMBER` prints every line the kiosk would show
(owed, paid, the status as the screen says it, the explanation and its legal reference); exit 2 with a
plain message for a number that is invalid or nobody's. `kiosk rules show CODE [--on D]` prints each
parameter's value in force on that day, from when, and why, and the programme's timing.
"""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli.common import kiosk_config
from kiosk.core.money import format_yuan


def cmd_lookup(args: argparse.Namespace) -> int:
    from device.idnumber import IdNumberError, parse_id_number
    from kiosk.backend import EmbeddedBackend, PersonNotFoundError
    from kiosk.rules import load_rulebook
    from kiosk.store import open_store

    config = kiosk_config(args)
    try:
        id_number = parse_id_number(args.id_number.strip().upper())
    except IdNumberError as error:
        print(f"kiosk lookup: not a valid ID number ({error.reason})", file=sys.stderr)
        return 2
    if not config.db_path.exists():
        print(
            f"kiosk lookup: no store at {config.db_path} (run `kiosk import` or `kiosk demo`)",
            file=sys.stderr,
        )
        return 2
    store = open_store(config.db_path)
    try:
        rulebook = load_rulebook(config.policy_dir, store.policies())
        years = config.history_years if args.years is None else max(0, min(args.years, 50))
        backend = EmbeddedBackend(store, rulebook, history_years=years)
        try:
            result = backend.look_up(id_number, today=config.current_date())
        except PersonNotFoundError:
            print(f"kiosk lookup: nobody with the number {id_number.masked()} in this store", file=sys.stderr)
            return 2
    finally:
        store.close()
    picture = _picture(result)
    if args.json:
        print(json.dumps(picture, ensure_ascii=False, indent=2))
    else:
        print(_as_text(picture))
    return 0


def _picture(result) -> dict:  # type: ignore[no-untyped-def]
    holder = result.holder
    reconciliation = result.reconciliation
    return {
        "person": {
            "masked_id": holder.masked_id,
            "name": holder.name,
            "village": holder.village,
            "deceased_on": holder.deceased_on.isoformat() if holder.deceased_on else None,
        },
        "today": reconciliation.today.isoformat(),
        "rule_version": reconciliation.rule_version,
        "rule_files": reconciliation.rule_label,
        "programmes": [
            {
                "code": group.code,
                "name": group.name,
                "lines": [
                    {
                        "period": line.period.code,
                        "owed_fen": line.owed_fen,
                        "paid_fen": line.paid_fen,
                        "status": line.status.label_zh,
                        "explanation": line.entitlement.explanation,
                        "reference": line.entitlement.reference,
                        "source": line.entitlement.source,
                        "verdict": line.status_note,
                        "due_on": line.due_on.isoformat(),
                    }
                    for line in group.lines
                ],
            }
            for group in reconciliation.programmes
        ],
        "hints": [
            {
                "programme": hint.programme,
                "name": hint.name,
                "reason": hint.reason,
                "department": hint.department,
            }
            for hint in reconciliation.hints
        ],
    }


def _as_text(picture: dict) -> str:
    person = picture["person"]
    out = [f"{person['masked_id']}  {person['name']}  {person['village']}  （{picture['today']} 查询）"]
    if person["deceased_on"]:
        out.append(f"  登记死亡日期：{person['deceased_on']}")
    for group in picture["programmes"]:
        out.append(f"\n{group['name']}（{group['code']}）")
        for line in group["lines"]:
            out.append(
                f"  {line['period']:<8} 应发 {format_yuan(line['owed_fen']):>9}  实发 {format_yuan(line['paid_fen']):>9}"
                f"  {line['status']}  {line['explanation']}"
            )
            if line["reference"]:
                out.append(f"  {'':<8} 依据：{line['reference']}")
    for hint in picture["hints"]:
        out.append(f"\n可能可以申请：{hint['name']}（{hint['reason']}；{hint['department']}）")
    out.append(f"\n规则版本 {picture['rule_files'] or picture['rule_version']}")
    return "\n".join(out)


def cmd_rules(args: argparse.Namespace) -> int:
    from kiosk.rules import load_rulebook
    from kiosk.rules.parameters import PolicyError
    from kiosk.store import open_store

    config = kiosk_config(args)
    overrides = {}
    if config.db_path.exists():
        store = open_store(config.db_path)
        try:
            overrides = store.policies()
        finally:
            store.close()
    rulebook = load_rulebook(config.policy_dir, overrides)
    policy = rulebook.policies.get(args.code)
    if policy is None:
        print(
            f"kiosk rules: no programme {args.code!r}: one of {', '.join(rulebook.policies)}", file=sys.stderr
        )
        return 2
    day = args.on or config.current_date()
    out = [
        f"{policy.name}（{policy.code}），{day.isoformat()} 在用的规则；按{policy.period_kind}计，"
        f"到期后{policy.due_months}个月内应发"
    ]
    for name, parameter in policy.parameters.items():
        try:
            dated = parameter.at(day)
        except PolicyError:
            out.append(f"  {name}（{parameter.description}）：{day.isoformat()} 还没有生效的值")
            continue
        out.append(f"  {name}（{parameter.description}，{parameter.unit}）：{_value(dated.value)}")
        out.append(f"      自 {dated.start_on.isoformat()} 起；依据：{dated.reference}")
        later = [v for v in parameter.values if v.start_on > day]
        if later:
            out.append(f"      之后：{later[0].start_on.isoformat()} 起 {_value(later[0].value)}")
    timing = policy.timing
    read = (
        ", ".join(f"{key} {month:02d}-{d:02d}" for key, (month, d) in timing.read_on.items()) or "每期第一天"
    )
    out.append(
        f"  时间规则：批准 {timing.start}；年龄 {timing.age}；终止 {timing.end}；去世 {timing.death}；读取日 {read}"
    )
    out.append(f"      依据：{timing.reference or '（文件未写明，按每期第一天的情况）'}")
    since = policy.in_force_on(day)
    out.append(f"  文件 {policy.file_name}" + (f"（{since.isoformat()}起的取值）" if since else ""))
    if policy.household.to_head:
        out.append(f"  按户发放给户主；依据：{policy.household.reference}")
    out.append(f"  规则版本 {rulebook.version_label(day)}")
    print("\n".join(out))
    return 0


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "，".join(f"{key} {amount}" for key, amount in value.items())
    return str(value)

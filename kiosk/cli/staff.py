"""`kiosk staff`: the clinic staff accounts an embedded kiosk holds (add, list, disable).

`kiosk staff add NAME --title 卫生院工作人员 --id-number N` (or `--chip SERIAL`) reads the PIN from standard
input, so it never appears in the shell's history or the process list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from kiosk.cli.common import kiosk_config


def cmd_staff(args: argparse.Namespace) -> int:
    from kiosk.services.staff import StaffError, add_staff, disable_staff
    from kiosk.store import open_store

    config = kiosk_config(args)
    store = open_store(config.db_path)
    now = dt.datetime.now(dt.UTC)
    try:
        if args.staff_command == "add":
            if bool(args.id_number) == bool(args.chip):
                print(
                    "kiosk staff add: give the badge as --id-number or --chip (one of them)", file=sys.stderr
                )
                return 2
            pin = sys.stdin.readline().strip()
            kind, badge = ("id", args.id_number) if args.id_number else ("chip", args.chip)
            account = add_staff(
                store,
                name=args.name,
                title=args.title,
                badge_kind=kind,
                badge=badge,
                pin=pin,
                secret=config.person_key_secret,
                now=now,
            )
            print(f"Staff account {account.name} ({account.title or '—'}) can sign in with its {kind} badge.")
            return 0
        if args.staff_command == "disable":
            if not disable_staff(store, args.name, now):
                print(f"kiosk staff disable: no enabled account named {args.name}", file=sys.stderr)
                return 1
            print(f"Staff account {args.name} is disabled.")
            return 0
        for account in store.staff_accounts():
            state = "disabled" if account.disabled_at else "locked" if account.locked_at else "active"
            print(f"{account.name}\t{account.title}\t{account.badge_kind} badge\t{state}\t{account.source}")
        return 0
    except StaffError as error:
        print(f"kiosk staff: {error.message_zh}", file=sys.stderr)
        return 1
    finally:
        store.close()

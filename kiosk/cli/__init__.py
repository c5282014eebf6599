"""The `kiosk` console script: one parser (kiosk.cli.parser), one module per command family.

serve (demo, serve), county (import, checks, export), hub (hub, complaints), doctor, voice, staff, rules (lookup, rules show),
snapshot (load, pull), screen (the browser, restarted when it hangs),
provision (a fresh Debian machine made a kiosk).
Each command returns its exit status; a bad configuration is exit 2 with its message.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from kiosk.cli.county import cmd_checks, cmd_export, cmd_import
from kiosk.cli.doctor import cmd_doctor
from kiosk.cli.hub import cmd_complaints, cmd_hub
from kiosk.cli.parser import build_parser
from kiosk.cli.provision import cmd_provision
from kiosk.cli.rules import cmd_lookup, cmd_rules
from kiosk.cli.screen import cmd_screen
from kiosk.cli.serve import cmd_demo, cmd_serve
from kiosk.cli.snapshot import cmd_snapshot
from kiosk.cli.staff import cmd_staff
from kiosk.cli.voice import cmd_voice
from kiosk.config import ConfigError
from kiosk.core.private_files import private_umask

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "serve": cmd_serve,
    "import": cmd_import,
    "checks": cmd_checks,
    "export": cmd_export,
    "complaints": cmd_complaints,
    "hub": cmd_hub,
    "doctor": cmd_doctor,
    "voice": cmd_voice,
    "staff": cmd_staff,
    "lookup": cmd_lookup,
    "rules": cmd_rules,
    "snapshot": cmd_snapshot,
    "screen": cmd_screen,
    "provision": cmd_provision,
}


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    private_umask()  # stores, exports, reports and error lists: created 0600, directories 0700
    try:
        return COMMANDS[args.command](args)
    except ConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `kiosk lookup … | head`: the reader has gone, which is no error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

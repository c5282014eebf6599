"""What the command families share: the kiosk's config from a command's flags."""

from __future__ import annotations

import argparse

from kiosk.config import KioskConfig, load_config


def kiosk_config(args: argparse.Namespace, **extra: object) -> KioskConfig:
    """The layered config (kiosk.config) with this command's --db, --host, --port and --today on top."""
    overrides = {"db_path": args.db, **extra}
    for name in ("host", "port", "today"):
        if hasattr(args, name):
            overrides[name] = getattr(args, name)
    return load_config(overrides, config_file=args.config)

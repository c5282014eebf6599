"""Files this system creates hold ID numbers, ledgers, secrets and complaints: readable by their owner only.

The `kiosk` command sets its umask to 077, so every file it makes (stores, exports, reports, error
lists) is created 0600 and every directory 0700; the stores also create their files this way when used
as a library. Files that already exist are not changed behind the operator's back: `kiosk doctor`
names those that are too open.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """From now on this process creates files 0600 and directories 0700."""
    os.umask(PRIVATE_UMASK)


def ensure_private_file(path: Path) -> None:
    """Create `path` (and its directory) owner-only if it does not exist yet; an existing file is left as it is."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def too_open(path: Path) -> bool:
    """Can anyone but the owner read or write `path`?"""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))

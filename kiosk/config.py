"""Configuration of a kiosk and of a hub: frozen dataclasses, each loaded once, in layers.

defaults → config file (TOML: $MINGBAI_CONFIG, else /etc/mingbai/kiosk.toml if it
exists; a kiosk reads its [kiosk] table, a hub its [hub] table) → environment
(MINGBAI_*) → explicit overrides (command-line flags). This module is the only reader
of the environment: everything else is handed the config it needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device.profiles import DEFAULT_ORDER, PROFILES
from kiosk.core.clock import parse_date

SYSTEM_CONFIG = Path("/etc/mingbai/kiosk.toml")
DEMO_PERSON_KEY = "mingbai-demo-person-key-not-for-production"


class ConfigError(ValueError):
    """Raised when a configuration value is missing or malformed; the message names it."""


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mingbai" / "kiosk.db"


@dataclass(frozen=True)
class KioskConfig:
    db_path: Path = dataclasses.field(default_factory=default_db_path)
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    demo: bool = False
    today: dt.date | None = None  # a fixed "today" for demos and tests; None means the real date
    history_years: int = 2  # years before this one shown on screen
    idle_seconds: int = 90  # reading screens: no touch for this long asks "还在吗？"
    idle_warning_seconds: int = 20  # … and waits this long for "继续"
    policy_dir: Path | None = None  # None: the bundled demo policies
    kiosk_id: str = "kiosk-dev"
    # card readers
    reader: str = "auto"  # auto | pcsc | virtual | none (auto: PC/SC, or in-process in a demo without pcscd)
    card_profiles: tuple[str, ...] = DEFAULT_ORDER  # tried in this order
    pcsc_readers: tuple[str, ...] = ()  # substrings of reader names to use; empty: all
    vpcd_port: int = 35963  # demo only: the virtual reader the demo panel's cards go into
    sam_port: str = ""  # serial port of an ID-card SAM reader, e.g. /dev/ttyUSB0; empty: none
    sam_baudrate: int = 115200
    chip_registry: Path | None = None  # CSV chip_serial,id_number for plain contactless readers
    # complaints
    person_key_secret: str = DEMO_PERSON_KEY  # county-wide secret for the person hash; set it in production
    printer: str = ""  # "", "dummy", "file:/dev/usb/lp0", "usb:0x0416:0x5011", "serial:/dev/ttyS0"
    public_status_url: str = ""  # the hub's status page; the slip's QR code links to URL + tracking number
    hub_url: str = ""  # the hub's base URL; empty: complaints wait in the outbox
    hub_secret: str = ""  # this kiosk's credential, from `kiosk hub --register KIOSK_ID`
    hub_poll_seconds: int = (
        300  # how often replies to this kiosk's complaints, and staff accounts, are fetched
    )
    staff_lookups_per_hour: int = 10  # residents one helper may look up by typed number in an hour
    stale_after_days: int = 45  # data older than this is said to be out of date on every screen with amounts
    villages: tuple[str, ...] = ()  # codes of the villages whose 村务公开 it shows; empty: a demo's first
    backend: str = "embedded"  # embedded (this terminal's store) | remote (ask the hub at hub_url)
    township: str = ""  # the township it stands in: the only one whose signed snapshot it takes
    hub_public_key: str = ""  # the hub's snapshot key (`kiosk hub --snapshot-key`): verifies snapshots
    # voice and keypad
    headset: str = ""  # virtual | pulse | alsa[:CARD] | none; empty: virtual in a demo, pulse otherwise
    voice_pack: Path | None = None  # a folder of recorded clips (docs/voice-packs.md); None: synthesis only
    keymap: Path | None = None  # JSON: keypad key → action, over the defaults (README, "The keypad")

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()


_ENV = {
    "db_path": "MINGBAI_DB",
    "host": "MINGBAI_HOST",
    "port": "MINGBAI_PORT",
    "today": "MINGBAI_TODAY",
    "history_years": "MINGBAI_HISTORY_YEARS",
    "idle_seconds": "MINGBAI_IDLE_SECONDS",
    "idle_warning_seconds": "MINGBAI_IDLE_WARNING_SECONDS",
    "policy_dir": "MINGBAI_POLICY_DIR",
    "kiosk_id": "MINGBAI_KIOSK_ID",
    "reader": "MINGBAI_READER",
    "card_profiles": "MINGBAI_CARD_PROFILES",
    "pcsc_readers": "MINGBAI_PCSC_READERS",
    "vpcd_port": "MINGBAI_VPCD_PORT",
    "sam_port": "MINGBAI_SAM_PORT",
    "sam_baudrate": "MINGBAI_SAM_BAUDRATE",
    "chip_registry": "MINGBAI_CHIP_REGISTRY",
    "person_key_secret": "MINGBAI_PERSON_KEY_SECRET",
    "printer": "MINGBAI_PRINTER",
    "public_status_url": "MINGBAI_PUBLIC_STATUS_URL",
    "hub_url": "MINGBAI_HUB_URL",
    "hub_secret": "MINGBAI_HUB_SECRET",
    "hub_poll_seconds": "MINGBAI_HUB_POLL_SECONDS",
    "staff_lookups_per_hour": "MINGBAI_STAFF_LOOKUPS_PER_HOUR",
    "villages": "MINGBAI_VILLAGES",
    "stale_after_days": "MINGBAI_STALE_AFTER_DAYS",
    "backend": "MINGBAI_BACKEND",
    "township": "MINGBAI_TOWNSHIP",
    "hub_public_key": "MINGBAI_HUB_PUBLIC_KEY",
    "headset": "MINGBAI_HEADSET",
    "voice_pack": "MINGBAI_VOICE_PACK",
    "keymap": "MINGBAI_KEYMAP",
}
READER_KINDS = ("auto", "pcsc", "virtual", "none")
PROFILE_NAMES = tuple(PROFILES)  # the card profiles device/ knows


@dataclass(frozen=True)
class HubConfig:
    db_url: str = ""  # a SQLite file path or a postgresql:// URL
    read_db_url: str = ""  # a streaming replica of db_url: kiosk lookups read there; empty: db_url
    host: str = "127.0.0.1"
    port: int = 8090
    threads: int = 8  # waitress worker threads
    escalate_every: float = 300.0  # seconds between passes flagging overdue complaints; 0: none
    secure_cookie: bool = False  # the back office's cookie is Secure (set it behind TLS)
    kiosk_cache_seconds: float = 5.0  # how long a kiosk's credential is remembered (a revocation's delay)
    key_file: Path | None = None  # seals kiosk secrets and TOTP seeds; default beside a SQLite file (hub.key)
    person_key_secret: str = DEMO_PERSON_KEY  # the county's secret, to key the persons it publishes


_HUB_ENV = {
    "db_url": "MINGBAI_HUB_DB",
    "read_db_url": "MINGBAI_HUB_READ_DB",
    "host": "MINGBAI_HUB_HOST",
    "port": "MINGBAI_HUB_PORT",
    "threads": "MINGBAI_HUB_THREADS",
    "escalate_every": "MINGBAI_HUB_ESCALATE_EVERY",
    "secure_cookie": "MINGBAI_HUB_SECURE_COOKIE",
    "kiosk_cache_seconds": "MINGBAI_HUB_KIOSK_CACHE_SECONDS",
    "key_file": "MINGBAI_HUB_KEY_FILE",
    "person_key_secret": "MINGBAI_PERSON_KEY_SECRET",
}


def _coerce(name: str, raw: Any, kind: type = KioskConfig) -> Any:
    field_type = {f.name: f.type for f in dataclasses.fields(kind)}[name]
    try:
        if raw is None:
            return None
        if "Path" in str(field_type):
            return Path(str(raw)).expanduser()
        if "date" in str(field_type):
            return parse_date(raw)
        if field_type in ("int", int):
            value = int(raw)
            if value < 0:
                raise ValueError("must not be negative")
            return value
        if field_type in ("float", float):
            number = float(raw)
            if not number >= 0:
                raise ValueError("must be a number, not negative")
            return number
        if "tuple" in str(field_type):
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if field_type in ("bool", bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
        return str(raw)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"config value {name} = {raw!r} is not valid: {error}") from None


def systemd_watchdog() -> tuple[str, int]:
    """(NOTIFY_SOCKET, WATCHDOG_USEC) as systemd sets them for a Type=notify unit with WatchdogSec=; ("", 0)
    outside one. The kiosk feeds the watchdog from them (kiosk.cli.watchdog)."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    return os.environ.get("NOTIFY_SOCKET", ""), int(usec) if usec.isdigit() else 0


def load_config(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> KioskConfig:
    """Build the configuration from the layers; raise ConfigError naming any bad value."""
    values = _layers(KioskConfig, "kiosk", _ENV, overrides, environ, config_file)
    config = KioskConfig(**{name: _coerce(name, raw) for name, raw in values.items()})
    if config.reader not in READER_KINDS:
        raise ConfigError(f"reader = {config.reader!r}: must be one of {', '.join(READER_KINDS)}")
    if config.backend not in ("embedded", "remote") or (config.backend == "remote" and not config.hub_url):
        raise ConfigError(f"backend = {config.backend!r}: embedded, or remote with a hub_url")
    if config.headset.partition(":")[0] not in ("", "virtual", "pulse", "alsa", "none"):
        raise ConfigError(f"headset = {config.headset!r}: virtual, pulse, alsa[:CARD] or none")
    unknown_profiles = [p for p in config.card_profiles if p not in PROFILE_NAMES]
    if unknown_profiles or not config.card_profiles:
        raise ConfigError(
            f"card_profiles {list(config.card_profiles)}: choose from {', '.join(PROFILE_NAMES)}"
        )
    return config


def load_hub_config(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> HubConfig:
    """The hub's configuration from the same layers (the file's [hub] table); raise ConfigError if bad.

    person_key_secret falls back to the file's [kiosk] table: a county's kiosks and hub share it.
    """
    values = _layers(HubConfig, "hub", _HUB_ENV, overrides, environ, config_file)
    config = HubConfig(**{name: _coerce(name, raw, HubConfig) for name, raw in values.items()})
    if not config.db_url:
        raise ConfigError("the hub's database is not set: --db PATH_OR_URL, or MINGBAI_HUB_DB")
    return config


def _layers(
    kind: type,
    table: str,
    variables: Mapping[str, str],
    overrides: Mapping[str, Any] | None,
    environ: Mapping[str, str] | None,
    config_file: Path | None,
) -> dict[str, Any]:
    """The raw values for `kind`: its table of the config file, then the environment, then overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or (Path(environ["MINGBAI_CONFIG"]) if environ.get("MINGBAI_CONFIG") else None)
    if path is None and SYSTEM_CONFIG.exists():
        path = SYSTEM_CONFIG
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read config file {path}: {error}") from None
        known = {f.name for f in dataclasses.fields(kind)}
        if table == "kiosk":
            section = raw.get("kiosk", {k: v for k, v in raw.items() if k != "hub"})
        else:
            shared = raw.get("kiosk", raw)
            section = {k: shared[k] for k in ("person_key_secret",) if k in shared} | raw.get("hub", {})
        unknown = set(section) - known
        if unknown:
            raise ConfigError(f"{path}: unknown settings {sorted(unknown)}")
        values.update(section)
    for name, variable in variables.items():
        if environ.get(variable):
            values[name] = environ[variable]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return values

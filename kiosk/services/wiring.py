"""The parts one kiosk runs, built from its config: store, rules, backend, terminal, readers, relay.

Built and started here, not in the web app's factory, so the app only wires views to
these parts, and a command (or a test) can start and stop a kiosk without Flask. The
readers and the relay run worker threads: `stop()` ends them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from device.base import EventHub
from device.headset import Headset, open_headset
from kiosk.backend import BenefitsBackend, EmbeddedBackend
from kiosk.config import KioskConfig
from kiosk.core.clock import china_today
from kiosk.core.complaint import person_key
from kiosk.link.relay import Relay
from kiosk.rules import Rulebook, load_rulebook
from kiosk.services.assist import AssistDesk
from kiosk.services.chip_registry import load_chip_registry
from kiosk.services.disclosure import PublicBoard
from kiosk.services.keypad import load_keymap
from kiosk.services.readers import Readers, start_readers
from kiosk.services.speech import Speech
from kiosk.services.terminal import Terminal
from kiosk.speech.engine import EspeakEngine, SpeechEngine, SpeechEngineError, Unavailable
from kiosk.speech.packs import VoicePackError, load_voice_pack
from kiosk.speech.render import Voice
from kiosk.store import Store, open_store

log = logging.getLogger(__name__)
_screen_lock = threading.Lock()


@dataclass
class KioskServices:
    config: KioskConfig
    store: Store
    rulebook: Rulebook
    terminal: Terminal
    events: EventHub
    readers: Readers
    relay: Relay | None
    speech: Speech
    headset: Headset
    assist: AssistDesk
    board: PublicBoard
    keymap: dict[str, str] = field(default_factory=dict)  # keypad key code → action, over the defaults
    last_slip: bytes = field(default=b"")  # the dummy printer's output, for the tests of printing
    rules_taken_at: str | None = None  # the store's policies_changed_at when these rules were loaded
    screen_seen: float | None = None  # time.monotonic() when a kiosk page's last state poll began or ended
    screen_polls: int = 0  # state polls being answered now

    @contextmanager
    def screen_polling(self) -> Iterator[None]:
        """A page of ours is alive in the browser while it long-polls the terminal's state (every one does)."""
        with _screen_lock:
            self.screen_polls += 1
            self.screen_seen = time.monotonic()
        try:
            yield
        finally:
            with _screen_lock:
                self.screen_polls -= 1
                self.screen_seen = time.monotonic()

    def screen_silent_seconds(self) -> float | None:
        """Seconds since a page last asked, 0 while one is asking (None: none since this app started), for
        `kiosk screen`, which restarts a browser whose pages stop asking."""
        with _screen_lock:
            if self.screen_polls:
                return 0.0
            return None if self.screen_seen is None else time.monotonic() - self.screen_seen

    def rules_pending(self) -> bool:
        """A snapshot brought other rules since these were loaded: they apply at the next start."""
        return self.store.get_meta("policies_changed_at") != self.rules_taken_at

    def outbox_queued(self) -> None:
        """A complaint message was committed to the outbox: deliver it now rather than at the next pass."""
        if self.relay is not None:
            self.relay.nudge()

    def stop(self) -> None:
        self.readers.stop()
        if self.relay is not None:
            self.relay.stop()


def start_services(config: KioskConfig) -> KioskServices:
    """Open the store, load the rules, and start the card readers (and the relay when a hub is set)."""
    keymap = load_keymap(config.keymap)  # before any thread starts: a bad keymap stops the start
    store = open_store(config.db_path)
    rules_taken_at = store.get_meta("policies_changed_at")
    rulebook = load_rulebook(config.policy_dir, store.policies())  # policies imported into the store win
    if config.backend == "remote":
        from kiosk.backend.remote import RemoteBackend

        backend: BenefitsBackend = RemoteBackend(
            hub_url=config.hub_url, kiosk_id=config.kiosk_id, secret=config.hub_secret
        )
    else:
        backend = EmbeddedBackend(store, rulebook, history_years=config.history_years)
    events = EventHub()
    terminal = Terminal(
        backend=backend,
        today=config.current_date,
        chip_registry=load_chip_registry(config.chip_registry),
        on_read=lambda: store.count_card_read(china_today().isoformat()),
    )
    relay = None
    if config.hub_url:
        relay = Relay(
            config.db_path,
            hub_url=config.hub_url,
            kiosk_id=config.kiosk_id,
            secret=config.hub_secret,
            status_every=config.hub_poll_seconds,
        )
    assist = AssistDesk(
        store=store,
        terminal=terminal,
        secret=config.person_key_secret,
        lookups_per_hour=config.staff_lookups_per_hour,
        on_lookup=relay.nudge if relay is not None else None,
    )
    terminal.badge_of = assist.badge_of  # a staff badge on the reader asks for its PIN, never a lookup
    terminal.notices_for = assist.notices_for  # a helper's lookups are told at the resident's own next read
    events.subscribe(terminal.on_card_event)
    readers = start_readers(config, events)
    if relay is not None:
        relay.start()
    headset = open_headset(config.headset or ("virtual" if config.demo else "pulse"))
    speech = Speech(
        terminal=terminal,
        headset=headset,
        voice=_voice(config, rulebook),
        store=store,
        person_key=lambda result: result.person_key or person_key(result.id_number, config.person_key_secret),
    )
    board = PublicBoard(
        config, store, rulebook, backend, relay.nudge if relay is not None else (lambda: None)
    )
    return KioskServices(
        config,
        store,
        rulebook,
        terminal,
        events,
        readers,
        relay,
        speech,
        headset,
        assist,
        board,
        keymap=keymap,
        rules_taken_at=rules_taken_at,
    )


def _voice(config: KioskConfig, rulebook: Rulebook) -> Voice:
    """The offline engine, and the voice pack when one is configured; a kiosk whose engine is missing
    still shows every screen (the audio answers 503 with the reason), and a bad pack is refused whole."""
    engine: SpeechEngine
    try:
        engine = EspeakEngine()
    except SpeechEngineError as error:
        log.warning("no speech: %s", error)
        engine = Unavailable(str(error))
    pack = None
    if config.voice_pack is not None:
        try:
            pack = load_voice_pack(config.voice_pack, rulebook.codes)
        except VoicePackError as error:
            log.error("%s", error)
    return Voice(engine, pack)

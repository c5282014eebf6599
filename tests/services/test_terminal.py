import threading
from types import SimpleNamespace

import pytest

from device.base import CardEvent, CardEventKind, CardIdentity, EventHub
from device.emulation.vcard import SsseApplet, UnknownApplet
from device.emulation.virtual import VirtualReader
from kiosk.backend import PersonNotFoundError
from kiosk.services.terminal import State, Terminal
from tests.helpers.facts import TODAY


class FakeBackend:
    def __init__(self, fail=None):
        self.fail = fail
        self.calls = 0

    def look_up(self, id_number, *, today):
        self.calls += 1
        if self.fail:
            raise self.fail
        return SimpleNamespace(reconciliation=SimpleNamespace(lines=[]), id_number=id_number.value)


def settle(terminal, timeout=10.0):
    """Wait for the lookup (on its own thread) to finish: the state leaves "reading"."""
    snapshot = terminal.snapshot()
    while snapshot.state is State.READING:
        snapshot = terminal.wait_for_change(snapshot.seq, timeout)
    return snapshot


def make(fail=None):
    events = EventHub()
    terminal = Terminal(backend=FakeBackend(fail), today=lambda: TODAY)
    events.subscribe(terminal.on_card_event)
    return terminal, VirtualReader(events)


def test_card_placed_read_claimed_once_and_removed():
    terminal, reader = make()
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    settle(terminal)
    assert terminal.snapshot().state is State.READY
    token = terminal.claim_session()
    assert token and terminal.claim_session() is None
    assert terminal.result_for(token).id_number == "11010519491231002X"
    assert terminal.result_for("forged") is None and terminal.result_for(None) is None
    reader.take()
    assert terminal.snapshot().state is State.IDLE
    assert terminal.result_for(token) is None


def test_bad_check_digit_is_an_error_with_advice():
    terminal, reader = make()
    reader.place(SsseApplet("110105194912310021", "王秀英"))
    settle(terminal)
    snap = terminal.snapshot()
    assert (snap.state, snap.message_zh) == (State.ERROR, "这张卡读不出来")  # not "校验位错误"
    assert snap.advice_zh and terminal.claim_session() is None


def test_unknown_person_and_broken_backend_and_blank_card():
    terminal, reader = make(PersonNotFoundError("x"))
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    assert (
        settle(terminal).state is State.READY
    )  # read fine, just not on the roster: a session to complain in
    unlisted = terminal.result_for(terminal.claim_session())
    assert unlisted is not None and not unlisted.on_roster and unlisted.holder.masked_id.endswith("002X")
    terminal, reader = make(OSError("disk"))
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    settle(terminal)
    assert terminal.snapshot().message_zh == "暂时查不到信息"
    reader.place(UnknownApplet())
    settle(terminal)
    assert terminal.snapshot().state is State.ERROR and terminal.snapshot().message_zh == "不认识这种卡"


def test_ending_the_session_with_the_card_left_on_the_reader():
    terminal, reader = make()
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    settle(terminal)
    token = terminal.claim_session()
    terminal.end_session("not the token")
    assert terminal.snapshot().state is State.READY
    terminal.end_session(token)
    assert terminal.snapshot().state is State.CARD_LEFT and terminal.result_for(token) is None
    reader.take()
    assert terminal.snapshot().state is State.IDLE


def test_reader_unavailable_drops_the_session():
    terminal, reader = make()
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    settle(terminal)
    token = terminal.claim_session()
    terminal.on_card_event(CardEvent(CardEventKind.READER_UNAVAILABLE))
    assert terminal.snapshot().state is State.UNAVAILABLE and terminal.result_for(token) is None


def test_long_poll_wakes_on_change():
    terminal, reader = make()
    seq = terminal.snapshot().seq
    timer = threading.Timer(0.05, reader.place, args=(SsseApplet("11010519491231002X", "王秀英"),))
    timer.start()
    snapshot = terminal.wait_for_change(seq, timeout=10)
    timer.join()
    assert snapshot.seq > seq and snapshot.state in (State.READING, State.READY)
    settle(terminal)
    assert terminal.wait_for_change(terminal.snapshot().seq, timeout=0.01).seq == terminal.snapshot().seq


def test_a_failing_listener_does_not_silence_the_others(caplog):
    events = EventHub()
    seen = []
    events.subscribe(lambda e: 1 / 0)
    events.subscribe(seen.append)
    events.publish(CardEvent(CardEventKind.REMOVED))
    assert [e.kind for e in seen] == [CardEventKind.REMOVED]
    assert "listener failed" in caplog.text


def test_identity_repr_is_masked():
    assert "19491231" not in repr(CardIdentity("11010519491231002X"))


def test_an_unexpected_failure_in_the_lookup_is_an_error_screen_not_a_stuck_one(monkeypatch):
    terminal, reader = make()
    monkeypatch.setattr("kiosk.services.terminal.look_up_card_holder", lambda **kw: 1 / 0)
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    settle(terminal)
    assert terminal.snapshot().state is State.ERROR and terminal.snapshot().message_zh == "暂时查不到信息"


@pytest.mark.parametrize(
    ("reason", "message", "advice"),
    [
        ("two_cards", "请一次只放一张卡", "请拿走多余的卡"),
        ("expired", "这张身份证已过期", "请使用有效的身份证或社保卡"),
        ("removed", "请把卡重新放平", "卡在读完前被移动了：请把卡平放在读卡区，读完前不要移动"),
        ("mute", "请把卡重新放平", "卡没有放稳，读卡没有完成：请拿起卡，再平放在读卡区，读完前不要移动"),
        ("unknown_card", "不认识这种卡", "请使用身份证、社保卡或领取补贴的银行卡"),
        ("malformed", "这张卡的信息读不出来", "卡里的信息可能已经损坏：请换一张卡，或请工作人员帮助"),
        ("checksum", "读卡器出了问题", "请重新放卡；如果还不行，请联系工作人员"),
    ],
)
def test_every_unreadable_reason_has_words_and_advice(reason, message, advice):
    terminal, _ = make()
    terminal.on_card_event(CardEvent(CardEventKind.INSERTED))
    terminal.on_card_event(CardEvent(CardEventKind.UNREADABLE, reason=reason))
    snapshot = terminal.snapshot()
    assert (snapshot.state, snapshot.message_zh, snapshot.advice_zh) == (State.ERROR, message, advice)


def test_reader_back_returns_to_attract():
    terminal, _ = make()
    terminal.on_card_event(CardEvent(CardEventKind.READER_UNAVAILABLE, reason="pcscd gone"))
    assert terminal.snapshot().state is State.UNAVAILABLE
    terminal.on_card_event(CardEvent(CardEventKind.READER_BACK))
    assert terminal.snapshot().state is State.IDLE


class SlowBackend(FakeBackend):
    """A hub that answers only when told to."""

    def __init__(self):
        super().__init__()
        self.answer = threading.Event()
        self.asked = threading.Event()

    def look_up(self, id_number, *, today):
        self.asked.set()
        self.answer.wait(10)
        return super().look_up(id_number, today=today)


def test_a_card_taken_away_during_a_slow_lookup_ends_the_session_at_once():
    backend = SlowBackend()
    events = EventHub()
    terminal = Terminal(backend=backend, today=lambda: TODAY)
    events.subscribe(terminal.on_card_event)
    reader = VirtualReader(events)
    reader.place(SsseApplet("11010519491231002X", "王秀英"))  # returns: the lookup is not on this thread
    assert backend.asked.wait(5) and terminal.snapshot().state is State.READING
    reader.take()
    assert terminal.snapshot().state is State.IDLE
    backend.answer.set()  # the hub answers after the card left: the answer is dropped
    seq = terminal.snapshot().seq
    assert terminal.wait_for_change(seq, timeout=0.5).state is State.IDLE
    assert terminal.claim_session() is None


def test_the_next_card_gets_its_own_answer_not_the_slow_one_before_it():
    backend = SlowBackend()
    events = EventHub()
    terminal = Terminal(backend=backend, today=lambda: TODAY)
    events.subscribe(terminal.on_card_event)
    reader = VirtualReader(events)
    reader.place(SsseApplet("11010519491231002X", "王秀英"))
    assert backend.asked.wait(5)
    reader.take()
    backend.fail = PersonNotFoundError("x")
    backend.answer.set()
    reader.place(SsseApplet("440524188001010014", "李"))
    assert settle(terminal).state is State.READY
    assert not terminal.result_for(
        terminal.claim_session()
    ).on_roster  # the second card's answer, not the first's

"""The headset's jack, as Linux's sound server or the codec reports it."""

from __future__ import annotations

import pytest

from device.headset import (
    AlsaHeadset,
    NoHeadset,
    PulseHeadset,
    VirtualHeadset,
    headphone_port_available,
    jack_control_on,
    open_headset,
)

PULSE_UNPLUGGED = """Sink #0
	Name: alsa_output.pci-0000_00_1f.3.analog-stereo
	Ports:
		analog-output-speaker: Speakers (type: Speaker, priority: 10000, availability unknown)
		analog-output-headphones: Headphones (type: Headphones, priority: 9900, not available)
	Active Port: analog-output-speaker
"""
PULSE_PLUGGED = PULSE_UNPLUGGED.replace("priority: 9900, not available", "priority: 9900, available")
PIPEWIRE_PLUGGED = """Sink #52
	Ports:
		[Out] Speaker: Speaker (type: Speaker, priority: 100, availability unknown)
		[Out] Headphones: Headphones (type: Headphones, priority: 200, available)
"""


def test_pulse_port_availability():
    assert headphone_port_available(PULSE_UNPLUGGED) is False
    assert headphone_port_available(PULSE_PLUGGED) is True
    assert headphone_port_available(PIPEWIRE_PLUGGED) is True
    assert headphone_port_available("") is False


def test_alsa_jack_control():
    plugged = "numid=22,iface=CARD,name='Headphone Jack'\n  ; type=BOOLEAN,access=r-------,values=1\n  : values=on\n"
    assert jack_control_on(plugged) is True
    assert jack_control_on(plugged.replace("values=on", "values=off")) is False


def test_a_source_that_cannot_be_read_is_no_headset(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert PulseHeadset().plugged() is False and AlsaHeadset().plugged() is False


def test_open_headset():
    virtual = open_headset("virtual")
    assert isinstance(virtual, VirtualHeadset) and not virtual.plugged()
    virtual.plug(True)
    assert virtual.plugged()
    assert isinstance(open_headset("none"), NoHeadset)
    assert isinstance(open_headset("alsa:1"), AlsaHeadset) and open_headset("alsa:1").card == 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown headset"):
        open_headset("bluetooth")

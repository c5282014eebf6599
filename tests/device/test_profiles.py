"""Card profiles over emulated cards (the same applets vpcd serves): good, broken and foreign cards."""

import pytest

from device.emulation.vcard import (
    AppletConnection,
    ChipSerialApplet,
    CorruptPbocApplet,
    LockedSsseApplet,
    PbocApplet,
    SsseApplet,
    UnknownApplet,
)
from device.errors import ApduError, MalformedCardError, UnknownCardError
from device.profiles import read_card
from device.profiles.pboc import parse_afl, parse_dol, parse_gpo, parse_records
from device.profiles.ssse import parse_record

ID = "11010519491231002X"
PAN = "6217990100000000123"


@pytest.mark.parametrize("t0", [True, False])
@pytest.mark.parametrize("strict_le", [True, False])
def test_ssse_reads_id_name_and_card_number(t0, strict_le):
    identity = read_card(
        AppletConnection(SsseApplet(ID, "欧阳娜娜", "A12345678", t0=t0, strict_le=strict_le))
    )
    assert (identity.id_number, identity.name, identity.account, identity.source) == (
        ID,
        "欧阳娜娜",
        "A12345678",
        "ssse",
    )


def test_ssse_apdu_sequence():
    connection = AppletConnection(SsseApplet(ID, "王", t0=False, strict_le=False))
    read_card(connection, ["ssse"])
    assert [apdu.hex().upper() for apdu, _ in connection.trace] == [
        "00A404000F7378312E73682EC9E7BBE1B1A3D5CF",
        "00A4020002EF05",
        "00B2070400",
        "00A4020002EF06",
        "00B2010400",
        "00B2020400",
    ]


@pytest.mark.parametrize(
    ("record", "tag", "value"),
    [
        ("0903D5C500", 0x09, "D5C5"),  # GBK 张, 00 padding
        ("0812" + "31" * 18, 0x08, "31" * 18),
        ("0704" + "41FFFFFF", 0x07, "41"),  # cn padding
    ],
)
def test_parse_record(record, tag, value):
    assert parse_record(bytes.fromhex(record), tag).hex().upper() == value


@pytest.mark.parametrize(("record", "tag"), [("08", 0x08), ("0905D5C5", 0x09), ("0801AA", 0x09)])
def test_parse_record_refuses(record, tag):
    with pytest.raises(MalformedCardError):
        parse_record(bytes.fromhex(record), tag)


def test_ssse_with_a_locked_file_is_an_apdu_error():
    with pytest.raises(ApduError) as caught:
        read_card(AppletConnection(LockedSsseApplet(ID, "王")))
    assert caught.value.sw == 0x6982


def test_ssse_with_a_non_gbk_name_is_malformed():
    applet = SsseApplet(ID, "王")
    applet.records[("EF06", 2)] = bytes.fromhex("0902FF30")
    with pytest.raises(MalformedCardError, match="gbk"):
        read_card(AppletConnection(applet))


@pytest.mark.parametrize("format2", [False, True])
@pytest.mark.parametrize("pdol", [b"", bytes.fromhex("9F66049F02069F37045F2A02")])
def test_pboc_reads_pan_and_holder_id(format2, pdol):
    applet = PbocApplet(PAN, holder_id=ID, name="WANG/XIU YING", format2=format2, pdol=pdol)
    identity = read_card(AppletConnection(applet))
    assert (identity.account, identity.id_number, identity.name, identity.source) == (
        PAN,
        ID,
        "WANG/XIU YING",
        "pboc",
    )


def test_pboc_without_holder_id_gives_the_pan_only():
    identity = read_card(AppletConnection(PbocApplet("6217990100000001")))
    assert (identity.account, identity.id_number) == ("6217990100000001", "")


def test_pboc_pan_from_track2_when_5a_is_absent():
    assert parse_records(bytes.fromhex("700C" + "570A6217990100000001D301")).account == "6217990100000001"


@pytest.mark.parametrize(
    ("function", "hexdata"),
    [
        (parse_afl, "080102"),
        (parse_afl, "00010100"),
        (parse_afl, "08020100"),
        (parse_afl, "08000000"),
        (parse_gpo, ""),
        (parse_gpo, "8001AA"),
        (parse_gpo, "7703820100"),
        (parse_gpo, "6F00"),
        (parse_gpo, "80"),
        (parse_dol, "9F"),
        (parse_dol, "9F66"),
        (parse_records, "7003820100"),
        (parse_records, "70055A03123456"),
        (parse_records, "70045702AABB"),
    ],
)
def test_pboc_parsers_refuse_malformed_data(function, hexdata):
    with pytest.raises(MalformedCardError):
        function(bytes.fromhex(hexdata))


def test_corrupt_bank_card_is_malformed():
    with pytest.raises(MalformedCardError):
        read_card(AppletConnection(CorruptPbocApplet(PAN)))


def test_chip_serial_and_profile_order():
    assert read_card(AppletConnection(ChipSerialApplet("0123456789ABCDEF"))).chip_serial == "0123456789ABCDEF"
    with pytest.raises(UnknownCardError):
        read_card(AppletConnection(ChipSerialApplet("0123456789ABCDEF")), ["ssse", "pboc"])
    with pytest.raises(MalformedCardError, match="all zeros"):
        read_card(AppletConnection(ChipSerialApplet("0000000000000000")))


def test_unknown_card():
    with pytest.raises(UnknownCardError):
        read_card(AppletConnection(UnknownApplet()))

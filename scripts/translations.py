"""Keep the villager screens' catalogues current: extract the msgids, merge them into each language's
catalogue, and compile. A maintainer's tool, not part of the kiosk (the install only compiles).

    .venv/bin/python scripts/translations.py            # extract + update + compile
    .venv/bin/python scripts/translations.py --fill-traditional
        # also fill empty Traditional Chinese entries from their Simplified msgid with OpenCC (s2tw);
        # needs `pip install opencc-python-reimplemented`; review the result before committing

English entries are written by hand in translations/en/LC_MESSAGES/messages.po; an empty one shows
the Chinese on screen, and the test suite names it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("zh_Hant", "en")
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract(out: Path = TRANSLATIONS / "messages.pot") -> None:
    """Every msgid of the villager's screens (babel.cfg: templates and the kiosk's Python) into `out`."""
    subprocess.run(
        [
            PYBABEL,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_",
            "-k",
            "gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def update() -> None:
    for language in LANGUAGES:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        subprocess.run(
            [
                PYBABEL,
                command,
                "-i",
                str(TRANSLATIONS / "messages.pot"),
                "-d",
                str(TRANSLATIONS),
                "-l",
                language,
                *(["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


def fill_traditional() -> int:
    from babel.messages.pofile import read_po, write_po
    from opencc import OpenCC

    convert = OpenCC("s2tw").convert
    po = TRANSLATIONS / "zh_Hant" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale="zh_Hant")
    filled = 0
    for message in catalog:
        if message.id and not message.string:
            message.string = convert(message.id)
            filled += 1
    with po.open("wb") as out:
        write_po(out, catalog, omit_header=False, sort_output=True, no_location=True)
    return filled


def compile_catalogues() -> None:
    subprocess.run([PYBABEL, "-q", "compile", "-d", str(TRANSLATIONS)], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fill-traditional", action="store_true")
    args = parser.parse_args()
    extract()
    update()
    if args.fill_traditional:
        print(f"filled {fill_traditional()} Traditional Chinese entries with OpenCC: review them")
    compile_catalogues()
    return 0


if __name__ == "__main__":
    sys.exit(main())

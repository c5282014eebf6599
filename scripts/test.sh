#!/usr/bin/env bash
# Quick start 2: install the test dependencies (Debian's Chromium, pcscd and vpcd included), check the
# code (ruff lint and format, mypy, the layout's import rules), then run the whole suite. The tests start
# their own pcscd (there is one per host): run them as root.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k reconcile`.
source "$(dirname "$0")/common.sh"
need_debian_packages python3 python3-venv python3-pip chromium fonts-noto-cjk postgresql pgbouncer poppler-utils systemd "${HUB_PACKAGES[@]}" "${PCSC_PACKAGES[@]}" "${VOICE_PACKAGES[@]}"
need_python_env test
cd "$ROOT"
echo "ruff check"; "$VENV/bin/ruff" check .
echo "ruff format --check"; "$VENV/bin/ruff" format --check .
echo "mypy"; "$VENV/bin/mypy"
echo "import rules"; "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/test_layout.py
exec "$VENV/bin/python" -m pytest "$@"

#!/usr/bin/env bash
# Quick start 2: install the test dependencies (Debian's Chromium included) and run the whole suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k reconcile`.
source "$(dirname "$0")/common.sh"
need_debian_packages python3 python3-venv python3-pip chromium fonts-noto-cjk
need_python_env test
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"

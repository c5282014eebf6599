#!/usr/bin/env bash
# Quick start 1: install everything on Debian 12 and start the demo kiosk (demo county, virtual card).
# Environment: PORT (default 8080), HOST (default 127.0.0.1), MINGBAI_DEMO_DB (default var/demo.db).
source "$(dirname "$0")/common.sh"
need_debian_packages python3 python3-venv python3-pip "${HUB_PACKAGES[@]}" "${PCSC_PACKAGES[@]}" "${VOICE_PACKAGES[@]}"
need_python_env
ensure_pcscd_running
mkdir -p "$ROOT/var"
# The example voice pack (docs/voice-packs.md), made with the offline engine: a template a county re-records.
[ -f "$ROOT/var/voice-packs/mandarin-espeak/manifest.toml" ] ||
  "$VENV/bin/kiosk" voice --db "${MINGBAI_DEMO_DB:-$ROOT/var/demo.db}" --build "$ROOT/var/voice-packs/mandarin-espeak"
exec "$VENV/bin/kiosk" demo --db "${MINGBAI_DEMO_DB:-$ROOT/var/demo.db}" --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"

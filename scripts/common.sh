# Shared by scripts/demo.sh and scripts/test.sh: Debian packages and the project's virtualenv.
# Sourced, not run. Installs only what is missing, so a second run is quick.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"

need_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# WeasyPrint (the hub's monthly PDF report) draws text with Pango.
HUB_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0)

# The kiosk's offline voice: espeak-ng's Mandarin (kiosk/speech/engine.py).
VOICE_PACKAGES=(espeak-ng)

# pcscd with vsmartcard's vpcd driver (the demo's virtual reader); pyscard builds against libpcsclite with swig.
PCSC_PACKAGES=(pcscd vsmartcard-vpcd libpcsclite-dev swig build-essential pkg-config)

ensure_pcscd_running() {
  # systemd socket-activates pcscd on a normal Debian install; containers and CI have no systemd.
  if pgrep -x pcscd >/dev/null; then return 0; fi
  if command -v systemctl >/dev/null && systemctl is-active --quiet pcscd.socket 2>/dev/null; then return 0; fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Starting pcscd"
  $sudo pcscd
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && return 0; sleep 0.1; done
  echo "pcscd did not start; the demo will use its in-process reader" >&2
}

need_python_env() {  # $1: optional extras, e.g. "test"
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Mingbai needs Python 3.11 or newer; $python is $("$python" --version 2>&1)." >&2
    exit 1
  fi
  [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
  local target="$ROOT"
  [ -n "${1:-}" ] && target="$ROOT[$1]"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
}

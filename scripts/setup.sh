#!/usr/bin/env bash
# Installs everything Werkpad needs on a fresh Debian machine. Idempotent.
#   scripts/setup.sh          Python virtualenv with the pinned dependencies
#   scripts/setup.sh --test   plus PostgreSQL and Chromium (Debian) and the npm assets
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: installeer eerst (als root): apt-get install ${missing[*]}" >&2; return 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.werkpad-installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.lock
  .venv/bin/pip install -q --no-deps -e .
  touch "$stamp"
fi

# WeasyPrint (the PDF case file) needs Pango and a real font
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
  || echo "setup: zonder deze pakketten werkt de PDF-export van het zaakdossier niet" >&2
if [ "${1:-}" = "--test" ]; then
  # poppler-utils: pdftotext/pdftoppm check the PDF case file in the tests
  apt_install postgresql chromium poppler-utils
fi
if [ -f package.json ] && command -v npm >/dev/null; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --silent --no-audit --no-fund
  fi
fi

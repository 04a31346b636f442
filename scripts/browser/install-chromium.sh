#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser test and bench (browser downloads are unreachable, so
# playwright-core drives the system browser through executablePath). Idempotent: a working chromium returns at once.
#
#   scripts/browser/install-chromium.sh          install when missing; print the executable's path on the last line
#   scripts/browser/install-chromium.sh --check  exit 0 when a working chromium is installed, 1 otherwise
#
# Environment: TESSERA_CHROMIUM overrides the executable (default /usr/bin/chromium; with it set, nothing is installed).
# Needs root or passwordless sudo for apt-get. Other processes may hold the dpkg lock: apt-get waits up to 15 minutes.
set -euo pipefail

CHROMIUM="${TESSERA_CHROMIUM:-/usr/bin/chromium}"

# A font is needed too, or every text in the screenshots renders as boxes.
works() {
  [[ -x "$CHROMIUM" ]] && "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1 \
    && [[ -n "$(fc-list 2>/dev/null | head -1)" ]]
}

case "${1:-}" in
  --check) works; exit $? ;;
  "") ;;
  *) echo "install-chromium: unknown argument \"$1\": use --check or nothing" >&2; exit 2 ;;
esac

if works; then
  echo "install-chromium: $("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null) at $CHROMIUM" >&2
  echo "$CHROMIUM"
  exit 0
fi
if [[ -n "${TESSERA_CHROMIUM:-}" ]]; then
  echo "install-chromium: TESSERA_CHROMIUM=\"$CHROMIUM\" is not a working chromium (not installing anything)" >&2
  exit 1
fi

command -v apt-get >/dev/null || { echo "install-chromium: cannot install chromium: apt-get is not on PATH (Debian or Ubuntu needed; or set TESSERA_CHROMIUM)" >&2; exit 1; }
SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-chromium: cannot install chromium: not root and no sudo" >&2; exit 1; }
  SUDO=(sudo -n)
fi

echo "install-chromium: installing Debian's chromium with apt-get (a few minutes the first time)" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=900 update -q >&2
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends chromium fonts-dejavu-core fontconfig >&2

if ! works; then
  echo "install-chromium: chromium was installed but \"$CHROMIUM --headless --version\" fails" >&2
  exit 1
fi
echo "install-chromium: $("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null) at $CHROMIUM" >&2
echo "$CHROMIUM"

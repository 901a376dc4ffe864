#!/usr/bin/env bash
# System packages homeclerk's tests need on Debian/Ubuntu: Chromium, driven headless by the UI
# tests (Playwright is told to use it; it never downloads a browser of its own), and faketime,
# which scripts/test-on-date.sh uses to run the suite on another date; a C compiler (the launchd
# launcher is built and exec'd in the tests) and systemd (its `systemd-analyze verify` checks the
# rendered unit); rsync, the backups' off-box copy (its tests push to a local folder).
set -euo pipefail
if [[ "$(uname -s)" != "Linux" ]]; then
  echo "setup-system: nothing to install on $(uname -s) (UI tests need Chromium at \$HOMECLERK_CHROMIUM)"
  exit 0
fi
if command -v chromium >/dev/null 2>&1 && command -v faketime >/dev/null 2>&1 \
  && command -v cc >/dev/null 2>&1 && command -v systemd-analyze >/dev/null 2>&1 \
  && command -v rsync >/dev/null 2>&1; then
  echo "setup-system: chromium already installed: $(chromium --version 2>/dev/null || true)"
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation faketime \
  gcc libc6-dev systemd rsync >/dev/null
echo "setup-system: installed $(chromium --version)"

#!/usr/bin/env bash
# Installs Debian's chromium package (headless browser for the HTML report test). Idempotent:
# does nothing when /usr/bin/chromium exists.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

if [ ! -x /usr/bin/chromium ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed at /usr/bin/chromium)"

#!/usr/bin/env bash
# Installs the third-party Kraken clients that tests/real_clients.rs runs
# against the mock, into a virtual environment under target/ (the only step
# that needs the network; the test itself stays on loopback).
#
# - ccxt 4.4.90: the last release whose Kraken ticker, book and trades
#   streams use WebSockets API v1 (4.4.91 moved them to v2).
# - python-kraken-sdk 2.3.0: the last release with a v1 client; it needs
#   websockets < 13 (it passes `extra_headers`, which websockets 14 removed).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${CARGO_TARGET_DIR:-target}/real-clients-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "ccxt==4.4.90" "python-kraken-sdk==2.3.0" "websockets<13"
echo "real clients installed in $venv"

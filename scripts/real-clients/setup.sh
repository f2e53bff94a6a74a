#!/usr/bin/env bash
# Installs the third-party Kraken clients that tests/real_clients.rs runs
# against the mock, into a virtual environment under target/ (the only step
# that needs the network; the test itself stays on loopback).
#
# - ccxt 4.4.90: the last release whose Kraken ticker, book and trades
#   streams use WebSockets API v1 (4.4.91 moved them to v2).
# - python-kraken-sdk 2.3.0: the last release with a v1 client; it needs
#   websockets < 13 (it passes `extra_headers`, which websockets 14 removed).
#
# And, in a second environment (one environment holds one version of a
# package), the clients of WebSockets API v2:
#
# - ccxt 4.5.90: ticker, book, trades and OHLC over v2.
# - python-kraken-sdk 3.5.1: the v2 clients (book, public and private).
# - websockets 17.4 (which python-kraken-sdk uses too): the third-party
#   client of the chat service (chat_websockets.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${CARGO_TARGET_DIR:-target}/real-clients-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "ccxt==4.4.90" "python-kraken-sdk==2.3.0" "websockets<13"
echo "real clients installed in $venv"

venv2="${CARGO_TARGET_DIR:-target}/real-clients-v2-venv"
if [ ! -x "$venv2/bin/python" ]; then
    python3 -m venv "$venv2"
fi
"$venv2/bin/pip" install --quiet --disable-pip-version-check \
    "ccxt==4.5.90" "python-kraken-sdk==3.5.1" "websockets==17.4"
echo "v2 real clients installed in $venv2"

# The official AsyncAPI parser (npm), which tests/spec_parser.rs runs on
# the specs.
scripts/asyncapi-parser/check.sh --install-only

# Chromium (Debian's package), in which asyncapi-codegen/tests/contract_page.rs
# opens the generated docs pages; installed only when missing.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    echo "chromium installed"
fi

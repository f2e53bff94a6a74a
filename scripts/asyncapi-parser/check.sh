#!/usr/bin/env bash
# Parses AsyncAPI documents with the official JavaScript parser
# (@asyncapi/parser 3.x, installed with npm under target/, the only step
# that needs the network) and fails on any error or warning diagnostic.
#
#   scripts/asyncapi-parser/check.sh                 # specs/kraken_v2.yaml and specs/kraken.yaml
#   scripts/asyncapi-parser/check.sh path/to/doc.yaml ...
#   scripts/asyncapi-parser/check.sh --install-only  # what scripts/real-clients/setup.sh runs
#
# tests/spec_parser.rs runs parse.js with the installed parser.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="${CARGO_TARGET_DIR:-$root/target}/asyncapi-parser"
version="3.6.6"
if [ ! -f "$prefix/node_modules/@asyncapi/parser/package.json" ] \
    || ! grep -q "\"version\": \"$version\"" "$prefix/node_modules/@asyncapi/parser/package.json"; then
    mkdir -p "$prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "@asyncapi/parser@$version" >&2
fi
if [ "${1:-}" = "--install-only" ]; then
    echo "@asyncapi/parser $version installed in $prefix"
    exit 0
fi
if [ "$#" -eq 0 ]; then
    set -- "$root/specs/kraken_v2.yaml" "$root/specs/kraken.yaml"
fi
NODE_PATH="$prefix/node_modules" node "$here/parse.js" "$@"

#!/usr/bin/env bash
# The long versions of the reliability tests, whose figures RELIABILITY.md
# records: 1,000 clients x 1,000 correlated requests, 1,000 clients through
# a server killed under load and restarted, the hostile-frame table and the
# reconnection tests, in release mode; then every fuzz target for a bounded
# time (FUZZ_SECONDS, default 300; FUZZ_SECONDS=0 skips fuzzing).
#
#   scripts/reliability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LOAD_CLIENTS="${LOAD_CLIENTS:-1000}"
export LOAD_REQUESTS="${LOAD_REQUESTS:-1000}"
export RESTART_CLIENTS="${RESTART_CLIENTS:-1000}"
cargo test --release -p asyncapi-runtime --test load -- --nocapture --test-threads=1 2>&1 \
  | grep -E '^(load|restart):|test result|panicked'
cargo test --release -p asyncapi-runtime --test hostile --test reconnect --test closing 2>&1 \
  | grep -E '^test |test result|panicked'
if [ "${FUZZ_SECONDS:-300}" != 0 ]; then
  fuzz/run.sh
fi

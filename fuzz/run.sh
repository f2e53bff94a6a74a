#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 300 s each), from the
# seeds in fuzz/seeds (and the shared AsyncAPI corpus next to the
# repository, ../shared/corpus, when it is there; it is read, never copied).
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   fuzz/run.sh            # 300 s per target
#   FUZZ_SECONDS=60 fuzz/run.sh document
#
# Crashes land in fuzz/artifacts/<target>/; each one found becomes a
# regression test (tests/fuzz_regressions.rs, asyncapi-runtime/tests/).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-300}"
corpus_root="${CORPUS:-../../shared/corpus}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(document frames)
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  seeds=("seeds/$target")
  if [ "$target" = document ] && [ -d "$corpus_root" ]; then
    seeds+=("$corpus_root")
  fi
  echo "== $target: ${seconds}s, seeds ${seeds[*]}"
  cargo +nightly fuzz run -O "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=20 \
    -print_final_stats=1 2>&1 | tee "/tmp/fuzz-$target.log" | grep -E '^(#[0-9]+ +(DONE|INITED)|stat::|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' || true
done

#!/usr/bin/env bash
# The generator benchmark (issue 8, item 6): asyncapi-codegen's generate(),
# compiled as cargo compiles a build script (dev profile: opt-level 0 for
# the generator and every dependency), against @asyncapi/modelina 5.10
# (Node, RustGenerator, models only), each timed as a whole process on the
# same documents, in one run:
#
#   specs/kraken.yaml                       the showcase (80 KB)
#   documents/binance-spot.yaml             a real exchange document (420 KB,
#                                           MIT, see documents/SOURCES.md)
#   synth-100/1000/5000.json                synthetic, made by `generator-bench synth N`
#
# Then the user's edit-compile loop on the showcase package: `cargo build`
# after touching the spec (the build script reruns) and after touching an
# unrelated source file (it must not).
#
#   benches/generator/run.sh            # RUNS=3 (best of), SKIP_LOOP=1, MODELINA_DIR=…,
#                                       # SYNTH="100 1000" (the synthetic sizes; default 100 1000 5000)
#
# BEFORE=path/to/another/generator-bench adds a column timing that build
# (e.g. of an older commit, built the same way) in the same run.
#
# Prints a Markdown table (also written to target/generator-bench/table.md).
# Needs node/npm (modelina is installed from npm into the scratch directory
# on first use), /usr/bin/time, and nothing else on the network.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="$ROOT/target/generator-bench"
RUNS="${RUNS:-3}"
MODELINA_DIR="${MODELINA_DIR:-$SCRATCH/modelina}"
mkdir -p "$SCRATCH/out"
cd "$ROOT"

echo "building generator-bench (dev profile) ..." >&2
cp -n Cargo.lock benches/generator/Cargo.lock 2>/dev/null || true
CARGO_TARGET_DIR="$ROOT/target" cargo build --quiet --manifest-path benches/generator/Cargo.toml
BENCH="$ROOT/target/debug/generator-bench"

if [ ! -d "$MODELINA_DIR/node_modules/@asyncapi/modelina" ]; then
    echo "installing @asyncapi/modelina@5.10 into $MODELINA_DIR ..." >&2
    mkdir -p "$MODELINA_DIR"
    npm install --silent --no-audit --no-fund --prefix "$MODELINA_DIR" @asyncapi/modelina@5.10 >&2
fi
MODELINA_VERSION="$(node -p "require('$MODELINA_DIR/node_modules/@asyncapi/modelina/package.json').version")"

DOCS=(specs/kraken.yaml benches/generator/documents/binance-spot.yaml)
for n in ${SYNTH:-100 1000 5000}; do
    "$BENCH" synth "$n" > "$SCRATCH/synth-$n.json"
    DOCS+=("$SCRATCH/synth-$n.json")
done

# Best wall time (s) and its CPU time (user + sys, s) of RUNS runs of a command.
best_of() {
    local best="" cpu="" t
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$SCRATCH/time.txt" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
        read -r wall user sys < <(tail -1 "$SCRATCH/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
            best="$wall"
            cpu="$(awk "BEGIN{printf \"%.2f\", $user + $sys}")"
        fi
    done
    echo "$best $cpu"
}

TABLE="$SCRATCH/table.md"
BEFORE="${BEFORE:-}"
{
    echo "| document | size | messages |${BEFORE:+ before |} asyncapi-codegen (dev) | lines out | modelina $MODELINA_VERSION | lines out | modelina / ours |"
    echo "|---|---:|---:|${BEFORE:+---:|}---:|---:|---:|---:|---:|"
} > "$TABLE"
for doc in "${DOCS[@]}"; do
    name="$(basename "$doc")"
    stem="${name%.*}"
    echo "timing $name ..." >&2
    before=""
    if [ -n "$BEFORE" ]; then
        read -r b b_cpu < <(best_of "$BEFORE" generate "$doc" "$SCRATCH/out")
        before=" $b s (cpu $b_cpu s) |"
    fi
    read -r ours ours_cpu < <(best_of "$BENCH" generate "$doc" "$SCRATCH/out")
    read -r theirs theirs_cpu < <(best_of env NODE_PATH="$MODELINA_DIR/node_modules" node benches/generator/modelina.js "$doc" "$SCRATCH/out/$stem.modelina.rs")
    size="$(( $(wc -c < "$doc") / 1024 )) KB"
    messages="$("$BENCH" messages "$doc")"
    ours_lines="$(wc -l < "$SCRATCH/out/$stem.rs")"
    theirs_lines="$(wc -l < "$SCRATCH/out/$stem.modelina.rs")"
    ratio="$(awk "BEGIN{printf \"%.1f\", $theirs / $ours}")"
    echo "| \`$name\` | $size | $messages |$before $ours s (cpu $ours_cpu s) | $ours_lines | $theirs s (cpu $theirs_cpu s) | $theirs_lines | **${ratio}×** |" >> "$TABLE"
done

if [ -z "${SKIP_LOOP:-}" ]; then
    echo "timing the edit-compile loop ..." >&2
    cargo build --quiet
    loop() {
        local start end reran
        start="$(date +%s.%N)"
        reran="$(cargo build -v 2>&1 | grep -c 'asyncapi-showcase.*build-script-build' || true)"
        end="$(date +%s.%N)"
        echo "$(awk "BEGIN{printf \"%.1f\", $end - $start}") s, build script ran: $([ "$reran" -gt 0 ] && echo yes || echo no)"
    }
    touch specs/kraken.yaml
    after_spec="$(loop)"
    touch src/lib.rs
    after_other="$(loop)"
    {
        echo
        echo "Edit-compile loop (\`cargo build\` of the showcase package, dev profile):"
        echo "after \`touch specs/kraken.yaml\`: $after_spec;"
        echo "after \`touch src/lib.rs\`: $after_other."
    } >> "$TABLE"
fi

echo >> "$TABLE"
echo "Best of $RUNS runs (wall clock; cpu = user + sys of that run); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$TABLE"
cat "$TABLE"

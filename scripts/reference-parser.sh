#!/bin/sh
# Cross-checks with the reference parser: installs @asyncapi/parser 3.x
# from npm into a temporary directory and writes, for every document of the
# conformance test (the corpus beside the repository, tests/real-world/ and
# tests/conformance/specs/), whether it accepts it, to
# tests/conformance/reference-parser.txt. tests/conformance/tests/
# expectations.rs then checks that every document it accepts compiles here
# too, or is a reasoned exception. Needs node and npm.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="$repo/../shared/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo/scripts/reference-parser.mjs" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund @asyncapi/parser@3 >/dev/null)
# The documents, named as in tests/conformance/expectations.txt.
list=$(cd "$repo/tests/conformance" && sed -n 's/^\([^#][^\t]*\)\t.*/\1/p' expectations.txt)
out="$repo/tests/conformance/reference-parser.txt"
{
  echo "# Whether @asyncapi/parser $(cd "$work" && node -p "require('@asyncapi/parser/package.json').version") accepts each document of"
  echo "# expectations.txt (without errors). Regenerate: scripts/reference-parser.sh"
  echo "$list" | while IFS= read -r name; do
    case "$name" in
      specs/*) printf '%s\t%s\n' "$name" "$repo/tests/conformance/$name" ;;
      real-world/*) printf '%s\t%s\n' "$name" "$repo/tests/$name" ;;
      *) printf '%s\t%s\n' "$name" "$corpus/$name" ;;
    esac
  done | (cd "$work" && node reference-parser.mjs)
} > "$out"
echo "wrote $out"

#!/usr/bin/env bash
# Runs the default test suite (everything except [Trait("Category","Slow")]) and ends with one summary line
# "N passed, N failed" computed from the TRX files. Extra arguments go to `dotnet test`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="$ROOT/.rag/test-results"
rm -rf "$RESULTS"
filter=(--filter "Category!=Slow")
for a in "$@"; do [ "$a" = "--filter" ] && filter=(); done
dotnet test "$ROOT/Rag.sln" -c Release --nologo -v q "${filter[@]}" \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$RESULTS" "$@"
rc=$?
passed=0 failed=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  p="$(get passed)"; f="$(get failed)"; e="$(get error)"; t="$(get timeout)"; a="$(get aborted)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done
# A build failure produces no TRX: count it as a failure so the summary never reads green.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]

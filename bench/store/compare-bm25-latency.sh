#!/usr/bin/env bash
# BM25 query latency before and after the index store (issue 8), in one run: builds `Rag.Bench bm25-query-latency` at
# BEFORE (default: the parent of a1b6ff7, the commit that brought the store; the bench file is copied in with
# BEFORE_STORE defined) and at the current checkout, then runs them interleaved (before, after, before, after, ...)
# on the same SciFact index build and prints each pair's p50 and the after/before ratio.
# Usage: bench/store/compare-bm25-latency.sh [PAIRS=3] [ROUNDS=2]    (env: BEFORE=<commit>, DATASET=<beir scifact dir>)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAIRS="${1:-3}"
ROUNDS="${2:-2}"
BEFORE="${BEFORE:-a1b6ff7^}"
DATASET="${DATASET:-$ROOT/../shared/data/scifact}"
WT="${TMPDIR:-/tmp}/rag-before-store"

if [ ! -d "$WT" ]; then
  git -C "$ROOT" worktree add --detach "$WT" "$BEFORE" >&2
fi
{ echo '#define BEFORE_STORE'; cat "$ROOT/bench/Rag.Bench/Retrieval/StoreQueryLatencyBench.cs"; } > "$WT/bench/Rag.Bench/Retrieval/StoreQueryLatencyBench.cs"
grep -q bm25-query-latency "$WT/bench/Rag.Bench/Program.cs" || sed -i 's|^\(    "bm25-latency" => .*\)$|\1\n    "bm25-query-latency" => await StoreQueryLatencyBench.Run(args[1..]),|' "$WT/bench/Rag.Bench/Program.cs"
echo "building before ($(git -C "$WT" rev-parse --short HEAD)) and after ($(git -C "$ROOT" rev-parse --short HEAD)) ..." >&2
dotnet build -c Release -v q -nologo "$WT/bench/Rag.Bench" >&2
dotnet build -c Release -v q -nologo "$ROOT/bench/Rag.Bench" >&2

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
LOG="$(mktemp)"
for i in $(seq 1 "$PAIRS"); do
  for side in before after; do
    dir="$ROOT"; [ "$side" = before ] && dir="$WT"
    out="$(dotnet "$dir/bench/Rag.Bench/bin/Release/net10.0/Rag.Bench.dll" bm25-query-latency --dataset "$DATASET" --rounds "$ROUNDS" 2>/dev/null)"
    line="pair $i $side load=$(cut -d' ' -f1 /proc/loadavg) $(echo "$out" | grep '^retriever') | $(echo "$out" | grep '^keyword')"
    echo "$line"; echo "$line" >> "$LOG"
  done
done
# Per pair: p50 after / before for both paths; then the median of the pair ratios.
awk '{ r = ""; k = ""; for (f = 1; f <= NF; f++) if ($f ~ /^p50_ms=/) { if (r == "") r = substr($f, 8); else k = substr($f, 8) }
       R[$2, $3] = r; K[$2, $3] = k; if ($2 + 0 > n) n = $2 + 0 }
     END { for (p = 1; p <= n; p++)
             printf "pair %d: retriever p50 %s -> %s ms, after/before %.3f; keyword p50 %s -> %s ms, %.3f\n", p, R[p, "before"], R[p, "after"], R[p, "after"] / R[p, "before"], K[p, "before"], K[p, "after"], K[p, "after"] / K[p, "before"] }' "$LOG" > "$LOG.pairs"
cat "$LOG.pairs"
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "median after/before p50 ratio over $PAIRS pairs: retriever $(awk '{ print $10 }' "$LOG.pairs" | tr -d ';' | median), keyword $(awk '{ print $NF }' "$LOG.pairs" | median)"
rm -f "$LOG" "$LOG.pairs"

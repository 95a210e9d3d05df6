#!/usr/bin/env bash
# Interleaved decode comparison at 1 thread: C loop (floor) vs ours (`rag bench decode`, Rag.Tools DecodeBenchmark) vs node-llama-cpp 3.22.1.
# usage: compare.sh MODEL TOKENS CTX ROUNDS
#   NODE_BENCH_DIR: folder where node-llama-cpp@3.22.1 is npm-installed with decode.mjs (optional; skipped if unset)
# Each round runs the three back to back (5 measured runs each, best kept), so machine load hits all three alike.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export RAG_LLAMA_NATIVE_DIR="${RAG_LLAMA_NATIVE_DIR:-$repo/.native/llama/linux-x64}"
model="$1"; tokens="${2:-128}"; ctx="${3:-2048}"; rounds="${4:-3}"
ours="dotnet $repo/src/Rag.Host/bin/Release/net10.0/rag.dll"
[ -x "$here/out/decode_loop" ] || { echo "build bench/native first (build.sh)"; exit 1; }
[ -f "$repo/src/Rag.Host/bin/Release/net10.0/rag.dll" ] || dotnet build "$repo/src/Rag.Host" -c Release -v q >/dev/null
# Prints wall-clock best tokens/s and CPU-time best tokens/s (tokens per second of process CPU time) for each.
for r in $(seq 1 "$rounds"); do
  cout=$("$here/out/decode_loop" "$model" 1 "$tokens" "$ctx" "Once upon a time" 5 2>/dev/null)
  c=$(echo "$cout" | awk '/^best tokens/{print $3}'); ccpu=$(echo "$cout" | awk '/^best cpu/{print $4}')
  oout=$($ours bench decode --model "$model" --threads 1 --tokens "$tokens" --ctx "$ctx" --repeats 5 2>/dev/null)
  o=$(echo "$oout" | awk '/^tokens/{print $2}'); ocpu=$(echo "$oout" | awk '/^cpu/{print $3}')
  n="-"; ncpu="-"
  if [ -n "${NODE_BENCH_DIR:-}" ]; then
    cp "$here/node-decode.mjs" "$NODE_BENCH_DIR/decode.mjs"
    nout=$(cd "$NODE_BENCH_DIR" && node decode.mjs "$model" 1 "$tokens" "$ctx" 5 2>/dev/null)
    n=$(echo "$nout" | awk '/^best tokens/{print $3}'); ncpu=$(echo "$nout" | awk '/^best cpu/{print $4}')
  fi
  echo "round $r: wall c=$c ours=$o node=$n | cpu c=$ccpu ours=$ocpu node=$ncpu | ours/c wall=$(awk -v a="$o" -v b="$c" 'BEGIN{printf "%.3f", a/b}') cpu=$(awk -v a="$ocpu" -v b="$ccpu" 'BEGIN{printf "%.3f", a/b}')"
done

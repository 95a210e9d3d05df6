#!/bin/bash
# Interleaved comparison for docs/BENCHMARKS.md, serving: C loop (CPU time), ours, llama-batched-bench; two repetitions.
# Usage: MODEL=path T=1 LLAMA_TOOLS=/path/to/llama-tools/bin ./compare.sh   (run build.sh first; run from the repo root)
set -u
M=${MODEL:?set MODEL}; T=${T:-1}; TOOLS=${LLAMA_TOOLS:?set LLAMA_TOOLS}
HERE=$(cd "$(dirname "$0")" && pwd)
export LLAMA_NATIVE_DIR=${LLAMA_NATIVE_DIR:-$HERE/../../.native/llama/linux-x64}
dotnet build -c Release "$HERE/../../src/Rag.Host" -v q >/dev/null
for rep in 1 2; do
  echo "== rep $rep T=$T C loop, load $(cut -d' ' -f1-3 /proc/loadavg) $(date +%T)"
  "${BATCHED_CPU:-$HERE/bin/batched_cpu}" "$M" "$T" 128 64 1 2 4 8 16
  echo "== ours, load $(cut -d' ' -f1-3 /proc/loadavg) $(date +%T)"
  dotnet "$HERE/../../src/Rag.Host/bin/Release/net10.0/rag.dll" bench serve --model "$M" --streams 1,2,4,8,16 --tokens 64 --prompt-tokens 128 --threads "$T" --ctx 4096
  echo "== llama-batched-bench, load $(cut -d' ' -f1-3 /proc/loadavg) $(date +%T)"
  "$TOOLS/llama-batched-bench" -m "$M" -c 4096 -b 2048 -ub 512 -npp 128 -ntg 64 -npl 1,2,4,8,16 -t "$T" 2>&1 | grep -E '^\|'
done

#!/usr/bin/env bash
# Rag.Model against LLamaSharp 0.30.0 on the same GGUF files, in separate processes (the two native stacks must never
# share one), quiet and with one competing busy process that this script starts and stops itself. One command:
#
#   bench/llamasharp/compare.sh SERVE_MODEL [DECODE_MODEL...]
#
#   SERVE_MODEL   the synthetic SmolLM2-135M-shape Q8_0 file (docs/BENCHMARKS.md says how to make it)
#   DECODE_MODEL  files for the single-stream decode rows (default: SERVE_MODEL and shared/models/stories260K)
#   ROUNDS=N      repetitions of everything, interleaved (default 1)
#   LLAMA_INCLUDE the pinned llama.cpp source tree; when set, the C decode loop (bench/native) joins the decode rows,
#                 which gives the "ours / C loop" overhead figure
#
# Rows: decode = greedy single stream at 1 thread, 128 tokens, ctx 2048 (best of 5 after a 1 s warm-up).
#       serve  = N streams x 64 generated tokens, 128-token random prompts, aggregate tokens/s over decode-only steps
#                (`rag bench serve`; LLamaSharp's BatchedExecutor), at 1 and 2 threads. "ours 2t fixed" is our old
#                behaviour (fixed threads, --fixed-threads), kept as the control for the adaptive thread count.
# Output: the raw lines of every run on stderr, the markdown tables on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
serve_model="${1:?usage: compare.sh SERVE_MODEL [DECODE_MODEL...]}"
shift
shared="${RAG_SHARED_DIR:-$repo/../shared}"
export RAG_LLAMA_NATIVE_DIR="${RAG_LLAMA_NATIVE_DIR:-$repo/.native/llama/linux-x64}"
decode_models=("$@")
[ ${#decode_models[@]} -gt 0 ] || decode_models=("$serve_model" "$shared/models/stories260K-llama-f32.gguf")
rounds="${ROUNDS:-1}"
for f in "$serve_model" "${decode_models[@]}"; do [ -f "$f" ] || { echo "compare.sh: error: $f does not exist" >&2; exit 2; }; done

peer_dir="$repo/bench/Rag.Bench.LLamaSharp"
peer="$peer_dir/bin/Release/net10.0/Rag.Bench.LLamaSharp"
dotnet build "$peer_dir" -c Release -v q -nologo >&2
"$repo/rag" setup >&2
cloop=""
if [ -n "${LLAMA_INCLUDE:-}" ]; then
  [ -x "$repo/bench/native/out/decode_loop" ] || "$repo/bench/native/build.sh" >&2
  cloop="$repo/bench/native/out/decode_loop"
fi

busy_pid=""
stop_busy() { if [ -n "$busy_pid" ]; then kill "$busy_pid" 2>/dev/null || true; wait "$busy_pid" 2>/dev/null || true; busy_pid=""; fi; }
trap stop_busy EXIT

load() { cut -d' ' -f1 /proc/loadavg; }
# serve_rate LINES STREAMS: the aggregate decode figure of one stream count
serve_rate() { echo "$1" | awk -v n="$2" '$1 == "streams:" && $2 == n { for (i = 1; i <= NF; i++) if ($i == "tokens/s:") { print $(i + 1); exit } }'; }
# (the raw lines go to stderr with echo: `tee /dev/stderr` would reopen, and so truncate, a redirected log file)
serve() { local out; out=$("$@" --model "$serve_model" --streams 8,16 --tokens 64 --prompt-tokens 128 --ctx 4096 2>/dev/null || true); echo "$out" >&2; echo "$out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

decode_rows=()
serve_rows=()
for round in $(seq 1 "$rounds"); do
  for condition in quiet busy; do
    if [ "$condition" = busy ]; then
      sh -c 'while :; do :; done' &
      busy_pid=$!
      sleep 1
    fi
    label="$condition"; [ "$condition" = busy ] && label="one busy process"

    for m in "${decode_models[@]}"; do
      c="-"
      if [ -n "$cloop" ]; then
        out=$("$cloop" "$m" 1 128 2048 "Once upon a time" 5 2>/dev/null || true); echo "$out" >&2
        c=$(echo "$out" | awk '/^best tokens/ { print $3 }')
      fi
      out=$("$repo/rag" bench decode --model "$m" --threads 1 --tokens 128 --ctx 2048 --repeats 5 2>/dev/null || true); echo "ours decode $m: $out" >&2
      o=$(echo "$out" | awk '/^tokens\/s:/ { print $2 }')
      out=$("$peer" decode --model "$m" --threads 1 --tokens 128 --ctx 2048 --repeats 5 2>/dev/null || true); echo "LLamaSharp decode $m: $out" >&2
      l=$(echo "$out" | awk '/^tokens\/s:/ { print $2 }')
      decode_rows+=("| $round | $label | $(load) | $(basename "$m") | $c | $o | $l | $(ratio "$o" "$c") | $(ratio "$l" "$o") |")
    done

    l0=$(load)
    o1=$(serve "$repo/rag" bench serve --threads 1)
    o2=$(serve "$repo/rag" bench serve --threads 2)
    of=$(serve "$repo/rag" bench serve --threads 2 --fixed-threads)
    p1=$(serve "$peer" serve --threads 1)
    p2=$(serve "$peer" serve --threads 2)
    for n in 8 16; do
      a=$(serve_rate "$o1" $n); b=$(serve_rate "$o2" $n); f=$(serve_rate "$of" $n); x=$(serve_rate "$p1" $n); y=$(serve_rate "$p2" $n)
      serve_rows+=("| $round | $label | $l0 | $n | $a | **$b** | $f | $x | $y | $(ratio "$b" "$a") | $(ratio "$b" "$y") |")
    done
    stop_busy
  done
done

echo "Single-stream decode, 1 thread, 128 tokens, ctx 2048, tokens/s (best of 5):"
echo
echo "| round | condition | load | model | C loop | ours | LLamaSharp | ours / C | LLamaSharp / ours |"
echo "|---:|---|---:|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${decode_rows[@]}"
echo
echo "Continuous batching, 64 tokens per stream, 128-token prompts, aggregate decode tokens/s:"
echo
echo "| round | condition | load | streams | ours 1t | ours 2t | ours 2t fixed | LLamaSharp 1t | LLamaSharp 2t | ours 2t / ours 1t | ours 2t / LLamaSharp 2t |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${serve_rows[@]}"

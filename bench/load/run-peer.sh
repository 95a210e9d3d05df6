#!/usr/bin/env bash
# Peer load test (issue 13, acceptance 2): the same model and the same streaming client load against `rag serve` and
# llama.cpp's llama-server, in one run, at 1, 8 and 32 concurrent clients. Prints one markdown table per server.
#
#   bench/load/run-peer.sh                         # full run (quiet machine only)
#   SMOKE=1 bench/load/run-peer.sh                 # a few seconds: 1,2 clients, 1 request each, 16 tokens
#
# Settings (environment): MODEL (GGUF, default ../shared/models/stories260K-llama-f32.gguf), THREADS (decode threads for
# both servers, default 2), CLIENTS (default 1,8,32), REQUESTS (per client, default 4), TOKENS (per request, default 128),
# SLOTS (sequences both servers may decode at once, default 32), CTX (KV cells in total, default 16384),
# LLAMA_SERVER (the binary; default .rag/llama-tools/bin/llama-server, built by ../shared/tools/build-llama-tools.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MODEL="${MODEL:-$ROOT/../shared/models/stories260K-llama-f32.gguf}"
THREADS="${THREADS:-2}"
CLIENTS="${CLIENTS:-1,8,32}"
REQUESTS="${REQUESTS:-4}"
TOKENS="${TOKENS:-128}"
SLOTS="${SLOTS:-32}"
CTX="${CTX:-16384}"
LLAMA_SERVER="${LLAMA_SERVER:-$ROOT/.rag/llama-tools/bin/llama-server}"
if [ -n "${SMOKE:-}" ]; then CLIENTS=1,2; REQUESTS=1; TOKENS=16; fi
OURS_PORT=18080 PEER_PORT=18081
OUT="$ROOT/.rag/load"; mkdir -p "$OUT"
MODEL_ID="$(basename "$MODEL" .gguf)"

dotnet build "$ROOT/src/Rag.Host/Rag.Host.csproj" -c Release -nologo -v q >"$OUT/build-host.log" 2>&1
dotnet build "$ROOT/bench/Rag.Load.Bench/Rag.Load.Bench.csproj" -c Release -nologo -v q >"$OUT/build-load.log" 2>&1
LOAD=(dotnet "$ROOT/bench/Rag.Load.Bench/bin/Release/net10.0/Rag.Load.Bench.dll")

wait_ready() { # url
  for _ in $(seq 1 600); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server at $1 did not get ready" >&2; return 1
}

run_ours() {
  local data; data="$(mktemp -d)"
  dotnet "$ROOT/src/Rag.Host/bin/Release/net10.0/rag.dll" serve --urls "http://127.0.0.1:$OURS_PORT" --model "$MODEL" \
    --threads "$THREADS" --data-dir "$data" \
    --Rag:Model:Chat:Scheduler:MaxSequences="$SLOTS" --Rag:Model:Chat:Scheduler:ContextSize="$CTX" \
    --Rag:Model:Chat:Scheduler:MaxQueuedRequests=256 --Logging:LogLevel:Default=Warning 2>"$OUT/ours.log" &
  local pid=$!
  wait_ready "http://127.0.0.1:$OURS_PORT/readyz"
  "${LOAD[@]}" --url "http://127.0.0.1:$OURS_PORT" --name rag --model "$MODEL_ID" --concurrency "$CLIENTS" \
    --requests "$REQUESTS" --max-tokens "$TOKENS" --pid "$pid" --json "$OUT/ours.json" || true
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$data"
}

run_peer() {
  [ -x "$LLAMA_SERVER" ] || { echo "llama-server not found at $LLAMA_SERVER (build it: ../shared/tools/build-llama-tools.sh DIR; set LLAMA_SERVER)" >&2; return 1; }
  "$LLAMA_SERVER" -m "$MODEL" --host 127.0.0.1 --port "$PEER_PORT" -t "$THREADS" -tb "$THREADS" -c "$CTX" -np "$SLOTS" \
    --kv-unified --no-webui >"$OUT/peer.log" 2>&1 &
  local pid=$!
  wait_ready "http://127.0.0.1:$PEER_PORT/health"
  "${LOAD[@]}" --url "http://127.0.0.1:$PEER_PORT" --name llama-server --model "$MODEL_ID" --concurrency "$CLIENTS" \
    --requests "$REQUESTS" --max-tokens "$TOKENS" --pid "$pid" --json "$OUT/peer.json" || true
  kill -TERM "$pid"; wait "$pid" || true
}

echo "model $MODEL_ID, $THREADS threads, clients $CLIENTS x $REQUESTS requests x $TOKENS tokens, $SLOTS slots, ctx $CTX, $(nproc) cores"
run_ours
run_peer

#!/usr/bin/env bash
# Writes the synthetic SmolLM2-135M-shape model with our GGUF writer, quantizes it with llama.cpp's own
# llama-quantize, checks each file generates with llama-completion, and measures it with llama-bench.
#
# usage: bench/gguf/synth-llama-bench.sh TOOLS_BIN OUT_DIR [SHAPE] [REPEATS]
#   TOOLS_BIN  folder with llama-quantize, llama-completion, llama-bench (../shared/tools/build-llama-tools.sh builds them)
#   OUT_DIR    an ignored folder outside the repository (an F16 135M model is ~250 MB, a 1B one ~2 GB)
#   SHAPE      smollm2-135m (default) or llama-3.2-1b
#   RAG        environment variable: the command that runs `rag` (default ./rag), e.g.
#              RAG="dotnet src/Rag.Host/bin/Release/net10.0/rag.dll"
set -euo pipefail
TOOLS=${1:?llama.cpp tools bin folder}
OUT=${2:?output folder}
SHAPE=${3:-smollm2-135m}
REPEATS=${4:-5}
RAG=${RAG:-./rag}
mkdir -p "$OUT"
F16="$OUT/$SHAPE-f16.gguf"

$RAG models synth --shape "$SHAPE" --out "$F16" --seed 42
for q in Q8_0 Q4_K_M; do
  "$TOOLS/llama-quantize" "$F16" "$OUT/$SHAPE-$q.gguf" "$q" 2 >/dev/null 2>&1
done
for f in "$F16" "$OUT/$SHAPE-Q8_0.gguf" "$OUT/$SHAPE-Q4_K_M.gguf"; do
  printf '%s\t%s bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
  "$TOOLS/llama-completion" -m "$f" -p "Once upon a time" -n 16 -t 1 --temp 0 -no-cnv 2>/dev/null | head -c 300; echo
done
echo "load average before bench: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TOOLS/llama-bench" -m "$F16,$OUT/$SHAPE-Q8_0.gguf,$OUT/$SHAPE-Q4_K_M.gguf" -t 1,2 -p 512 -n 128 -r "$REPEATS"
echo "load average after bench: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/bin/sh
# Builds batched_cpu against the pinned npm llama.cpp libraries. HEADERS: the llama.cpp source bundle's include dirs.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
NATIVE=${NATIVE:-$HERE/../../.native/llama/linux-x64}
SRC=${LLAMA_SRC:-/tmp/llama-src}
OUT=${OUT:-$HERE/bin}
mkdir -p "$OUT"
cc -O2 -o "$OUT/batched_cpu" "$HERE/batched_cpu.c" -I"$SRC/include" -I"$SRC/ggml/include" -L"$NATIVE" \
   -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,"$(cd "$NATIVE" && pwd -P)"
echo "built $OUT/batched_cpu"

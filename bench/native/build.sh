#!/usr/bin/env bash
# Builds decode_loop against the same prebuilt libllama Rag.Model loads.
#   LLAMA_INCLUDE: directory tree of the pinned llama.cpp source bundle (contains include/llama.h and ggml/include)
#   RAG_LLAMA_NATIVE_DIR: native library dir (default: <repo>/.native/llama/linux-x64)
# Output: bench/native/out/decode_loop (ignored by git; the binary finds its libraries through RAG_LLAMA_NATIVE_DIR
# at run time via -Wl,-rpath).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
native="${RAG_LLAMA_NATIVE_DIR:-$repo/.native/llama/linux-x64}"
src="${LLAMA_INCLUDE:?set LLAMA_INCLUDE to the llama.cpp source tree of the pinned release}"
mkdir -p "$here/out"
gcc -O2 -o "$here/out/decode_loop" "$here/decode_loop.c" -I"$src/include" -I"$src/ggml/include" \
    -L"$native" -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,"$native"
echo "built $here/out/decode_loop"

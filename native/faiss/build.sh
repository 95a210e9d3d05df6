#!/usr/bin/env bash
# Builds librag_faiss.so, our extern "C" shim over FAISS, into OUTDIR (default: <repo>/.native/faiss).
# Needs: g++, libfaiss-dev (static libfaiss.a + headers), libopenblas-dev (or libblas-dev), liblapack-dev.
#   apt-get update && apt-get install -y g++ libfaiss-dev libopenblas-dev liblapack-dev
# Usage: native/faiss/build.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../../.native/faiss}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

faiss_a="${FAISS_STATIC_LIB:-}"
if [[ -z "$faiss_a" ]]; then
  for candidate in /usr/lib/x86_64-linux-gnu/libfaiss.a /usr/lib/aarch64-linux-gnu/libfaiss.a /usr/lib/libfaiss.a /usr/local/lib/libfaiss.a; do
    if [[ -f "$candidate" ]]; then faiss_a="$candidate"; break; fi
  done
fi
if [[ -z "$faiss_a" || ! -f "$faiss_a" ]]; then
  echo "build.sh: libfaiss.a not found; install libfaiss-dev (apt-get install libfaiss-dev) or set FAISS_STATIC_LIB" >&2
  exit 1
fi

# rag_faiss_simd.cpp comes first and --allow-multiple-definition makes its AVX2 distance kernels win over the
# archive's scalar ones (Debian builds libfaiss.a for baseline x86-64).
# OpenBLAS makes batched Flat search (BLAS sgemm) much faster than the reference BLAS; use it when present.
blas="-lblas"
if ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so'; then blas="-lopenblas"; fi

g++ -O3 -std=c++17 -shared -fPIC -fopenmp -fvisibility=hidden \
  -Wall -Wextra -Wno-unused-parameter \
  -DRAG_FAISS_BUILD \
  "$here/rag_faiss_simd.cpp" "$here/rag_faiss.cpp" \
  -Wl,--allow-multiple-definition \
  -Wl,--whole-archive "$faiss_a" -Wl,--no-whole-archive \
  $blas -llapack -fopenmp \
  -Wl,--version-script="$here/exports.map" \
  -o "$out/librag_faiss.so.tmp"
mv -f "$out/librag_faiss.so.tmp" "$out/librag_faiss.so"
echo "$out/librag_faiss.so"

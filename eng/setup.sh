#!/usr/bin/env bash
# Idempotent setup for Rag, sourced by ./rag. Each step checks first and does nothing when its result is present.
# Pinned inputs: change them here and the stamps below force the affected step to run again.
LLAMA_NPM_VERSION="3.22.1"
LLAMA_CPU_PKG="@node-llama-cpp/linux-x64"
# npm integrity sha512-5uCCDNqWCNfaAm8aR/Uzxbo4HBpKgNF91kCHPepKhgMgV2OAmatoefbOlMihsqCiH2Od35E/eUHQCFbfRBJuOg==, as hex:
LLAMA_CPU_SHA512="e6e0820cda9608d7da026f1a47f533c5ba381c1a4a80d17dd640873dea4a86032057638099ab6879f6ce94c8a1b2a0a21f639ddf913f7941d00856df44126e3a"
LLAMA_CUDA_PKG="@node-llama-cpp/linux-x64-cuda"
# npm integrity sha512-8rQCjyNNLZJUFit+YpjwlC4hwkKgOMIkB2wuycKBf8NU2O3ySKbiWZQ8aw9ku2nUTXjSnUIrE6KB88itduTBuA==, as hex:
LLAMA_CUDA_SHA512="f2b4028f234d2d9254162b7e6298f0942e21c242a038c224076c2ec9c2817fc354d8edf248a6e259943c6b0f64bb69d44d78d29d422b13a281f3c8ad76e4c1b8"
DEB_PACKAGES=(libfaiss-dev libblas-dev liblapack-dev libopenblas-dev poppler-utils tmux)  # tmux: the chat console test

NATIVE="$ROOT/.native"
LOGDIR="$ROOT/.rag/logs"

say() { printf 'rag setup: %s\n' "$*" >&2; }
die() { printf 'rag setup: error: %s\n' "$*" >&2; exit 1; }

setup_debian_packages() {
  local missing=() p
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  mkdir -p "$LOGDIR"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } \
    >"$LOGDIR/apt.log" 2>&1 || die "apt-get failed; see $LOGDIR/apt.log"
}

# npm pack PKG@VER, check the tarball against the pinned sha512 (npm's integrity hash), unpack bins/<dir> into .native/llama/<dir>.
fetch_llama_package() {
  local pkg="$1" integrity="$2" dir="$3" tmp tgz actual
  [ -f "$NATIVE/llama/$dir/.complete" ] && return 0
  command -v npm >/dev/null || die "npm is needed to fetch the llama.cpp libraries ($pkg@$LLAMA_NPM_VERSION); install node/npm"
  say "fetching $pkg@$LLAMA_NPM_VERSION"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack -s "$pkg@$LLAMA_NPM_VERSION" >/dev/null 2>"$tmp/npm.err") \
    || { cat "$tmp/npm.err" >&2; rm -rf "$tmp"; die "npm pack $pkg@$LLAMA_NPM_VERSION failed"; }
  tgz="$(ls "$tmp"/*.tgz)"
  actual="$(sha512sum "$tgz" | cut -d' ' -f1)"
  if [ "$actual" != "$integrity" ]; then rm -rf "$tmp"; die "integrity mismatch for $pkg: expected $integrity, got $actual"; fi
  mkdir -p "$tmp/x" && tar xzf "$tgz" -C "$tmp/x"
  rm -rf "$NATIVE/llama/$dir" && mkdir -p "$NATIVE/llama"
  mv "$tmp/x/package/bins/$dir" "$NATIVE/llama/$dir"
  echo "$pkg@$LLAMA_NPM_VERSION $integrity" > "$NATIVE/llama/$dir/.complete"
  rm -rf "$tmp"
}

nvidia_driver_present() { [ -r /proc/driver/nvidia/version ] || ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1'; }

setup_llama() {
  fetch_llama_package "$LLAMA_CPU_PKG" "$LLAMA_CPU_SHA512" linux-x64
  if nvidia_driver_present; then fetch_llama_package "$LLAMA_CUDA_PKG" "$LLAMA_CUDA_SHA512" linux-x64-cuda; fi
}

setup_faiss_shim() {
  local src_hash stamp="$NATIVE/faiss/.source-hash"
  [ -f "$ROOT/native/faiss/build.sh" ] || return 0
  src_hash="$(cat "$ROOT"/native/faiss/*.cpp "$ROOT/native/faiss/build.sh" | sha256sum | cut -d' ' -f1)"
  [ -f "$NATIVE/faiss/librag_faiss.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$src_hash" ] && return 0
  say "building the FAISS shim"
  mkdir -p "$NATIVE/faiss" "$LOGDIR"
  bash "$ROOT/native/faiss/build.sh" "$NATIVE/faiss" >"$LOGDIR/faiss-build.log" 2>&1 \
    || die "building the FAISS shim failed; see $LOGDIR/faiss-build.log"
  echo "$src_hash" > "$stamp"
}

rag_setup() {
  local start=$SECONDS
  setup_debian_packages
  setup_llama
  setup_faiss_shim
  [ "${RAG_SETUP_TIMING:-0}" = 1 ] && say "setup check took $((SECONDS - start)) s"
  return 0
}

# Builds the CLI only when a source or project file is newer than the last successful build.
rag_build_host() {
  local stamp="$ROOT/.rag/build.stamp" dll="$ROOT/src/Rag.Host/bin/Release/net10.0/rag.dll"
  if [ -f "$stamp" ] && [ -f "$dll" ] && [ -z "$(find "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Directory.Build.targets" "$ROOT/Directory.Packages.props" \
      \( -name bin -o -name obj \) -prune -o -newer "$stamp" -type f -print -quit)" ]; then
    return 0
  fi
  mkdir -p "$LOGDIR"
  say "building (log: .rag/logs/build.log)"
  dotnet build "$ROOT/src/Rag.Host/Rag.Host.csproj" -c Release -nologo -v q >"$LOGDIR/build.log" 2>&1 \
    || { tail -n 30 "$LOGDIR/build.log" >&2; die "build failed; see $LOGDIR/build.log"; }
  touch "$stamp"
}

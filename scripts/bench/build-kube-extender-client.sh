#!/usr/bin/env bash
# Builds bench/kube-extender-client (a driver around kube-scheduler's own extender client, scheduler.NewHTTPExtender)
# against a pinned k8s.io/kubernetes, into a per-user cache; reuses the Go module and build caches that
# scripts/e2e/install-binaries.sh fills, so with those present nothing new is downloaded and little is compiled.
#
#   scripts/bench/build-kube-extender-client.sh          build when missing or stale; print the binary's path last
#   scripts/bench/build-kube-extender-client.sh --path   print the binary's path without building
#   scripts/bench/build-kube-extender-client.sh --check  exit 0 when the binary is present and current, 1 otherwise
#
# Build time on the shared 2-core machine: about 5 s with the e2e caches filled (go mod tidy finds everything, only
# main and the link are new); about 5 min with no caches at all (30 s of module downloads, the rest compiling).
#
# go.mod, go.sum and a copy of main.go are generated in the cache (like the e2e wrapper modules): the repo keeps
# only main.go. The stamp records the Kubernetes version and main.go's hash, so editing main.go rebuilds.
#
# Environment: TESSERA_BENCH_K8S_VERSION overrides the pin (default 1.35.4, as the e2e binaries);
# TESSERA_E2E_CACHE the e2e cache root whose gomod/ and gobuild/ are reused (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/tessera/e2e).
set -euo pipefail
# shellcheck source=../lib/kube-go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/kube-go-module.sh"

K8S_VERSION="${TESSERA_BENCH_K8S_VERSION:-1.35.4}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MAIN_GO="$REPO_ROOT/bench/kube-extender-client/main.go"

CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/tessera"
E2E_CACHE="${TESSERA_E2E_CACHE:-$CACHE_BASE/e2e}"
OUT_DIR="$CACHE_BASE/bench/$K8S_VERSION"
SRC_DIR="$OUT_DIR/src"
BIN="$OUT_DIR/kube-extender-client"
STAMP="$OUT_DIR/.stamp-kube-extender-client"

want_stamp() { echo "k8s.io/kubernetes v${K8S_VERSION} main.go $(sha256sum "$MAIN_GO" | cut -d' ' -f1)"; }
is_current() { [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$(want_stamp)" ]]; }

case "${1:-}" in
  --path) echo "$BIN"; exit 0 ;;
  --check) is_current; exit $? ;;
  "") ;;
  *) echo "build-kube-extender-client: unknown argument \"$1\": use --path, --check or nothing" >&2; exit 2 ;;
esac

if is_current; then
  echo "build-kube-extender-client: cached in $BIN" >&2
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "build-kube-extender-client: cannot build: \"go\" is not on PATH" >&2; exit 1; }

mkdir -p "$SRC_DIR" "$E2E_CACHE"
# One builder at a time per version; a second caller waits, then finds the stamp.
exec 9>"$CACHE_BASE/bench/$K8S_VERSION.lock"
flock 9
if is_current; then echo "$BIN"; exit 0; fi

kube_go_env "$E2E_CACHE"

started=$SECONDS
step() { echo "build-kube-extender-client: [$((SECONDS - started))s] $*" >&2; }

kube_wrapper_gomod tessera.local/bench/kube-extender-client "$K8S_VERSION" >"$SRC_DIR/go.mod.new"
# Keep the previous go.sum when the pins did not change, so tidy has nothing to look up.
if ! cmp -s "$SRC_DIR/go.mod.new" "$SRC_DIR/go.mod.pins" 2>/dev/null; then rm -f "$SRC_DIR/go.sum"; fi
cp "$SRC_DIR/go.mod.new" "$SRC_DIR/go.mod.pins"
mv "$SRC_DIR/go.mod.new" "$SRC_DIR/go.mod"
cp "$MAIN_GO" "$SRC_DIR/main.go"

step "resolving k8s.io/kubernetes v${K8S_VERSION} modules"
(cd "$SRC_DIR" && go mod tidy)
step "building kube-extender-client against k8s.io/kubernetes v${K8S_VERSION}"
# Niced: a cold build (minutes) may run inside `npm test` beside other test files on a shared machine.
(cd "$SRC_DIR" && nice -n 19 go build -p "$GOMAXPROCS" -ldflags="-s -w" -o "$BIN.tmp" .)
mv "$BIN.tmp" "$BIN"
want_stamp >"$STAMP"
step "built $BIN"
echo "$BIN"

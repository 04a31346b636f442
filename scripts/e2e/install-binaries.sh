#!/usr/bin/env bash
# Builds pinned kube-apiserver, kube-scheduler, etcd and kwok from the Go module proxy with the machine's Go,
# into a per-user cache that later runs and fresh clones reuse.
#
#   scripts/e2e/install-binaries.sh            build what is missing; print the bin directory on the last line
#   scripts/e2e/install-binaries.sh --bin-dir  print the bin directory without building
#   scripts/e2e/install-binaries.sh --check    exit 0 when every binary is present and stamped, 1 otherwise
#
# Release downloads are not reachable here, and `go install k8s.io/kubernetes/cmd/...@v1.x` refuses a module
# with replace directives, so Kubernetes and etcd are built inside small wrapper modules that pin every
# staging module (see shared/reference/kubernetes-and-nvidia-facts.md section 7).
#
# Environment: TESSERA_E2E_K8S_VERSION, TESSERA_E2E_ETCD_VERSION, TESSERA_E2E_KWOK_VERSION override the pins;
# TESSERA_E2E_CACHE overrides the cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/tessera/e2e).
set -euo pipefail
# shellcheck source=../lib/kube-go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/kube-go-module.sh"

K8S_VERSION="${TESSERA_E2E_K8S_VERSION:-1.35.4}"
ETCD_VERSION="${TESSERA_E2E_ETCD_VERSION:-3.6.16}"
KWOK_VERSION="${TESSERA_E2E_KWOK_VERSION:-0.8.0}"

CACHE_ROOT="${TESSERA_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/e2e}"
VERSIONS="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
BIN_DIR="$CACHE_ROOT/$VERSIONS/bin"
SRC_DIR="$CACHE_ROOT/$VERSIONS/src"

# name -> version that the stamp must record
declare -A WANT=(
  [kube-apiserver]="$K8S_VERSION"
  [kube-scheduler]="$K8S_VERSION"
  [etcd]="$ETCD_VERSION"
  [kwok]="$KWOK_VERSION"
)

is_current() { # name
  [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/.stamp-$1" && "$(cat "$BIN_DIR/.stamp-$1")" == "${WANT[$1]}" ]]
}

all_current() {
  local name
  for name in "${!WANT[@]}"; do is_current "$name" || return 1; done
  [[ -f "$BIN_DIR/kwok-stages.yaml" ]]
}

case "${1:-}" in
  --bin-dir) echo "$BIN_DIR"; exit 0 ;;
  --check) all_current; exit $? ;;
  "") ;;
  *) echo "install-binaries: unknown argument \"$1\": use --bin-dir, --check or nothing" >&2; exit 2 ;;
esac

if all_current; then
  echo "install-binaries: cached in $BIN_DIR" >&2
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { echo "install-binaries: cannot build: \"go\" is not on PATH" >&2; exit 1; }

mkdir -p "$BIN_DIR" "$SRC_DIR"
# One builder at a time per version set; a second caller waits, then finds the stamps.
exec 9>"$CACHE_ROOT/$VERSIONS.lock"
flock 9
if all_current; then echo "$BIN_DIR"; exit 0; fi

# Module and build caches live under the same root, so a fresh clone on this machine reuses them.
kube_go_env "$CACHE_ROOT"
PAR="-p ${GOMAXPROCS}"

started=$SECONDS
step() { echo "install-binaries: [$((SECONDS - started))s] $*" >&2; }
stamp() { echo "${WANT[$1]}" >"$BIN_DIR/.stamp-$1"; }

# ---- Kubernetes: kube-apiserver and kube-scheduler from one wrapper module -------------------------------
if ! is_current kube-apiserver || ! is_current kube-scheduler; then
  dir="$SRC_DIR/kube"
  mkdir -p "$dir"
  kube_wrapper_gomod tessera.local/e2e/kube "$K8S_VERSION" >"$dir/go.mod"
  # The mains are upstream's own packages; this file only makes `go mod tidy` keep their dependencies.
  cat >"$dir/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
EOF
  step "resolving k8s.io/kubernetes v${K8S_VERSION} modules"
  (cd "$dir" && go mod tidy)
  ver="k8s.io/component-base/version"
  cver="k8s.io/client-go/pkg/version"
  minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  ldflags="-s -w"
  for p in "$ver" "$cver"; do
    ldflags+=" -X $p.gitVersion=v${K8S_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${minor} -X $p.gitTreeState=clean"
  done
  step "building kube-apiserver and kube-scheduler v${K8S_VERSION}"
  (cd "$dir" && go build $PAR -ldflags="$ldflags" -o "$BIN_DIR/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler)
  stamp kube-apiserver
  stamp kube-scheduler
  step "built kube-apiserver and kube-scheduler"
fi

# ---- etcd: upstream's server main from a wrapper module -----------------------------------------------
if ! is_current etcd; then
  dir="$SRC_DIR/etcd"
  mkdir -p "$dir"
  cat >"$dir/go.mod" <<EOF
module tessera.local/e2e/etcd

go 1.25.0

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
EOF
  cat >"$dir/tools.go" <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
  step "resolving etcd v${ETCD_VERSION} modules"
  (cd "$dir" && go mod tidy)
  step "building etcd v${ETCD_VERSION}"
  (cd "$dir" && go build $PAR -ldflags="-s -w" -o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3)
  stamp etcd
  step "built etcd"
fi

# ---- kwok: go install works as is (no replace directives) ----------------------------------------------
if ! is_current kwok; then
  step "building kwok v${KWOK_VERSION}"
  GOBIN="$BIN_DIR" go install $PAR -ldflags="-s -w" "sigs.k8s.io/kwok/cmd/kwok@v${KWOK_VERSION}"
  stamp kwok
  step "built kwok"
fi

# ---- kwok stages: the controller needs them (kwokctl passes the same "fast" set) -------------------------
if [[ ! -f "$BIN_DIR/kwok-stages.yaml" ]]; then
  stages="$GOMODCACHE/sigs.k8s.io/kwok@v${KWOK_VERSION}/kustomize/stage"
  [[ -d "$stages" ]] || go mod download "sigs.k8s.io/kwok@v${KWOK_VERSION}"
  for f in node/fast/node-initialize.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$stages/$f"
  done >"$BIN_DIR/kwok-stages.yaml.tmp"
  mv "$BIN_DIR/kwok-stages.yaml.tmp" "$BIN_DIR/kwok-stages.yaml"
  step "wrote kwok stages"
fi

step "all binaries ready in $BIN_DIR"
echo "$BIN_DIR"

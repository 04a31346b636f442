#!/usr/bin/env bash
# Installs the image tools `npm run image` uses (Debian's buildah, umoci, skopeo), idempotently: nothing is done
# when all three are on PATH. Needs root (apt-get), as on this project's machines and CI.
set -euo pipefail
missing=()
for tool in buildah umoci skopeo; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "install-tools: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends buildah umoci skopeo >&2

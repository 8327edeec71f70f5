#!/usr/bin/env bash
# Base images for the compose stack on a host that cannot pull them. For each of the Dockerfile's
# bases (mcr.microsoft.com/dotnet/sdk:10.0 and .../aspnet:10.0): an image already present is used,
# else it is pulled, else a stand-in is built from a Debian bookworm rootfs (debootstrap
# --variant=minbase) with this host's .NET and CA bundle, under the official name. Prometheus and
# node-exporter come from this host's Debian packages in local images
# (localhost/shootout-prometheus:debian, localhost/shootout-node-exporter:debian).
#
# Every stand-in carries the label io.shootout.stand-in=<key>, the key hashing what it was made of
# (this recipe, the rootfs, the .NET install, the CA bundle, the binaries): a stand-in whose key
# differs is stale and is rebuilt. The rootfs tarball is kept in $SHOOTOUT_CACHE (debootstrap takes
# the longest). Runs `podman` as configured by the caller (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF).
set -euo pipefail

cache=${SHOOTOUT_CACHE:-/var/cache/shootout}
mirror=${SHOOTOUT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
ca_bundle=/etc/ssl/certs/ca-certificates.crt
recipe=1   # raise when the recipe below changes: every stand-in is rebuilt
# libicu: .NET's globalization; libssl: its TLS (NuGet restores over https); wget: the Prometheus healthcheck.
includes=libicu72,libssl3,wget

say() { echo "stand-in-images: $*"; }
# debootstrap mounts /proc and /sys inside the rootfs: unmount whatever is left there before removing it.
discard() {
  findmnt -rn -o TARGET | grep -F "$1/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$1" "$1.log"
}
sha() { sha256sum | cut -c1-16; }
label_of() { podman image inspect --format '{{ index .Config.Labels "io.shootout.stand-in" }}' "$1" 2>/dev/null || echo absent; }

rootfs_key=$(printf 'recipe %s bookworm minbase %s mirror %s ca %s\n' "$recipe" "$includes" "$mirror" "$(sha <"$ca_bundle")" | sha)
base=localhost/shootout-bookworm:$rootfs_key

# The rootfs: Debian bookworm, the host's CA bundle (the package feeds are reached through a
# certificate authority this host trusts) and the `app` user the official .NET images have.
ensure_base() {
  if podman image exists "$base"; then return; fi
  local tarball=$cache/bookworm-minbase-$rootfs_key.tar
  if [ ! -s "$tarball" ]; then
    local dir
    dir=$(mktemp -d "$cache/rootfs.XXXXXX")
    say "debootstrap --variant=minbase bookworm (once per key $rootfs_key)"
    debootstrap --variant=minbase --include="$includes" bookworm "$dir" "$mirror" >"$dir.log" 2>&1 \
      || { tail -20 "$dir.log" >&2; discard "$dir"; say "debootstrap failed"; return 1; }
    mkdir -p "$dir/etc/ssl/certs" "$dir/home/app"
    cp "$ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
    echo 'app:x:1654:1654:app:/home/app:/bin/sh' >>"$dir/etc/passwd"
    echo 'app:x:1654:' >>"$dir/etc/group"
    chown 1654:1654 "$dir/home/app"
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    discard "$dir"
    # Older rootfs tarballs are stale.
    find "$cache" -maxdepth 1 -name 'bookworm-minbase-*.tar' ! -name "${tarball##*/}" -delete
  fi
  podman import --quiet "$tarball" "$base" >/dev/null
}

# build NAME KEY CONTEXT: builds a stand-in from a Containerfile on stdin, unless one with KEY exists.
# A stale one (another key) is removed once its successor has its name.
build() {
  local name=$1 key=$2 context=$3 file stale
  if [ "$(label_of "$name")" = "$key" ]; then say "$name: cached stand-in"; return; fi
  stale=$(podman image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)
  ensure_base
  file=$(mktemp)
  { echo "FROM $base"; cat; echo "LABEL io.shootout.stand-in=$key"; } >"$file"
  say "$name: building the stand-in"
  podman build --quiet --pull=never --network=none -f "$file" -t "$name" "$context" >/dev/null \
    || { rm -f "$file"; say "$name: build failed"; return 1; }
  rm -f "$file"
  [ -z "$stale" ] || podman rmi "$stale" >/dev/null 2>&1 || true
}

# An official image: present (pulled before, not a stand-in) or pullable, else a stand-in.
dotnet_base() {
  local name=$1 key=$2 label
  label=$(label_of "$name")
  if [ "$label" = "$key" ]; then say "$name: cached stand-in"; return; fi
  if [ "$label" = "" ]; then say "$name: present (not a stand-in)"; return; fi
  if timeout 300 podman pull --quiet "$name" >/dev/null 2>&1; then say "$name: pulled"; return; fi
  say "$name: cannot be pulled; a stand-in from this host's .NET ($dotnet_root)"
  build "$name" "$key" "$dotnet_root"
}

env_lines() {
  echo "ENV DOTNET_ROOT=/usr/share/dotnet PATH=/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  echo "ENV DOTNET_RUNNING_IN_CONTAINER=true APP_UID=1654 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
  # The host's NuGet revocation setting: the feeds' certificate authority has no reachable CRL here.
  [ -z "${NUGET_CERT_REVOCATION_MODE:-}" ] || echo "ENV NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE"
}

mkdir -p "$cache"
dotnet_key=$(printf '%s %s\n%s\n' "$rootfs_key" "${NUGET_CERT_REVOCATION_MODE:-}" "$(dotnet --list-sdks; dotnet --list-runtimes)" | sha)

dotnet_base mcr.microsoft.com/dotnet/sdk:10.0 "sdk-$dotnet_key" <<<"$(env_lines; echo 'COPY . /usr/share/dotnet/')"
dotnet_base mcr.microsoft.com/dotnet/aspnet:10.0 "aspnet-$dotnet_key" <<<"$(env_lines
  echo 'ENV ASPNETCORE_HTTP_PORTS=8080'
  echo 'COPY dotnet /usr/share/dotnet/dotnet'
  echo 'COPY host /usr/share/dotnet/host'
  echo 'COPY shared /usr/share/dotnet/shared')"

# Prometheus and node-exporter: the host's Debian binaries, entrypoints as in the official images.
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
cp "$(command -v prometheus)" "$bin_dir/prometheus"
cp "$(command -v prometheus-node-exporter)" "$bin_dir/node_exporter"
mkdir "$bin_dir/data"
bin_key=$(cat "$bin_dir/prometheus" "$bin_dir/node_exporter" | sha)
build localhost/shootout-prometheus:debian "prometheus-$rootfs_key-$bin_key" "$bin_dir" <<'FILE'
COPY --chown=65534:65534 prometheus /bin/prometheus
COPY --chown=65534:65534 data /prometheus
USER 65534
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
FILE
build localhost/shootout-node-exporter:debian "node-exporter-$rootfs_key-$bin_key" "$bin_dir" <<'FILE'
COPY node_exporter /bin/node_exporter
USER 65534
ENTRYPOINT ["/bin/node_exporter"]
FILE

#!/usr/bin/env bash
# The one prerequisite installer: what `make test`, `make run` and `make compose-smoke` need from the
# system. As root on Debian it installs whatever is missing with apt-get (one `apt-get update` first);
# otherwise it prints the exact command to run and exits 1.
#
#   tools/prereqs.sh [GROUP...]      groups: run, test, compose, bench (default: run)
#
# Adding a package: put "command:package" (the command proves the package is there) into the group
# that needs it below. A command may be an absolute path (for files that are not executables).
set -euo pipefail

# The build itself: every group needs these.
base=(make:make gcc:gcc curl:curl)

# make run: the runner starts a local Prometheus when it is on PATH (optional there, but wanted), and counts
# the servers' syscalls per message with perf (without it, that column is left empty and says why).
run=(prometheus:prometheus perf:linux-perf)

# make test: dashboards and rules are checked against a real Prometheus and promtool, kernel slab
# memory comes from node-exporter, the compose file is read by a real compose implementation, HTML
# reports are opened headless, the dashboard is type-checked with Node against Grafana's schema, socat is the
# runner's example of someone else's server (--contender).
test=(prometheus:prometheus promtool:prometheus prometheus-node-exporter:prometheus-node-exporter strace:strace
      docker-compose:docker-compose chromium:chromium node:nodejs npm:npm socat:socat)

# make compose-smoke: a real container engine (podman with runc; docker-compose talks to its API
# socket; catatonit is its init for `init: true`), debootstrap for stand-in base images, nft/iptables
# to check the host's rules afterwards.
compose=(podman:podman runc:runc /usr/libexec/podman/catatonit:catatonit docker-compose:docker-compose debootstrap:debootstrap nft:nftables
         iptables:iptables python3:python3 jq:jq)

# make bench / make references / make seed: the reference servers' toolchains (Go, Rust), GNU time, perf (syscalls per message).
bench=(go:golang-go rustc:rustc cargo:cargo /usr/bin/time:time strace:strace perf:linux-perf)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(run)

has() {
  case $1 in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

missing=()
wanted=("${base[@]}")
for group in "${groups[@]}"; do
  case $group in
    run) wanted+=("${run[@]}") ;;
    test) wanted+=("${test[@]}" "${run[@]}") ;;
    compose) wanted+=("${compose[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    *) echo "tools/prereqs.sh: unknown group '$group' (run, test, compose, bench)" >&2; exit 2 ;;
  esac
done
for entry in "${wanted[@]}"; do
  cmd=${entry%%:*} pkg=${entry#*:}
  has "$cmd" || [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done

# .NET is not a Debian package: say where it comes from rather than guessing a repository.
if ! command -v dotnet >/dev/null 2>&1; then
  echo "tools/prereqs.sh: the .NET 10 SDK is missing: install it (https://dotnet.microsoft.com/download/dotnet/10.0) so 'dotnet' is on PATH" >&2
  exit 1
fi

[ ${#missing[@]} -eq 0 ] && exit 0

install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "tools/prereqs.sh: missing packages for '${groups[*]}': ${missing[*]}" >&2
  if command -v apt-get >/dev/null 2>&1; then
    echo "  run: sudo apt-get update && sudo ${install[*]}" >&2
  else
    echo "  install them with your distribution's package manager (names are Debian's)" >&2
  fi
  exit 1
fi

echo "tools/prereqs.sh: installing ${missing[*]}"
# Wait for a concurrent apt/dpkg rather than failing on its lock.
lock=(-o DPkg::Lock::Timeout=600)
DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"

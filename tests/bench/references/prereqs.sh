#!/usr/bin/env bash
# The reference servers' and the seed experiment's toolchains, from Debian: golang-go (1.19),
# rustc and cargo (1.63), and GNU time (/usr/bin/time). As root, what is missing is installed with
# apt-get; otherwise what is missing is named, with the command that installs it.
#   tests/bench/references/prereqs.sh [--check]   (--check: only say what is missing; exit 1 if anything is)
# A toolchain that is still missing afterwards is not fatal: the rows it builds are left out, each
# with a line saying why (references/build.sh).
set -uo pipefail
check_only=0
[ "${1:-}" = --check ] && check_only=1
# package:command that proves it is there
wanted=(golang-go:go rustc:rustc cargo:cargo time:/usr/bin/time)
missing=()
for w in "${wanted[@]}"; do
  pkg=${w%%:*} cmd=${w#*:}
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && continue
  missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if (( check_only )) || [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
  echo "references: missing Debian packages: ${missing[*]} (install: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "references: installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }  # another apt-get may hold the lock for a while: wait for it
ls /var/lib/apt/lists/*_Packages > /dev/null 2>&1 || apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
  || { apt_get update -qq && apt_get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; } \
  || { echo "references: apt-get could not install ${missing[*]}" >&2; exit 1; }

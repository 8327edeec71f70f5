#!/usr/bin/env bash
# The bare-Socket async reference (dotnet-socket-echo/) at the million's scale: as many SO_REUSEPORT copies
# as the open-file limit requires, warmed up as the runner warms up an engine, then the load generator's
# `hold` of never-used connections; prints the copies' summed RSS growth per connection. It answers
# "what would async/await on .NET's sockets cost at a million without Kestrel's transport on top".
#   tests/bench/dotnet-socket-million.sh [--connections 1000000]   (needs bin/shootout-loadgen: make build)
# As root it raises net.core.somaxconn, net.ipv4.tcp_max_syn_backlog and net.ipv4.ip_local_port_range
# for the run, says so, and puts them back when it ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
connections=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    *) echo "dotnet-socket-million: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$connections" =~ ^[0-9]+$ && "$connections" -gt 0 ]] || { echo "dotnet-socket-million: --connections must be a positive integer" >&2; exit 2; }
loadgen="$root/bin/shootout-loadgen"
[ -x "$loadgen" ] || { echo "dotnet-socket-million: $loadgen is missing: run make build first" >&2; exit 1; }

# Each copy planned to 85% of its descriptor budget, as the runner plans its copies (SO_REUSEPORT spreads unevenly).
per_copy=$(( ($(ulimit -n) - 1000) * 85 / 100 ))
copies=$(( (connections + per_copy - 1) / per_copy ))
work=$(mktemp -d)
pids=() loadgen_pid=
source "$root/tests/lib/sysctl-for-run.sh"
source "$root/tests/lib/bench-servers.sh"
cleanup() {
  [ -n "$loadgen_pid" ] && kill -TERM "$loadgen_pid" 2>/dev/null || true
  [ -n "$loadgen_pid" ] && { for _ in $(seq 120); do kill -0 "$loadgen_pid" 2>/dev/null || break; sleep 0.5; done; kill -KILL "$loadgen_pid" 2>/dev/null || true; }
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  sysctl_put_back
}
trap cleanup EXIT
sysctl_at_least net.core.somaxconn 16384
sysctl_at_least net.ipv4.tcp_max_syn_backlog 16384
read -r eph_lo eph_hi < /proc/sys/net/ipv4/ip_local_port_range
(( eph_lo <= 15000 && eph_hi >= 64999 )) || sysctl_set net.ipv4.ip_local_port_range "$(( eph_lo < 15000 ? eph_lo : 15000 )) $(( eph_hi > 64999 ? eph_hi : 64999 ))"

gcc -O2 -o "$work/bench-client" "$here/bench-client.c"
dotnet publish "$here/dotnet-socket-echo" -c Release -o "$work/server" --nologo -v quiet > "$work/publish.out" 2>&1 \
  || { echo "dotnet-socket-million: dotnet-socket-echo did not build: $(tail -3 "$work/publish.out")" >&2; exit 1; }
port=$(first_server_port 223)
started() {  # waits for copy $1 to listen; false if it exits first
  for _ in $(seq 300); do grep -q listening "$work/server-$1.out" 2>/dev/null && return 0; kill -0 "${pids[$1 - 1]}" 2>/dev/null || return 1; sleep 0.1; done
  return 1
}
for _ in 1 2 3 4 5; do
  "$work/server/dotnet-socket-echo" "$port" > "$work/server-1.out" 2>&1 & pids=($!)
  started 1 && break
  grep -qi "cannot listen" "$work/server-1.out" || break
  port=$((port + 1))  # taken meanwhile: the next one
done
started 1 || { echo "dotnet-socket-million: the first copy did not start: $(tail -1 "$work/server-1.out")" >&2; exit 1; }
for i in $(seq 2 "$copies"); do "$work/server/dotnet-socket-echo" "$port" > "$work/server-$i.out" 2>&1 & pids+=($!); done
for i in $(seq 2 "$copies"); do
  started "$i" || { echo "dotnet-socket-million: copy $i did not start: $(tail -1 "$work/server-$i.out")" >&2; exit 1; }
done
rss_kb() { local t=0 p; for p in "${pids[@]}"; do t=$(( t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status") )); done; echo "$t"; }
fds() { local t=0 p; for p in "${pids[@]}"; do t=$(( t + $(ls "/proc/$p/fd" | wc -l) )); done; echo "$t"; }
mem_available_mib() { awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo; }

# Warm-up, as the runner's: at least 100 connections per copy, each used once, then closed.
warm=$(( copies * 100 > 200 ? copies * 100 : 200 ))
touch "$work/warm"
"$work/bench-client" accept 127.13.250.1 "$port" "$warm" "$work/warm" > "$work/warm.out" & client=$!
for _ in $(seq 600); do [ -s "$work/warm.out" ] || ! kill -0 $client 2>/dev/null && break; sleep 0.1; done
sleep 1; rm -f "$work/warm"; wait $client || true; sleep 3
until_steady fds  # the baseline once the copies have closed every warm-up connection
base_rss=$(rss_kb) base_fds=$(fds)
echo "$copies copies on port $port; baseline RSS $(( base_rss / 1024 )) MiB, MemAvailable $(mem_available_mib) MiB"

start=$(date +%s%N) end=$(date +%s%N)
"$loadgen" hold --target "127.13.0.1:$port" --dest-addresses $(( (connections + 19999) / 20000 )) --connections "$connections" \
  --connect-rate 30000 --duration 600s --agents auto --report-dir "$work/hold" > "$work/hold.out" 2>&1 & loadgen_pid=$!
# Held = the copies' descriptors beyond the baseline (nothing is echoed on a never-used connection).
held=0 last=0 since=$(date +%s)
while (( held < connections )); do
  sleep 1
  held=$(( $(fds) - base_fds ))
  (( held > last )) && { last=$held; since=$(date +%s); end=$(date +%s%N); }
  kill -0 "$loadgen_pid" 2>/dev/null || { echo "dotnet-socket-million: the load generator exited: $(tail -3 "$work/hold.out")" >&2; exit 1; }
  (( $(date +%s) - since < 30 )) || { echo "dotnet-socket-million: no progress for 30 s at $held held" >&2; break; }
done
sleep 5  # let the copies settle
held=$(( $(fds) - base_fds )) held_rss=$(rss_kb)
growth_kb=$(( held_rss - base_rss ))
printf 'held %d of %d in %.1f s; RSS growth %d MiB = %d B/conn over %d copies; MemAvailable %d MiB\n' \
  "$held" "$connections" "$(( (end - start) / 1000000 ))e-3" $(( growth_kb / 1024 )) $(( growth_kb * 1024 / (held > 0 ? held : 1) )) "$copies" "$(mem_available_mib)"
(( held >= connections ))

#!/usr/bin/env bash
# SIGTERM with many connections open, per engine: the server copies (SO_REUSEPORT, as many as the
# open-file limit requires) hold --connections idle connections from the load generator, then all get
# SIGTERM at once; each must close everything and exit 0 within 5 s.
#   tests/faults/sigterm-at-scale.sh [--connections 100000] [--engines threads,async,epoll,uring]   (make faults-scale)
# As root it raises kernel.pid_max, kernel.threads-max and vm.max_map_count when the threads engine
# needs more, says so, and puts them back when it ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
connections=100000 engines="threads,async,epoll,uring"
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    *) echo "sigterm-at-scale: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$connections" =~ ^[0-9]+$ && "$connections" -gt 0 ]] || { echo "sigterm-at-scale: --connections must be a positive integer" >&2; exit 2; }

per_copy=$(( $(ulimit -n) - 128 - 64 ))           # the server's descriptor budget, with room to spare
copies=$(( (connections + per_copy - 1) / per_copy ))
work=$(mktemp -d)
pids=() loadgen=
source "$root/tests/lib/sysctl-for-run.sh"
cleanup() {
  [ -n "$loadgen" ] && kill -INT "$loadgen" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  sysctl_put_back  # the servers are gone
}
trap cleanup EXIT

if [[ ",$engines," == *",threads,"* ]]; then
  sysctl_at_least kernel.pid_max $(( connections * 2 + 10000 )) "the threads engine"
  sysctl_at_least kernel.threads-max $(( connections * 2 + 10000 )) "the threads engine"
  sysctl_at_least vm.max_map_count $(( per_copy * 5 + 10000 )) "the threads engine"
fi

read -r eph_lo _ < /proc/sys/net/ipv4/ip_local_port_range
port=$(( eph_lo > 2100 ? eph_lo - 900 : 7200 ))
printf '%-8s %9s %7s %16s %10s\n' engine held copies "slowest exit s" "all exit 0" | tee "$work/table"
status=0
for engine in ${engines//,/ }; do
  port=$((port + 1)); pids=()
  for i in $(seq 1 "$copies"); do
    "$root/bin/shootout-server" --engine "$engine" --port "$port" --reuse-port --metrics-port 0 > "$work/$engine-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$copies"); do
    for _ in $(seq 300); do grep -q listening "$work/$engine-$i.out" 2>/dev/null && break; sleep 0.1; done
  done
  "$root/bin/shootout-loadgen" hold --target "127.0.0.1:$port" --connections "$connections" --connect-rate 30000 \
    --duration 600s --dest-addresses 16 --report-dir "$work/$engine-loadgen" > "$work/$engine-loadgen.out" 2>&1 &
  loadgen=$!
  # Held = connected sockets the server copies own (each holds one descriptor per connection).
  held=0
  for _ in $(seq 600); do
    held=0
    for p in "${pids[@]}"; do held=$(( held + $(ls "/proc/$p/fd" 2>/dev/null | wc -l) )); done
    held=$(( held - copies * 40 ))   # roughly what a server process has open besides connections
    (( held >= connections )) && break
    kill -0 "$loadgen" 2>/dev/null || break
    sleep 0.5
  done
  start=$(date +%s.%N)
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  slowest=0 all_zero=yes
  for p in "${pids[@]}"; do
    code=0; wait "$p" || code=$?
    (( code == 0 )) || all_zero="no (exit $code)"
  done
  slowest=$(echo "$(date +%s.%N) - $start" | bc)
  kill -INT "$loadgen" 2>/dev/null || true; wait "$loadgen" 2>/dev/null || true; loadgen=
  pids=()
  held_report=$(( held > connections ? connections : held ))
  printf '%-8s %9s %7s %16.2f %10s\n' "$engine" "~$held_report" "$copies" "$slowest" "$all_zero" | tee -a "$work/table"
  if [ "$all_zero" != yes ] || (( $(echo "$slowest >= 5" | bc) )); then status=1; fi
  sleep 2
done
mkdir -p "$root/results"
cp "$work/table" "$root/results/sigterm-at-scale-$(date +%Y%m%d-%H%M%S).txt"
exit $status

#!/usr/bin/env bash
# The load generator's own speed, two builds side by side: connections opened per second (`hold`) and
# closed-loop round trips per second (`echo --closed`) against the C reference server, the builds
# alternating over rounds in one run, the server and the generators on CPUs of their own.
#
#   tests/bench/loadgen-speed.sh --baseline OLD_BIN [--loadgen NEW_BIN] [--rounds 3] [--hold-connections 15000]
#                                [--echo-connections 50] [--seconds 5] [--server-cpu 1] [--client-cpu 0]
#
# Prints per round and build: hold connect_rate_per_s, echo --closed msgs/s; then new/old ratios per round.
# Needs jq, taskset and bin/references/c-epoll-echo (make references). Everything it starts it stops.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/bench-servers.sh"
rounds=3 hold_connections=15000 echo_connections=50 seconds=5 server_cpu=1 client_cpu=0
loadgen="$root/bin/shootout-loadgen" baseline=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --hold-connections) hold_connections=$2; shift 2 ;;
    --echo-connections) echo_connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --server-cpu) server_cpu=$2; shift 2 ;;
    --client-cpu) client_cpu=$2; shift 2 ;;
    --loadgen) loadgen=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "loadgen-speed: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$hold_connections" "$echo_connections" "$seconds" "$server_cpu" "$client_cpu"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "loadgen-speed: numbers must be whole and non-negative, got '$v'" >&2; exit 2; }
done
[ -n "$baseline" ] || { echo "loadgen-speed: --baseline OLD_BIN (another build's shootout-loadgen) is required" >&2; exit 2; }
for b in "$loadgen" "$baseline"; do
  [ -x "$b" ] || { echo "loadgen-speed: $b is not an executable" >&2; exit 2; }
done
server_bin="$root/bin/references/c-epoll-echo"
[ -x "$server_bin" ] || { echo "loadgen-speed: $server_bin is missing (make references)" >&2; exit 2; }

work=$(mktemp -d)
server=
stop_all() {
  [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start_c_server loadgen-speed "$server_cpu" "$work/server.log"
echo "load: $(uptime | sed 's/.*load average/load average/')"

hold() {  # hold BIN NAME: connections opened per second
  taskset -c "$client_cpu" "$1" hold --target "127.0.0.1:$port" --connections "$hold_connections" --connect-rate 1000000 \
    --duration 1s --report-dir "$work/$2" --plain > "$work/$2.log" 2>&1 || { echo "loadgen-speed: $2: $(tail -2 "$work/$2.log")" >&2; return 1; }
  jq -r '.connect_rate_per_s | floor' "$work/$2/summary.json"
}
closed() {  # closed BIN NAME: round trips per second
  taskset -c "$client_cpu" "$1" echo --closed --target "127.0.0.1:$port" --connections "$echo_connections" \
    --duration "${seconds}s" --report-dir "$work/$2" --plain > "$work/$2.log" 2>&1 || { echo "loadgen-speed: $2: $(tail -2 "$work/$2.log")" >&2; return 1; }
  jq -r '.rate.achieved | floor' "$work/$2/summary.json"
}
ratio() { awk -v n="$1" -v o="$2" 'BEGIN { printf "%.3f", n / o }'; }

printf '%-6s %14s %14s %7s %14s %14s %7s\n' round hold_old/s hold_new/s ratio closed_old/s closed_new/s ratio
for round in $(seq "$rounds"); do
  ho=$(hold "$baseline" "hold-old-$round"); hn=$(hold "$loadgen" "hold-new-$round")
  co=$(closed "$baseline" "closed-old-$round"); cn=$(closed "$loadgen" "closed-new-$round")
  printf '%-6s %14s %14s %7s %14s %14s %7s  (load %s)\n' "$round" "$ho" "$hn" "$(ratio "$hn" "$ho")" "$co" "$cn" \
    "$(ratio "$cn" "$co")" "$(cut -d' ' -f1 /proc/loadavg)"
done

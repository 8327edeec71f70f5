#!/usr/bin/env bash
# Syscalls per echoed message, engines side by side on one fixed workload: C connections x SIZE-byte
# closed-loop echo for T seconds (bench-client echo), while perf counts every syscall the server process
# enters (raw_syscalls:sys_enter; strace -c -f where perf cannot trace). The C epoll reference shows what
# a plain readiness loop costs (recv + send per message, plus epoll_wait per batch).
#   tests/bench/syscalls.sh [--engines c-epoll,epoll,uring] [--echo-connections 100] [--message-size 64] [--seconds 3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
engines="c-epoll,epoll,uring" connections=100 message_size=64 seconds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift 2 ;;
    --echo-connections) connections=$2; shift 2 ;;
    --message-size) message_size=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "syscalls: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$connections" "$message_size" "$seconds"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -gt 0 ]] || { echo "syscalls: numbers must be positive integers, got '$v'" >&2; exit 2; }
done
if perf stat -e raw_syscalls:sys_enter -- true > /dev/null 2>&1; then counter=perf
elif command -v strace > /dev/null; then counter=strace
else echo "syscalls: needs perf (apt-get install linux-perf) or strace (apt-get install strace)" >&2; exit 1; fi

work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
gcc -O2 -o "$work/bench-client" "$here/bench-client.c"
gcc -O2 -o "$work/c-epoll-echo" "$here/c-epoll-echo.c"
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 1200)
dest=100

# Counts the syscalls of process $1 while "$2..." runs; prints the count.
count_syscalls() {
  local pid=$1; shift
  if [ "$counter" = perf ]; then
    perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$work/count" &
    local perf=$!
    sleep 0.5
    "$@" > "$work/client.out"
    kill -INT "$perf"; wait "$perf" || true
    awk -F, '/raw_syscalls:sys_enter/ {print $1}' "$work/count"
  else
    strace -c -f -q -p "$pid" -o "$work/count" &
    local tracer=$!
    sleep 1
    "$@" > "$work/client.out"
    kill -INT "$tracer"; wait "$tracer" || true
    awk '$NF == "total" {print $(NF-2)}' "$work/count"
  fi
}

printf '%-10s %12s %12s %14s %10s\n' engine messages syscalls syscalls/msg vs_epoll
epoll_ratio=
IFS=, read -ra rows <<< "$engines"
for engine in "${rows[@]}"; do
  dest=$((dest + 1)); host="127.0.0.$dest"; port=$((port + 1))
  if [ "$engine" = c-epoll ]; then
    "$work/c-epoll-echo" "$port" > "$work/$engine.out" 2>&1 &
  else
    "$root/bin/shootout-server" --engine "$engine" --port "$port" --metrics-port 0 > "$work/$engine.out" 2>&1 &
  fi
  server=$!
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
  if ! kill -0 "$server" 2>/dev/null; then
    printf '%-10s failed: %s\n' "$engine" "$(tail -1 "$work/$engine.out")"; server=; continue
  fi
  "$work/bench-client" echo "$host" "$port" "$connections" "$message_size" 1 > /dev/null || true  # warm-up
  calls=$(count_syscalls "$server" "$work/bench-client" echo "$host" "$port" "$connections" "$message_size" "$seconds" || true)
  rate=$(sed -n 's/.*msgs_per_s=\([0-9]*\).*/\1/p' "$work/client.out")
  kill -TERM "$server"; wait "$server" || true; server=
  if [ -z "$rate" ] || [ -z "$calls" ]; then printf '%-10s failed: no count\n' "$engine"; continue; fi
  msgs=$((rate * seconds))
  ratio=$(awk -v c="$calls" -v m="$msgs" 'BEGIN { printf "%.3f", c / m }')
  [ "$engine" = epoll ] && epoll_ratio=$ratio
  vs=$([ -n "$epoll_ratio" ] && awk -v r="$ratio" -v e="$epoll_ratio" 'BEGIN { printf "%.2fx", r / e }' || echo "-")
  printf '%-10s %12s %12s %14s %10s\n' "$engine" "$msgs" "$calls" "$ratio" "$vs"
done
echo "(syscalls the server entered, counted by $counter over ${seconds}s of $connections connections x ${message_size} B closed-loop echo, / messages echoed)"

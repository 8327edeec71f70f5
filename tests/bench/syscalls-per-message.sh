#!/usr/bin/env bash
# Syscalls per echoed message of one running server: a fixed closed-loop echo workload (C connections
# x SIZE bytes for T seconds, by the bench client) while perf counts every syscall the server process
# enters (raw_syscalls:sys_enter; strace -c -f where perf cannot trace).
#   tests/bench/syscalls-per-message.sh ROW PID HOST PORT CLIENT
#     ROW: the row's name (for the line on stderr); PID: the server; CLIENT: the bench-client binary.
#     SYSCALLS_CONNECTIONS (100), SYSCALLS_MESSAGE_SIZE (64), SYSCALLS_SECONDS (2) set the workload.
# Prints key=value lines on stdout (make bench puts them in summary.json) and one readable line on stderr.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: syscalls-per-message.sh ROW PID HOST PORT CLIENT" >&2; exit 2; }
row=$1 pid=$2 host=$3 port=$4 client=$5
connections=${SYSCALLS_CONNECTIONS:-100} size=${SYSCALLS_MESSAGE_SIZE:-64} seconds=${SYSCALLS_SECONDS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if perf stat -e raw_syscalls:sys_enter -- true > /dev/null 2>&1; then
  perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$work/count" &
  counter=$!
  sleep 0.5
  "$client" echo "$host" "$port" "$connections" "$size" "$seconds" > "$work/client.out" || true
  kill -INT "$counter"; wait "$counter" || true
  calls=$(awk -F, '/raw_syscalls:sys_enter/ {print $1}' "$work/count")
  how=perf
elif command -v strace > /dev/null; then
  strace -c -f -q -p "$pid" -o "$work/count" &
  counter=$!
  sleep 1
  "$client" echo "$host" "$port" "$connections" "$size" "$seconds" > "$work/client.out" || true
  kill -INT "$counter"; wait "$counter" || true
  calls=$(awk '$NF == "total" {print $(NF-2)}' "$work/count")
  how=strace
else
  echo "syscalls-per-message: needs perf (apt-get install linux-perf) or strace (apt-get install strace)" >&2
  exit 1
fi
messages=$(sed -n 's/.*messages=\([0-9]*\).*/\1/p' "$work/client.out")
if [[ ! "$calls" =~ ^[0-9]+$ || ! "$messages" =~ ^[0-9]+$ || "$messages" -eq 0 ]]; then
  echo "syscalls-per-message: $row: no count (calls='$calls', messages='$messages')" >&2
  exit 1
fi
per=$(awk -v c="$calls" -v m="$messages" 'BEGIN { printf "%.3f", c / m }')
echo "syscalls_per_msg=$per"
echo "syscall_count_messages=$messages"
printf '%-13s %s syscalls per echoed message (%s syscalls / %s messages, %s x %s B for %ss, %s)\n' \
  "$row" "$per" "$calls" "$messages" "$connections" "$size" "$seconds" "$how" >&2

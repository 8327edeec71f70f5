#!/usr/bin/env bash
# Syscalls per echoed message, engines side by side on one fixed workload: C connections x SIZE-byte
# closed-loop echo for T seconds (bench-client echo), while perf counts every syscall the server process
# enters (raw_syscalls:sys_enter; strace -c -f where perf cannot trace). The C epoll reference shows what
# a plain readiness loop costs (recv + send per message, plus epoll_wait per batch).
#   tests/bench/syscalls.sh [--engines c-epoll,epoll,uring] [--echo-connections 100] [--message-size 64] [--seconds 3]
# A row "uring:-defer-taskrun,-ring-fd" runs the uring engine with those ring features off
# (SHOOTOUT_URING_FEATURES), to measure what each one buys: rows may repeat to alternate them.
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
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
gcc -O2 -o "$work/bench-client" "$here/bench-client.c"
[[ ",$engines," == *",c-epoll,"* ]] && bash "$here/references/build.sh" "$work/references" c > /dev/null
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 1200)
dest=100

printf '%-34s %12s %14s %10s\n' engine messages syscalls/msg vs_epoll
epoll_ratio=
# Split on the commas between rows, not those inside a row's feature list (uring:-a,-b).
mapfile -t rows < <(sed -E 's/,([a-z])/\n\1/g' <<< "$engines")
for row in "${rows[@]}"; do
  engine=${row%%:*} features=
  [[ "$row" == *:* ]] && features=${row#*:}
  dest=$((dest + 1)); host="127.0.0.$dest"; port=$((port + 1))
  if [ "$engine" = c-epoll ]; then
    "$work/references/c-epoll-echo" --port "$port" > "$work/$engine.out" 2>&1 &
  else
    SHOOTOUT_URING_FEATURES=$features "$root/bin/shootout-server" --engine "$engine" --port "$port" --metrics-port 0 > "$work/$engine.out" 2>&1 &
  fi
  server=$!
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
  if ! kill -0 "$server" 2>/dev/null; then
    printf '%-34s failed: %s\n' "$row" "$(tail -1 "$work/$engine.out")"; server=; continue
  fi
  "$work/bench-client" echo "$host" "$port" "$connections" "$message_size" 1 > /dev/null || true  # warm-up
  figures=$(SYSCALLS_CONNECTIONS=$connections SYSCALLS_MESSAGE_SIZE=$message_size SYSCALLS_SECONDS=$seconds \
    bash "$here/syscalls-per-message.sh" "$row" "$server" "$host" "$port" "$work/bench-client" 2> "$work/line" || true)
  kill -TERM "$server"; wait "$server" || true; server=
  ratio=$(sed -n 's/^syscalls_per_msg=//p' <<< "$figures") msgs=$(sed -n 's/^syscall_count_messages=//p' <<< "$figures")
  if [ -z "$ratio" ]; then printf '%-34s failed: %s\n' "$row" "$(tail -1 "$work/line")"; continue; fi
  [ "$row" = epoll ] && epoll_ratio=$ratio
  vs=$([ -n "$epoll_ratio" ] && awk -v r="$ratio" -v e="$epoll_ratio" 'BEGIN { printf "%.2fx", r / e }' || echo "-")
  printf '%-34s %12s %14s %10s\n' "$row" "$msgs" "$ratio" "$vs"
done
echo "(syscalls the server entered during ${seconds}s of $connections connections x ${message_size} B closed-loop echo, / messages echoed: tests/bench/syscalls-per-message.sh)"

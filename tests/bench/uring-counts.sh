#!/usr/bin/env bash
# Where a fiber engine's time goes per echoed message, as counts (timing figures need an idle machine, counts do not):
# each row's server pinned to one CPU, the open-model C client (pingpong.c) on another at a fixed offered load, and
# over the same seconds: syscalls by kind, io_uring tracepoints, context switches and migrations (perf software
# events and tracepoints), the server's user/system CPU (/proc/PID/stat, rough: it moves with the machine's load).
# Every figure is divided by the messages pingpong echoed in that window.
#   tests/bench/uring-counts.sh [--engines epoll,uring,uring:-defer-taskrun,...] [--rate 5000] [--connections 50]
#                               [--seconds 8] [--message-size 64] [--server-cpu 1] [--client-cpu 0] [--realtime]
# --realtime: server and client under SCHED_FIFO priority 1 (chrt), so other jobs' builds cannot delay them and each
# message's turn looks as on an idle machine (how many messages share a turn decides most counts per message).
# A row "uring:-ring-fd" runs the uring engine with that ring feature off (SHOOTOUT_URING_FEATURES); rows may repeat to
# alternate. Needs gcc, taskset, perf and bin/shootout-server (make build). Exit 2 on bad arguments. Everything it
# starts it stops.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
realtime=()
engines="epoll,uring" rate=5000 connections=50 seconds=8 size=64 server_cpu=1 client_cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --message-size) size=$2; shift 2 ;;
    --server-cpu) server_cpu=$2; shift 2 ;;
    --client-cpu) client_cpu=$2; shift 2 ;;
    --realtime) realtime=(chrt -f 1); shift ;;
    *) echo "uring-counts: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$rate" "$connections" "$seconds" "$size" "$server_cpu" "$client_cpu"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "uring-counts: numbers must be whole and non-negative, got '$v'" >&2; exit 2; }
done
for tool in gcc taskset perf; do
  command -v $tool > /dev/null || { echo "uring-counts: $tool is not installed" >&2; exit 2; }
done
[ -x "$root/bin/shootout-server" ] || { echo "uring-counts: bin/shootout-server is missing (make build)" >&2; exit 2; }

work=$(mktemp -d)
server= counter=
stop_all() {
  [ -n "$counter" ] && kill -INT "$counter" 2> /dev/null && wait "$counter" 2> /dev/null
  [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM
gcc -O2 -Wall -o "$work/pingpong" "$here/pingpong.c"
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 1300)

# The syscalls the engines make while echoing, each counted on its own; "other" is the rest of raw_syscalls.
kinds=(io_uring_enter epoll_wait epoll_pwait2 recvfrom sendto read write futex madvise mprotect)
events="raw_syscalls:sys_enter,context-switches,cpu-migrations,io_uring:io_uring_submit_req,io_uring:io_uring_complete"
events+=",io_uring:io_uring_local_work_run,io_uring:io_uring_task_work_run,io_uring:io_uring_task_add"
events+=",io_uring:io_uring_poll_arm,io_uring:io_uring_queue_async_work,io_uring:io_uring_cqring_wait"
for kind in "${kinds[@]}"; do events+=",syscalls:sys_enter_$kind"; done
columns=(raw_syscalls:sys_enter "${kinds[@]/#/syscalls:sys_enter_}" context-switches cpu-migrations
  io_uring:io_uring_submit_req io_uring:io_uring_complete io_uring:io_uring_local_work_run io_uring:io_uring_task_work_run
  io_uring:io_uring_task_add io_uring:io_uring_poll_arm io_uring:io_uring_queue_async_work io_uring:io_uring_cqring_wait)
ticks=$(getconf CLK_TCK)

echo "load: $(uptime | sed 's/.*load average/load average/')"
echo "server on CPU $server_cpu, pingpong on CPU $client_cpu: $connections connections, $rate msg/s, $size B, $seconds s per row${realtime[*]:+, under ${realtime[*]}}"
mapfile -t rows < <(sed -E 's/,([a-z])/\n\1/g' <<< "$engines")
for row in "${rows[@]}"; do
  engine=${row%%:*} features=
  [[ "$row" == *:* ]] && features=${row#*:}
  port=$((port + 1))
  SHOOTOUT_URING_FEATURES=$features taskset -c "$server_cpu" ${realtime[@]+"${realtime[@]}"} "$root/bin/shootout-server" --engine "$engine" \
    --port "$port" --metrics-port 0 > "$work/server.out" 2>&1 &
  server=$!
  for _ in $(seq 200); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; kill -0 "$server" 2> /dev/null || break; sleep 0.05; done
  if ! kill -0 "$server" 2> /dev/null; then
    echo "$row: the server died: $(tail -1 "$work/server.out")"; server=; continue
  fi
  taskset -c "$client_cpu" ${realtime[@]+"${realtime[@]}"} "$work/pingpong" --port "$port" --connections "$connections" --rate "$rate" --duration 2 \
    --warmup 0 --size "$size" > /dev/null || true  # warm-up: the JIT's tiers, the connections' first buffers
  perf stat -x, -e "$events" -p "$server" -o "$work/count" &
  counter=$!
  sleep 0.3
  read -r -a before < <(cut -d' ' -f14,15 "/proc/$server/stat")
  taskset -c "$client_cpu" ${realtime[@]+"${realtime[@]}"} "$work/pingpong" --port "$port" --connections "$connections" --rate "$rate" \
    --duration "$seconds" --warmup 0 --size "$size" > "$work/client.out" || true
  read -r -a after < <(cut -d' ' -f14,15 "/proc/$server/stat")
  kill -INT "$counter"; wait "$counter" || true; counter=
  kill -TERM "$server"; wait "$server" || true; server=
  messages=$(sed -n 's/^messages=\([0-9]*\).*/\1/p' "$work/client.out")
  if [[ ! "$messages" =~ ^[0-9]+$ || "$messages" -eq 0 ]]; then echo "$row: no messages: $(cat "$work/client.out")"; continue; fi
  echo "== $row: $messages messages, $(sed 's/.*\(p50_us=[^ ]*\).*\(p99_us=[^ ]*\).*/\1 \2/' "$work/client.out")"
  for column in "${columns[@]}"; do
    awk -F, -v name="$column" -v m="$messages" '$3 == name { printf "  %-40s %10.3f per message (%s)\n", name, $1 / m, $1 }' "$work/count"
  done
  awk -F, -v m="$messages" '
    $3 == "raw_syscalls:sys_enter" { total = $1 }
    $3 ~ /^syscalls:sys_enter_/ { named += $1 }
    END { printf "  %-40s %10.3f per message (%d)\n", "syscalls, other kinds", (total - named) / m, total - named }' "$work/count"
  awk -v m="$messages" -v tck="$ticks" -v ub="${before[0]}" -v sb="${before[1]}" -v ua="${after[0]}" -v sa="${after[1]}" \
    'BEGIN { printf "  %-40s %10.2f µs user + %.2f µs system per message (%d + %d ticks of 1/%d s)\n", "server CPU",
      (ua - ub) * 1e6 / tck / m, (sa - sb) * 1e6 / tck / m, ua - ub, sa - sb, tck }'
done

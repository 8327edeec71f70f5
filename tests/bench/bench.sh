#!/usr/bin/env bash
# Engines side by side in one run: memory per idle connection (never used, and used once), accept rate,
# closed-loop echo.
#   tests/bench/bench.sh [--connections N] [--echo-connections C] [--message-size S] [--seconds T] [--engines a,b]
#                        [--results-dir DIR]   (the table is also written to DIR/bench-<time>.txt; default results/)
# The client is a small C epoll program (bench-client.c) so it is never the thing measured. Two
# reference rows come first: a minimal C epoll echo server (c-epoll-echo.c), what the machine can do,
# and async/await on a bare .NET Socket (dotnet-socket-echo/), what .NET's socket engine costs before
# any transport (the async engine puts Kestrel's on top of it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
connections=10000 echo_connections=1000 message_size=64 seconds=5 engines="threads,async,epoll,uring" results="$root/results"
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --echo-connections) echo_connections=$2; shift 2 ;;
    --message-size) message_size=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --results-dir) results=$2; shift 2 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$connections" "$echo_connections" "$message_size" "$seconds"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -gt 0 ]] || { echo "bench: numbers must be positive integers, got '$v'" >&2; exit 2; }
done
(( connections <= 18000 )) || { echo "bench: --connections is at most 18000 (one client process, 20000 open files)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
gcc -O2 -o "$work/bench-client" "$here/bench-client.c"
rows=()
[ -f "$here/c-epoll-echo.c" ] && gcc -O2 -o "$work/c-epoll-echo" "$here/c-epoll-echo.c" && rows+=("c-epoll")
dotnet publish "$here/dotnet-socket-echo" -c Release -o "$work/dotnet-socket-echo" --nologo -v quiet > "$work/publish.out" 2>&1 \
  && rows+=("dotnet-socket") || echo "bench: dotnet-socket-echo did not build, its row is left out: $(tail -3 "$work/publish.out")" >&2
IFS=, read -ra wanted <<< "$engines"
rows+=("${wanted[@]}")

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
threads_of() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 1000)  # each measurement takes the next; start_server skips one taken meanwhile
dest=1

# A fresh server for each measurement, warmed up the same way for every row: 200 connections opened,
# used and closed, so one-off JIT and first heap growth are not charged to the connections measured
# next. Sets $server; returns 1 (saying why) when it does not come up.
start_server() {
  local engine=$1 attempt
  for attempt in 1 2 3 4 5; do
    if [ "$engine" = c-epoll ]; then
      "$work/c-epoll-echo" "$port" > "$work/$engine.out" 2>&1 &
    elif [ "$engine" = dotnet-socket ]; then
      "$work/dotnet-socket-echo/dotnet-socket-echo" "$port" > "$work/$engine.out" 2>&1 &
    else
      "$root/bin/shootout-server" --engine "$engine" --port "$port" --metrics-port 0 > "$work/$engine.out" 2>&1 &
    fi
    server=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$server" 2>/dev/null && break
    wait "$server" 2>/dev/null || true
    grep -qi "in use" "$work/$engine.out" || break
    port=$((port + 1))  # taken by something else meanwhile: the next one
  done
  if ! kill -0 "$server" 2>/dev/null; then
    printf '%-13s failed: %s\n' "$engine" "$(tail -1 "$work/$engine.out")" | tee -a "$work/table"; server=; return 1
  fi
  touch "$work/warm"
  "$work/bench-client" accept "$host" "$port" 200 "$work/warm" > /dev/null &
  local warm=$!
  sleep 1; rm -f "$work/warm"; wait $warm || true
  until_steady fds_of "$server"  # settled once the server has closed every warm-up connection
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=; }

printf '%-13s %8s %12s %12s %12s %8s %12s\n' engine held accepts/s idle_B/conn used_B/conn threads echo_msgs/s | tee "$work/table"
for engine in "${rows[@]}"; do
  dest=$((dest + 1))
  host="127.0.0.$dest"  # a fresh destination address each: no TIME_WAIT left over from the last engine

  # Idle: connections that never send, as in the million. Nothing is echoed, so "accepted" is read
  # from the server's own descriptor table.
  port=$((port + 1))
  start_server "$engine" || continue
  baseline=$(rss_kb "$server") fds=$(fds_of "$server")
  touch "$work/hold"
  "$work/bench-client" idle "$host" "$port" "$connections" "$work/hold" > /dev/null &
  client=$!
  for _ in $(seq 1200); do (( $(fds_of "$server") >= fds + connections )) || ! kill -0 $client 2>/dev/null && break; sleep 0.1; done
  sleep 1  # let the engine settle (threads finish starting)
  idle_conn=$(( ( $(rss_kb "$server") - baseline) * 1024 / connections ))
  (( $(fds_of "$server") >= fds + connections )) || idle_conn=fail
  rm -f "$work/hold"; wait $client || true
  stop_server

  # Used: each connection has echoed one byte (every one proven served), then idles; the accept rate
  # is measured here; then closed-loop echo on top.
  port=$((port + 1))
  start_server "$engine" || continue
  baseline=$(rss_kb "$server")
  touch "$work/hold"
  "$work/bench-client" accept "$host" "$port" "$connections" "$work/hold" > "$work/$engine.accept" &
  client=$!
  for _ in $(seq 1200); do [ -s "$work/$engine.accept" ] || ! kill -0 $client 2>/dev/null && break; sleep 0.1; done
  sleep 1  # let the engine settle (threads finish starting, buffers go back to pools)
  held_rss=$(rss_kb "$server"); threads=$(threads_of "$server")
  rm -f "$work/hold"; wait $client || true
  accepts=$(sed -n 's/.*accepts_per_s=\([0-9]*\).*/\1/p' "$work/$engine.accept")
  used_conn=$(( (held_rss - baseline) * 1024 / connections ))
  echo_out=$("$work/bench-client" echo "$host" "$port" "$echo_connections" "$message_size" "$seconds" || true)
  msgs=$(sed -n 's/.*msgs_per_s=\([0-9]*\).*/\1/p' <<< "$echo_out")
  stop_server
  printf '%-13s %8s %12s %12s %12s %8s %12s\n' "$engine" "$connections" "${accepts:-fail}" "$idle_conn" "$used_conn" "$threads" "${msgs:-fail}" | tee -a "$work/table"
done
mkdir -p "$results"
cp "$work/table" "$results/bench-$(date +%Y%m%d-%H%M%S).txt"
echo "(B/conn = (RSS with $connections connections - RSS after a 200-connection warm-up) / $connections, each in a fresh server process:"
echo " idle = the connections never sent a byte; used = each echoed one byte, then idled. echo: $echo_connections connections x ${message_size} B closed loop for ${seconds}s)"
bash "$here/syscalls.sh" --engines "c-epoll,$engines" --message-size "$message_size" || echo "bench: the syscall count failed" >&2

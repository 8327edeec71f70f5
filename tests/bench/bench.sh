#!/usr/bin/env bash
# Rows side by side in one run: memory per idle connection (never used, and used once), accept rate,
# closed-loop echo, threads and CPU. The reference servers come first, then the engines:
#   c              a minimal C epoll echo server (references/c-epoll-echo.c): what the machine can do
#   go             goroutine per connection on net.Listener (references/go/): Go's runtime netpoller
#   rust           std::thread per connection, blocking I/O, 64 KiB stacks (references/rust/)
#   dotnet-socket  async/await on a bare .NET Socket (dotnet-socket-echo/): .NET's socket engine before
#                  any transport (the async engine puts Kestrel's on top of it)
#   then each --engines engine of bin/shootout-server (threads, async, epoll, and any other it knows).
#
#   tests/bench/bench.sh [--connections N] [--echo-connections C] [--message-size S] [--seconds T]
#                        [--engines a,b] [--references c,go,rust,dotnet-socket|none] [--results-dir DIR]
#                        [--baseline BIN_DIR] [--rounds N]
# --baseline BIN_DIR: another build's bin/ (e.g. of the previous commit); each engine row is preceded by
# the same engine of that build (row ENGINE@base), so old and new alternate in one run. --rounds N: the
# engine rows N times over (rows of later rounds are named ENGINE#2, ENGINE@base#2, ...): the machine is
# noisy, and a ratio is only worth the spread between rounds.
# Writes DIR/bench-<time>/ (table.txt, summary.json: one object per row keyed by its name, units in the
# field names) and points DIR/bench-latest at it (DIR defaults to results/). A reference whose toolchain
# is missing is left out with a line saying why. The client is a small C epoll program (bench-client.c)
# so it is never the thing measured.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
connections=10000 echo_connections=1000 message_size=64 seconds=5 results="$root/results"
engines="threads,async,epoll,uring"           # a new engine of shootout-server joins with --engines (or here)
references="c,go,rust,dotnet-socket"
baseline_bin= rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --echo-connections) echo_connections=$2; shift 2 ;;
    --message-size) message_size=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --references) references=$2; shift 2 ;;
    --results-dir) results=$2; shift 2 ;;
    --baseline) baseline_bin=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$connections" "$echo_connections" "$message_size" "$seconds" "$rounds"; do
  [[ "$v" =~ ^[0-9]+$ && "$v" -gt 0 ]] || { echo "bench: numbers must be positive integers, got '$v'" >&2; exit 2; }
done
(( connections <= 18000 )) || { echo "bench: --connections is at most 18000 (one client process, 20000 open files)" >&2; exit 2; }
[ "$references" = none ] && references=
[ -z "$baseline_bin" ] || [ -x "$baseline_bin/shootout-server" ] || { echo "bench: --baseline $baseline_bin has no shootout-server" >&2; exit 2; }

work=$(mktemp -d)
source "$root/tests/lib/sysctl-for-run.sh"
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null; sysctl_put_back' EXIT
# The accept phase connects $connections in one burst. A SYN dropped because a listener's accept queue was
# full costs that connect a 1 s retransmission, which alone turns ~0.25 s into ~1.25 s (40,000/s into
# 8,000/s): the rate would measure one scheduling hiccup of the server, not its accept path. So every
# server gets a queue that holds the whole burst (the kernel caps a listen backlog at somaxconn), and each
# row says how many overflows its accept phase still saw.
sysctl_at_least net.core.somaxconn 65535 "the accept phase's burst of connects"
listen_overflows() {
  awk '/^TcpExt:/ { if (!seen) { for (i = 1; i <= NF; i++) name[i] = $i; seen = 1 }
                    else for (i = 1; i <= NF; i++) if (name[i] == "ListenOverflows") print $i }' /proc/net/netstat
}
gcc -O2 -o "$work/bench-client" "$here/bench-client.c"
rows=() skipped=()
IFS=, read -ra wanted_refs <<< "$references"
native=$(IFS=,; printf '%s' "${wanted_refs[*]}" | tr ',' '\n' | grep -xE 'c|go|rust' | paste -sd, || true)
[ -n "$native" ] && bash "$here/references/build.sh" "$work/references" "$native" > /dev/null
for ref in "${wanted_refs[@]}"; do
  case "$ref" in
    c|go|rust)
      if [ -f "$work/references/$ref.skipped" ]; then skipped+=("$ref: $(cat "$work/references/$ref.skipped")"); else rows+=("$ref"); fi ;;
    dotnet-socket)
      if dotnet publish "$here/dotnet-socket-echo" -c Release -o "$work/dotnet-socket-echo" --nologo -v quiet > "$work/publish.out" 2>&1; then rows+=(dotnet-socket)
      else skipped+=("dotnet-socket: did not build: $(tail -3 "$work/publish.out" | tr '\n' ' ')"); fi ;;
    *) echo "bench: unknown reference '$ref' (known: c, go, rust, dotnet-socket)" >&2; exit 2 ;;
  esac
done
IFS=, read -ra wanted <<< "$engines"
for round in $(seq "$rounds"); do
  suffix=; (( round > 1 )) && suffix="#$round"
  for e in "${wanted[@]}"; do
    # An engine the baseline build does not have gets no @base row.
    [ -n "$baseline_bin" ] && "$baseline_bin/shootout-server" --help 2>&1 | grep -- "--engine <" | grep -qw -- "$e" && rows+=("$e@base$suffix")
    rows+=("$e$suffix")
  done
done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
threads_of() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
cpu_of() {  # user and system seconds of process $1 so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f %.2f\n", $12 / hz, $13 / hz }' "/proc/$1/stat"
}
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 1000)  # each measurement takes the next; start_server skips one taken meanwhile
dest=1

# How each row's server starts on $port.
server_command() {
  case "$1" in
    c) echo "$work/references/c-epoll-echo --port $port" ;;
    go) echo "$work/references/go-echo --port $port" ;;
    rust) echo "$work/references/rust-echo --port $port" ;;
    dotnet-socket) echo "$work/dotnet-socket-echo/dotnet-socket-echo $port" ;;
    *@base*) local e=${1%%@*}; echo "$baseline_bin/shootout-server --engine $e --port $port --metrics-port 0 --backlog 65535" ;;
    *) echo "$root/bin/shootout-server --engine ${1%%#*} --port $port --metrics-port 0 --backlog 65535" ;;
  esac
}
kind_of() { case "$1" in c|go|rust|dotnet-socket) echo reference ;; *) echo engine ;; esac; }

# A fresh server for each measurement, warmed up the same way for every row: 200 connections opened,
# used and closed, so one-off JIT and first heap growth are not charged to the connections measured
# next. Sets $server; returns 1 (saying why) when it does not come up.
start_server() {
  local engine=$1 attempt
  for attempt in 1 2 3 4 5; do
    # shellcheck disable=SC2046  # the command is words without spaces inside them
    $(server_command "$engine") > "$work/$engine.out" 2>&1 &
    server=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$server" 2>/dev/null && break
    wait "$server" 2>/dev/null || true
    grep -qi "in use" "$work/$engine.out" || break
    port=$((port + 1))  # taken by something else meanwhile: the next one
  done
  if ! kill -0 "$server" 2>/dev/null; then
    printf '%-13s failed: %s\n' "$engine" "$(tail -1 "$work/$engine.out")" | tee -a "$work/table"
    json_row "$engine" "\"status\": \"failed\", \"error\": \"$(tail -1 "$work/$engine.out" | tr -d '"\\')\""
    server=; return 1
  fi
  touch "$work/warm"
  "$work/bench-client" accept "$host" "$port" 200 "$work/warm" > /dev/null &
  local warm=$!
  sleep 1; rm -f "$work/warm"; wait $warm || true
  until_steady fds_of "$server"  # settled once the server has closed every warm-up connection
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=; }

# summary.json, one object per row (a row that fails twice keeps its first entry).
json_rows=()
json_row() {  # json_row NAME FIELDS
  local name=$1 r
  for r in "${json_rows[@]}"; do [[ "$r" == "\"$name\": "* ]] && return 0; done
  json_rows+=("\"$name\": {\"kind\": \"$(kind_of "$name")\", $2}")
}
num() { [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }

# Phases other scripts add, one line each; absent scripts are skipped.
#   per row, while its server serves (used connections held): prints key=value figures for the row,
#   e.g. syscalls per echoed message: tests/bench/syscalls-per-message.sh ROW PID HOST PORT CLIENT
row_extras() { [ -f "$here/syscalls-per-message.sh" ] && bash "$here/syscalls-per-message.sh" "$1" "$server" "$host" "$port" "$work/bench-client" || true; }

printf '%-13s %8s %12s %12s %12s %8s %12s %8s %8s\n' row held accepts/s idle_B/conn used_B/conn threads echo_msgs/s user_s sys_s | tee "$work/table"
for engine in "${rows[@]}"; do
  dest=$((dest + 1))
  host="127.0.0.$dest"  # a fresh destination address each: no TIME_WAIT left over from the last row

  # Idle: connections that never send, as in the million. Nothing is echoed, so "accepted" is read
  # from the server's own descriptor table.
  port=$((port + 1))
  start_server "$engine" || continue
  baseline=$(rss_kb "$server") fds=$(fds_of "$server")
  touch "$work/hold"
  "$work/bench-client" idle "$host" "$port" "$connections" "$work/hold" > /dev/null &
  client=$!
  for _ in $(seq 1200); do (( $(fds_of "$server") >= fds + connections )) || ! kill -0 $client 2>/dev/null && break; sleep 0.1; done
  sleep 1  # let the server settle (threads finish starting)
  idle_conn=$(( ( $(rss_kb "$server") - baseline) * 1024 / connections ))
  (( $(fds_of "$server") >= fds + connections )) || idle_conn=fail
  rm -f "$work/hold"; wait $client || true
  stop_server

  # Used: each connection has echoed one byte (every one proven served), then idles; the accept rate
  # is measured here; then closed-loop echo on top.
  port=$((port + 1))
  start_server "$engine" || continue
  baseline=$(rss_kb "$server")
  read -r user0 sys0 <<< "$(cpu_of "$server")"
  overflows0=$(listen_overflows)
  touch "$work/hold"
  "$work/bench-client" accept "$host" "$port" "$connections" "$work/hold" > "$work/$engine.accept" &
  client=$!
  for _ in $(seq 1200); do [ -s "$work/$engine.accept" ] || ! kill -0 $client 2>/dev/null && break; sleep 0.1; done
  sleep 1  # let the server settle (threads finish starting, buffers go back to pools)
  held_rss=$(rss_kb "$server"); threads=$(threads_of "$server")
  extras=$(row_extras "$engine")
  rm -f "$work/hold"; wait $client || true
  accepts=$(sed -n 's/.*accepts_per_s=\([0-9]*\).*/\1/p' "$work/$engine.accept")
  overflows=$(( $(listen_overflows) - overflows0 ))
  (( overflows == 0 )) || printf '%-13s %s listen overflow(s) in its accept phase: each cost a connect a 1 s SYN retransmission\n' "$engine" "$overflows"
  used_conn=$(( (held_rss - baseline) * 1024 / connections ))
  echo_out=$("$work/bench-client" echo "$host" "$port" "$echo_connections" "$message_size" "$seconds" || true)
  msgs=$(sed -n 's/.*msgs_per_s=\([0-9]*\).*/\1/p' <<< "$echo_out")
  read -r user1 sys1 <<< "$(cpu_of "$server")"
  user_s=$(awk -v a="$user0" -v b="$user1" 'BEGIN { printf "%.2f", b - a }')
  sys_s=$(awk -v a="$sys0" -v b="$sys1" 'BEGIN { printf "%.2f", b - a }')
  stop_server
  printf '%-13s %8s %12s %12s %12s %8s %12s %8s %8s\n' "$engine" "$connections" "${accepts:-fail}" "$idle_conn" "$used_conn" "$threads" "${msgs:-fail}" "$user_s" "$sys_s" | tee -a "$work/table"
  status=ok; [[ -n "$accepts" && -n "$msgs" && "$idle_conn" != fail ]] || status=failed
  extra_json=$(sed -n 's/^\([a-z_][a-z0-9_]*\)=\(-\{0,1\}[0-9.]*\)$/, "\1": \2/p' <<< "$extras" | tr -d '\n')
  json_row "$engine" "\"status\": \"$status\", \"connections\": $connections, \"accepts_per_s\": $(num "$accepts"), \"idle_bytes_per_connection\": $(num "$idle_conn"), \"used_bytes_per_connection\": $(num "$used_conn"), \"threads\": $(num "$threads"), \"echo_msgs_per_s\": $(num "$msgs"), \"echo_connections\": $echo_connections, \"message_bytes\": $message_size, \"echo_seconds\": $seconds, \"cpu_user_s\": $(num "$user_s"), \"cpu_system_s\": $(num "$sys_s"), \"listen_overflows\": $overflows$extra_json"
done
for s in "${skipped[@]}"; do
  printf '%-13s skipped: %s\n' "${s%%:*}" "${s#*: }" | tee -a "$work/table"
  name=${s%%:*} why=${s#*: }
  json_row "$name" "\"status\": \"skipped\", \"error\": \"$(tr -d '"\\' <<< "$why")\""
done

# Ratios side by side in each round, and their median over rounds (one pair of rows is not a ratio here).
awk -f "$here/median.awk" -f "$here/ratios.awk" "$work/table" | tee "$work/ratios"

# Runs beside heavy neighbours, when that phase exists (it writes into the same results directory).
stamp=$(date +%Y%m%d-%H%M%S)
out="$results/bench-$stamp"
mkdir -p "$out"
[ -s "$work/ratios" ] && cp "$work/ratios" "$out/ratios.txt"
[ -f "$here/neighbours.sh" ] && bash "$here/neighbours.sh" --engines "$engines" --seconds "$seconds" --rounds $(( rounds < 2 ? 2 : rounds )) --results-dir "$out" ${baseline_bin:+--baseline "$baseline_bin"} || true

cp "$work/table" "$out/table.txt"
{
  echo "{"
  for i in "${!json_rows[@]}"; do
    sep=,; (( i == ${#json_rows[@]} - 1 )) && sep=
    echo "  ${json_rows[$i]}$sep"
  done
  echo "}"
} > "$out/summary.json"
ln -sfn "bench-$stamp" "$results/bench-latest"
echo "(B/conn = (RSS with $connections connections - RSS after a 200-connection warm-up) / $connections, each in a fresh server process:"
echo " idle = the connections never sent a byte; used = each echoed one byte, then idled. echo: $echo_connections connections x ${message_size} B closed loop for ${seconds}s;"
echo " user_s/sys_s: the server's CPU over the used phase, accepts and echo)"
echo "results: $out/table.txt, $out/summary.json, $out/ratios.txt ($results/bench-latest -> bench-$stamp)"

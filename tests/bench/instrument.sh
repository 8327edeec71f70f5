#!/usr/bin/env bash
# Is the load generator a precise instrument? Its open-model echo latency against the C reference server,
# beside an independent measurement of the same server at the same load and pinning: pingpong.c, a plain C
# client (nanosecond schedule, blocking sockets, each round trip timed from its scheduled send). The two
# clients alternate over rounds in one run, so both see the same machine. See docs/instrument.md.
#
#   tests/bench/instrument.sh [--rounds 3] [--connections 50] [--rate 2000] [--seconds 10] [--message-size 32]
#                             [--server-cpu 1] [--client-cpu 0] [--loadgen BIN] [--baseline BIN] [--spin-us 0]
#                             [--realtime] [--also NAME=BIN]...
#
# --loadgen: the generator to measure (default bin/shootout-loadgen); --baseline: another build's generator,
# run as a third client in every round (old against new); --also NAME=BIN: one more build, repeatable (a build
# with one change left out, to measure what that change buys). --spin-us: pingpong wakes that early and spins.
# --realtime: the server and every client under SCHED_FIFO priority 1 (chrt), so builds and tests that share the
# machine (ordinary priority) cannot take the CPUs from them: the run then approximates an otherwise idle machine.
# Per round and client: p50, p99, p99.9 and send lag p99 in µs; the generator's hints; then per round whether
# the generator met the targets (send lag p99 ≤ 50 µs; p50 within 20% or 30 µs of pingpong's, p99 within
# 50% or 100 µs), and what share of its time the hypervisor took from the client's and the server's CPUs (steal).
# Exit 0 when every round met them, 1 when one did not, 2 on bad arguments.
# Needs gcc, taskset and jq, and bin/references/c-epoll-echo (make references). Everything it starts it stops.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/bench-servers.sh"
rounds=3 connections=50 rate=2000 seconds=10 size=32 server_cpu=1 client_cpu=0 spin_us=0
loadgen="$root/bin/shootout-loadgen" baseline= realtime=() others=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --message-size) size=$2; shift 2 ;;
    --server-cpu) server_cpu=$2; shift 2 ;;
    --client-cpu) client_cpu=$2; shift 2 ;;
    --loadgen) loadgen=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --spin-us) spin_us=$2; shift 2 ;;
    --realtime) realtime=(chrt -f 1); shift ;;
    --also) [[ "$2" == ?*=?* ]] || { echo "instrument: --also takes NAME=BIN, got '$2'" >&2; exit 2; }
            others+=("$2"); shift 2 ;;
    *) echo "instrument: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$connections" "$rate" "$seconds" "$size" "$server_cpu" "$client_cpu" "$spin_us"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "instrument: numbers must be whole and non-negative, got '$v'" >&2; exit 2; }
done
server_bin="$root/bin/references/c-epoll-echo"
[ -x "$server_bin" ] || { echo "instrument: $server_bin is missing (make references)" >&2; exit 2; }
[ -n "$baseline" ] && others=("baseline=$baseline" ${others[@]+"${others[@]}"})
for b in "$loadgen" ${others[@]+"${others[@]#*=}"}; do
  [ -x "$b" ] || { echo "instrument: $b is not an executable" >&2; exit 2; }
done
for tool in gcc taskset jq; do
  command -v $tool > /dev/null || { echo "instrument: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
server=
stop_all() {
  [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -Wextra -o "$work/pingpong" "$here/pingpong.c"
start_c_server instrument "$server_cpu" "$work/server.log" ${realtime[@]+"${realtime[@]}"}

echo "load: $(uptime | sed 's/.*load average/load average/')"
echo "C server pid $server on CPU $server_cpu, port $port; clients on CPU $client_cpu;${realtime[*]:+ under ${realtime[*]};}" \
  "$connections connections, $rate msg/s, ${size} B, ${seconds} s per client per round"
printf '%-6s %-10s %8s %8s %8s %14s  %s\n' round client p50_us p99_us p999_us send_lag_p99 hints

run_pingpong() {  # prints "p50 p99 p999 lag99"
  taskset -c "$client_cpu" ${realtime[@]+"${realtime[@]}"} "$work/pingpong" --port "$port" --connections "$connections" --rate "$rate" \
    --duration "$seconds" --warmup 0 --size "$size" --spin-us "$spin_us" \
    | sed -n 's/.*p50_us=\([^ ]*\).*p99_us=\([^ ]*\) p999_us=\([^ ]*\).*send_lag_p99_us=\([^ ]*\).*/\1 \2 \3 \4/p'
}

# run_loadgen BIN NAME [ARGS...]: prints "p50 p99 p999 lag99 hints". This build's generator is told the server's CPU
# (--server-cpus), so same_machine fires only if they overlap; a baseline or --also build may predate the option.
run_loadgen() {
  local dir="$work/$2" bin=$1 name=$2
  shift 2
  rm -rf "$dir"
  taskset -c "$client_cpu" ${realtime[@]+"${realtime[@]}"} "$bin" echo --target "127.0.0.1:$port" --connections "$connections" --rate "$rate" \
    --duration "${seconds}s" --message-size "$size" --report-dir "$dir" --plain "$@" > "$dir.log" 2>&1 \
    || { echo "instrument: $name failed: $(tail -3 "$dir.log")" >&2; return 1; }
  jq -r '[.latency_us.p50, .latency_us.p99, .latency_us.p999, .send_lag_us.p99,
          ([.hints[].kind] | if length == 0 then "none" else join(",") end)] | join(" ")' "$dir/summary.json"
}

# Time the hypervisor ran something else on the given CPU (the "steal" column of /proc/stat, in clock ticks). On a
# virtual machine whose host is oversubscribed a vCPU can be off its physical core for milliseconds: no client in
# the guest, however precise, is then on time, and the independent client's send lag shows it. So each round says
# how much was stolen from the client's and the server's CPUs while it ran: a bound on what any figure here can show.
steal_ticks() { awk -v cpu="cpu$1" '$1 == cpu { print $9 }' /proc/stat; }

# within MEASURED REFERENCE FRACTION FLOOR: |measured - reference| ≤ max(fraction × reference, floor)
within() { awk -v m="$1" -v r="$2" -v f="$3" -v a="$4" 'BEGIN { d = m - r; if (d < 0) d = -d; t = f * r; if (t < a) t = a; exit !(d <= t) }'; }

failed=0
for round in $(seq "$rounds"); do
  client_steal0=$(steal_ticks "$client_cpu") server_steal0=$(steal_ticks "$server_cpu") round_start=$(date +%s%N)
  read -r c50 c99 c999 clag <<< "$(run_pingpong)"
  printf '%-6s %-10s %8s %8s %8s %14s\n' "$round" pingpong "$c50" "$c99" "$c999" "$clag"
  read -r g50 g99 g999 glag ghints <<< "$(run_loadgen "$loadgen" "loadgen-$round" --server-cpus "$server_cpu")"
  printf '%-6s %-10s %8s %8s %8s %14s  %s\n' "$round" loadgen "$g50" "$g99" "$g999" "$glag" "$ghints"
  for other in ${others[@]+"${others[@]}"}; do
    read -r b50 b99 b999 blag bhints <<< "$(run_loadgen "${other#*=}" "${other%%=*}-$round")"
    printf '%-6s %-10s %8s %8s %8s %14s  %s\n' "$round" "${other%%=*}" "$b50" "$b99" "$b999" "$blag" "$bhints"
  done
  verdict=()
  within "$g50" "$c50" 0.20 30 && verdict+=("p50 ok") || verdict+=("p50 OFF")
  within "$g99" "$c99" 0.50 100 && verdict+=("p99 ok") || verdict+=("p99 OFF")
  awk -v l="$glag" 'BEGIN { exit !(l <= 50) }' && verdict+=("send lag ok") || verdict+=("send lag OFF")
  elapsed_ticks=$(( ($(date +%s%N) - round_start) * $(getconf CLK_TCK) / 1000000000 ))
  stolen() { awk -v s="$(( $(steal_ticks "$1") - $2 ))" -v t="$elapsed_ticks" 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * s / t : 0) }'; }
  echo "round $round: ${verdict[*]} (load $(cut -d' ' -f1 /proc/loadavg); stolen by the hypervisor:" \
    "client CPU $(stolen "$client_cpu" "$client_steal0"), server CPU $(stolen "$server_cpu" "$server_steal0"))"
  [[ "${verdict[*]}" == *OFF* ]] && failed=1
done
exit $failed

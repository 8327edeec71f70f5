#!/usr/bin/env bash
# Light clients beside heavy neighbours, engines side by side in one run, alternating (round 1: every
# engine, round 2: every engine again, ...), the threads engine always among them so "within 2x of
# threads' p99" reads off the same run:
#   tests/bench/neighbours.sh [--floods N] [--message-size S] [--never-reading M] [--probes P]
#                             [--probe-interval I] [--seconds T] [--rounds R] [--engines a,b] [--results-dir DIR]
#                             [--neighbours-nice N] [--baseline BIN_DIR]
# Defaults are the fairness target: 16 floods x 64 KiB writes + 1 never-reading connection, 100 probes of
# 9 B every 10 ms, 10 s measured after a 1 s warm-up, 2 rounds. Each row is a fresh server process and one
# `shootout-loadgen neighbours` run: the probes in the load generator's own process, the neighbours in a
# child process of it (one process per role, so a busy flood cannot delay a probe on the client side), at
# nice 10 unless --neighbours-nice says otherwise: on a machine whose cores the server shares with the floods'
# clients, the probes then measure the server's scheduling, not the kernel's share-out of the cores.
# Probe latency counts from each message's scheduled send time (coordinated-omission corrected).
# --baseline BIN_DIR: another build's bin/ (e.g. of the previous commit); each engine's row but the threads
# engine's is followed by the same engine of that build (row ENGINE@base), so old and new alternate in one run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
floods=16 message_size=64KiB never_reading=1 probes=100 interval=10ms seconds=10 rounds=2 engines="threads,async,epoll" results="$root/results" nice=10 baseline=
while [ $# -gt 0 ]; do
  case "$1" in
    --floods) floods=$2; shift 2 ;;
    --message-size) message_size=$2; shift 2 ;;
    --never-reading) never_reading=$2; shift 2 ;;
    --probes) probes=$2; shift 2 ;;
    --probe-interval) interval=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --results-dir) results=$2; shift 2 ;;
    --neighbours-nice) nice=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "neighbours: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[0-9]+$ && "$rounds" -gt 0 ]] || { echo "neighbours: --rounds must be a positive integer, got '$rounds'" >&2; exit 2; }
loadgen="$root/bin/shootout-loadgen"
[ -x "$loadgen" ] && [ -x "$root/bin/shootout-server" ] || { echo "neighbours: bin/ is not built: run 'make build'" >&2; exit 2; }
[ -z "$baseline" ] || [ -x "$baseline/shootout-server" ] || { echo "neighbours: --baseline $baseline has no shootout-server" >&2; exit 2; }
IFS=, read -ra engine_list <<< "$engines"
[[ ",$engines," == *",threads,"* ]] || engine_list=(threads "${engine_list[@]}")
# Rows as name=engine@bin_dir: each engine of this build, then (with --baseline) the same engine of the other.
wanted=()
for engine in "${engine_list[@]}"; do
  wanted+=("$engine=$engine@$root/bin")
  [ -z "$baseline" ] || [ "$engine" = threads ] || wanted+=("$engine@base=$engine@$baseline")
done

work=$(mktemp -d)
server=
trap 'rm -rf "$work"; [ -n "$server" ] && kill "$server" 2>/dev/null || true' EXIT
source "$root/tests/lib/bench-servers.sh"
port=$(first_server_port 2000)
dest=100

fmt='%-10s %5s %10s %10s %10s %11s %8s %12s %12s %7s\n'
printf "$fmt" engine round p50_ms p99_ms max_ms p99/threads failed slowest/mean mean_MiB/s jain | tee "$work/table"
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
for round in $(seq "$rounds"); do
  threads_p99=
  for row in "${wanted[@]}"; do
    engine=${row%%=*} spec=${row#*=}
    dest=$((dest + 1))
    host="127.0.0.$dest"  # a fresh destination address each: no TIME_WAIT left over from the last row
    "${spec#*@}/shootout-server" --engine "${spec%%@*}" --port "$port" --bind "$host" --metrics-port 0 > "$work/$engine.server" 2>&1 &
    server=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
    if ! kill -0 "$server" 2>/dev/null; then
      printf '%-10s %5s failed: %s\n' "$engine" "$round" "$(tail -1 "$work/$engine.server")" | tee -a "$work/table"; server=; port=$((port + 1)); continue
    fi
    rc=0
    "$loadgen" neighbours --target "$host:$port" --floods "$floods" --message-size "$message_size" --never-reading "$never_reading" \
      --probes "$probes" --probe-interval "$interval" --neighbours-nice "$nice" --duration "${seconds}s" --message-timeout 20s \
      --report-dir "$work/$engine-$round" --plain > "$work/$engine.out" 2> "$work/$engine.err" || rc=$?
    kill -TERM "$server"; wait "$server" || true; server=
    line=$(grep '^neighbours: probes' "$work/$engine.out" | tail -1 || true)
    p50=$(sed -n 's/.* p50 \([0-9]*\)us.*/\1/p' <<< "$line"); p99=$(sed -n 's/.* p99 \([0-9]*\)us.*/\1/p' <<< "$line")
    max=$(sed -n 's/.* max \([0-9]*\)us.*/\1/p' <<< "$line"); failed=$(sed -n 's/.* failed \([0-9]*\),.*/\1/p' <<< "$line")
    mean=$(sed -n 's/.*mean \([0-9.]*\) MiB.*/\1/p' <<< "$line"); ratio=$(sed -n 's/.*slowest\/mean \([0-9.-]*\),.*/\1/p' <<< "$line")
    jain=$(sed -n 's/.*jain \([0-9.-]*\);.*/\1/p' <<< "$line")
    if [ -z "$p99" ]; then
      printf '%-10s %5s failed: %s\n' "$engine" "$round" "$(tail -1 "$work/$engine.err")" | tee -a "$work/table"; port=$((port + 1)); continue
    fi
    [ "$engine" = threads ] && threads_p99=$p99
    vs=$([ -n "$threads_p99" ] && [ "$threads_p99" -gt 0 ] && awk -v a="$p99" -v b="$threads_p99" 'BEGIN { printf "%.2fx", a / b }' || echo -)
    # A run with errors (a probe never answered, a flood cut off) still prints its figures; the error follows.
    printf "$fmt" "$engine" "$round" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$max")" "$vs" "$failed" "$ratio" "$mean" "$jain" | tee -a "$work/table"
    [ "$rc" = 0 ] || echo "  $engine: $(tail -1 "$work/$engine.err")" | tee -a "$work/table"
    port=$((port + 1))
  done
done
# Over rounds: medians per engine, and its median p99 against the threads engine's (neighbours-medians.awk).
(( rounds < 2 )) || awk -f "$here/median.awk" -f "$here/neighbours-medians.awk" "$work/table" | tee -a "$work/table"
mkdir -p "$results"
cp "$work/table" "$results/neighbours-$(date +%Y%m%d-%H%M%S).txt"
echo "(beside $floods floods x $message_size writes and $never_reading never-reading connection(s) at nice $nice: $probes probes x 9 B every $interval,"
echo " ${seconds}s measured after 1s of flooding; latency from the scheduled send time; slowest/mean and Jain's index of the floods' bytes/s)"

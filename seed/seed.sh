#!/usr/bin/env bash
# The classic experiment, reproduced: N tasks that each sleep 1 s, then all are joined, each variant
# timed by /usr/bin/time (elapsed, user s, system s, max RSS):
#   rust-thread    Rust std::thread, default stacks                     (seed/rust, Debian's rustc/cargo)
#   go-goroutine   Go goroutines                                        (seed/go, Debian's golang-go)
#   dotnet-thread  .NET Thread, default stacks                          (seed/dotnet)
#   dotnet-task    .NET async methods awaiting Task.Delay               (seed/dotnet)
#   netpoll-fiber  the netpoller's fibers awaiting EventLoop.Delay      (seed/dotnet, lib/Shootout.Netpoll)
#
#   seed/seed.sh [--tasks N] [--variants rust,go,thread,task,fiber] [--threads-per-process N]
#                [--memory-reserve-mib M] [--results-dir DIR]
# N defaults to 1,000,000. RSS per task = (Σ max RSS - processes x the runtime's own max RSS with no task) / tasks.
# Thread variants: as root, kernel.pid_max, kernel.threads-max and vm.max_map_count are raised for the
# run, said, and put back at the end; a variant that cannot start every thread (a kernel limit, or
# MemAvailable under the reserve, 2 GiB unless given) stops there and reports the wall it reached.
# Starting .NET threads gets slower the more a process already has (40,000 in one: 70 s), so
# dotnet-thread spreads its threads over processes of 10,000 each (--threads-per-process; Rust keeps
# the original's one process unless it is given). Writes DIR/seed-<time>/{table.txt,summary.json,
# seed-memory.png,seed-time.png} and points DIR/seed-latest at it (DIR defaults to results/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tasks=1000000 variants="rust-thread,go-goroutine,dotnet-thread,dotnet-task,netpoll-fiber" per_process= reserve_mib=2048
results="$root/results"
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) tasks=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --threads-per-process) per_process=$2; shift 2 ;;
    --memory-reserve-mib) reserve_mib=$2; shift 2 ;;
    --results-dir) results=$2; shift 2 ;;
    *) echo "seed: unknown option $1 (--tasks, --variants, --threads-per-process, --memory-reserve-mib, --results-dir)" >&2; exit 2 ;;
  esac
done
for v in "$tasks" "$reserve_mib" ${per_process:+"$per_process"}; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "seed: numbers must be whole and not negative, got '$v'" >&2; exit 2; }
done
(( tasks > 0 )) || { echo "seed: --tasks must be at least 1" >&2; exit 2; }
[ -z "$per_process" ] || (( per_process > 0 )) || { echo "seed: --threads-per-process must be at least 1" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "seed: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

canonical() {
  case "$1" in
    rust|rust-thread) echo rust-thread ;;
    go|goroutine|go-goroutine) echo go-goroutine ;;
    thread|dotnet-thread) echo dotnet-thread ;;
    task|dotnet-task|task-delay) echo dotnet-task ;;
    fiber|netpoll|netpoll-fiber) echo netpoll-fiber ;;
    *) echo "seed: unknown variant '$1' (rust, go, thread, task, fiber)" >&2; return 1 ;;
  esac
}
wanted=()
IFS=, read -ra asked <<< "$variants"
for a in "${asked[@]}"; do wanted+=("$(canonical "$a")") || exit 2; done

# What the original experiment reported (and this project measured earlier with throwaway programs at 200,000 tasks).
declare -A quoted=([rust-thread]=8704 [go-goroutine]=2150)
declare -A calibration=([rust-thread]="8.8 KB, 19.7 s, 5.1 u, 24.0 s" [go-goroutine]="2.7 KB, 2.0 s, 1.6 u, 0.4 s"
  [dotnet-task]="0.34 KB, 1.3 s, 0.6 u, 0.05 s" [dotnet-thread]="17.8 KB (40,000 in one process: 70 s to start)")

work=$(mktemp -d)
pids=()
source "$root/tests/lib/sysctl-for-run.sh"
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  sysctl_put_back
}
trap cleanup EXIT

# Build what is asked; a variant whose toolchain is missing is skipped with the reason.
declare -A binary skipped
needs() { local v; for v in "${wanted[@]}"; do [[ "$v" == $1 ]] && return 0; done; return 1; }
if needs rust-thread; then
  if command -v cargo > /dev/null && command -v rustc > /dev/null; then
    (cd "$here/rust" && CARGO_TARGET_DIR="$work/rust-target" cargo build --release --offline --quiet) > "$work/rust.log" 2>&1 \
      && binary[rust-thread]="$work/rust-target/release/seed-rust" || skipped[rust-thread]="cargo build failed: $(tail -2 "$work/rust.log" | tr '\n' ' ')"
  else skipped[rust-thread]="cargo/rustc are not installed (apt-get install rustc cargo)"; fi
fi
if needs go-goroutine; then
  if command -v go > /dev/null; then
    (cd "$here/go" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="${GOCACHE:-$work/go-cache}" go build -o "$work/seed-go" .) > "$work/go.log" 2>&1 \
      && binary[go-goroutine]="$work/seed-go" || skipped[go-goroutine]="go build failed: $(tail -2 "$work/go.log" | tr '\n' ' ')"
  else skipped[go-goroutine]="go is not installed (apt-get install golang-go)"; fi
fi
if needs 'dotnet-*' || needs netpoll-fiber; then
  if dotnet publish "$here/dotnet/Shootout.Seed.csproj" -c Release -o "$work/seed-dotnet" --nologo -v quiet > "$work/dotnet.log" 2>&1; then
    for v in dotnet-thread dotnet-task netpoll-fiber; do binary[$v]="$work/seed-dotnet/shootout-seed $v"; done
  else
    for v in dotnet-thread dotnet-task netpoll-fiber; do skipped[$v]="dotnet publish failed: $(tail -2 "$work/dotnet.log" | tr '\n' ' ')"; done
  fi
fi

# Thread variants need a pid and about four memory maps (stack, guard, signal stack) per thread.
if needs rust-thread || needs dotnet-thread; then
  sysctl_at_least kernel.pid_max $(( tasks + 65536 > 4194304 ? 4194304 : tasks + 65536 )) "the thread variants"
  sysctl_at_least kernel.threads-max $(( tasks + 65536 )) "the thread variants"
  sysctl_at_least vm.max_map_count $(( tasks * 5 + 65536 )) "the thread variants"
fi
limits() { echo "pid_max $(sysctl -n kernel.pid_max), threads-max $(sysctl -n kernel.threads-max), max_map_count $(sysctl -n vm.max_map_count), MemAvailable $(awk '/^MemAvailable/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"; }

now() { date +%s.%N; }
# timed OUT_PREFIX CMD...: runs CMD under /usr/bin/time; OUT_PREFIX.out is its line, OUT_PREFIX.time "elapsed user sys maxrss_kb status"
timed() {
  local out=$1; shift
  # shellcheck disable=SC2068
  /usr/bin/time -f "%e %U %S %M %x" -o "$out.time" $@ > "$out.out" 2> "$out.err" || true
}
field() { sed -n "s/.*\\b$1=\\([^ \"]*\\).*/\\1/p" "$2" | head -1; }

json_rows=()
printf '%-14s %9s %10s %12s %9s %8s %8s  %-40s %s\n' variant tasks peak_alive RSS/task elapsed_s user_s sys_s "earlier here, 200,000 tasks (RSS/task, elapsed, user, sys)" wall | tee "$work/table"
for v in "${wanted[@]}"; do
  if [ -n "${skipped[$v]:-}" ]; then
    printf '%-14s skipped: %s\n' "$v" "${skipped[$v]}" | tee -a "$work/table"
    json_rows+=("\"$v\": {\"status\": \"skipped\", \"reason\": \"$(tr -d '"\\' <<< "${skipped[$v]}")\"}")
    continue
  fi
  cmd=${binary[$v]}
  # The runtime's own footprint, with no task: subtracted per process.
  timed "$work/$v-base" "$cmd" 0 "$reserve_mib"
  base_kb=$(tail -1 "$work/$v-base.time" | awk '{print $4 + 0}')
  # How many processes: the thread variants may spread (see above); the others are one process.
  chunk=$tasks
  case "$v" in
    dotnet-thread) chunk=${per_process:-10000} ;;
    rust-thread) chunk=${per_process:-$tasks} ;;
  esac
  procs=$(( (tasks + chunk - 1) / chunk ))
  echo "seed: $v: $tasks tasks in $procs process(es) ($(limits))" >&2
  start=$(now) pids=()
  for ((p = 0; p < procs; p++)); do
    n=$(( p == procs - 1 ? tasks - chunk * (procs - 1) : chunk ))
    timed "$work/$v-$p" "$cmd" "$n" "$reserve_mib" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  pids=()
  elapsed=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  started=0 peak=0 user=0 sys=0 rss_kb=0 wall= failed=
  for ((p = 0; p < procs; p++)); do
    f="$work/$v-$p"
    u= s= m= status=
    read -r _ u s m status <<< "$(tail -1 "$f.time" 2>/dev/null)" || true
    if [ "${status:-1}" != 0 ] || [ ! -s "$f.out" ]; then
      # Killed (an aborting runtime at a kernel limit, the OOM killer) or failed: the wall is what it said.
      failed="process $p: $(tail -c 300 "$f.err" | tr '\n"\\' '   ' | sed 's/  */ /g')"; u=${u:-0} s=${s:-0} m=${m:-0}
    fi
    started=$(( started + $(field tasks "$f.out" || echo 0) + 0 ))
    peak=$(( peak + $(field peak_alive "$f.out" || echo 0) + 0 ))
    user=$(awk -v a="$user" -v b="$u" 'BEGIN { print a + b }'); sys=$(awk -v a="$sys" -v b="$s" 'BEGIN { print a + b }')
    rss_kb=$(( rss_kb + m ))
    w=$(sed -n 's/.*wall="\([^"]*\)".*/\1/p' "$f.out")
    [ -n "$w" ] && [ -z "$wall" ] && wall=$w
  done
  [ -n "$failed" ] && wall="${wall:+$wall; }$failed"
  [ -n "$wall" ] && wall="$wall ($(limits))"
  per_task=null per_alive=null
  (( started > 0 )) && per_task=$(( (rss_kb - procs * base_kb) * 1024 / started ))
  (( peak > 0 )) && per_alive=$(( (rss_kb - procs * base_kb) * 1024 / peak ))
  printf '%-14s %9s %10s %12s %9s %8s %8s  %-40s %s\n' "$v" "$started" "$peak" "$per_task" "$elapsed" "$user" "$sys" "${calibration[$v]:-}" "$wall" | tee -a "$work/table"
  status=ok wall_json=
  [ -n "$wall" ] && status=stopped-short wall_json=", \"wall\": \"$(tr -d '"\\' <<< "$wall")\""
  json_rows+=("\"$v\": {\"status\": \"$status\", \"tasks\": $started, \"tasks_requested\": $tasks, \"processes\": $procs, \"peak_alive\": $peak, \"rss_per_task_bytes\": $per_task, \"rss_per_peak_alive_bytes\": $per_alive, \"max_rss_bytes\": $(( rss_kb * 1024 )), \"baseline_rss_bytes_per_process\": $(( base_kb * 1024 )), \"elapsed_s\": $elapsed, \"user_s\": $user, \"sys_s\": $sys${quoted[$v]:+, \"quoted_rss_per_task_bytes\": ${quoted[$v]}}$wall_json}")
done

stamp=$(date +%Y%m%d-%H%M%S)
out="$results/seed-$stamp"
mkdir -p "$out"
cp "$work/table" "$out/table.txt"
{
  echo "{"
  echo "  \"tasks_requested\": $tasks, \"sleep_s\": 1, \"cores\": $(nproc), \"memory_bytes\": $(( $(awk '/^MemTotal/ {print $2}' /proc/meminfo) * 1024 )),"
  echo "  \"variants\": {"
  for i in "${!json_rows[@]}"; do
    sep=,; (( i == ${#json_rows[@]} - 1 )) && sep=
    echo "    ${json_rows[$i]}$sep"
  done
  echo "  }"
  echo "}"
} > "$out/summary.json"
if [ -x "$work/seed-dotnet/shootout-seed" ]; then
  "$work/seed-dotnet/shootout-seed" chart "$out/summary.json" "$out" || echo "seed: the charts could not be drawn" >&2
fi
ln -sfn "seed-$stamp" "$results/seed-latest"
echo "(RSS/task = (Σ max RSS of the processes - processes x the runtime's max RSS with no task) / tasks; elapsed: first start to last exit;"
echo " peak_alive: tasks asleep at the same moment, summed over processes: under tasks when starting them took over a second,"
echo " and then summary.json's rss_per_peak_alive_bytes is the closer figure per live task);"
echo " original figures: Rust threads ~8.5 KB, goroutines ~2.1 KB per task)"
echo "results: $out/table.txt, summary.json, seed-memory.png, seed-time.png ($results/seed-latest -> seed-$stamp)"

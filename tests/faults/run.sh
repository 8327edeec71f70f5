#!/usr/bin/env bash
# The fault-injection suite (tests/Shootout.Server.Tests, category Faults) against every engine,
# printed as a table of checks x engines. Exit code: non-zero if any check failed.
#   tests/faults/run.sh            (make faults)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet test "$root/tests/Shootout.Server.Tests" -c Release --nologo --filter "Category=Faults" \
  --logger "trx;LogFileName=faults.trx" --results-directory "$out" > "$out/log.txt" 2>&1
status=$?
trx="$out/faults.trx"
if [ ! -f "$trx" ]; then
  tail -20 "$out/log.txt"
  echo "faults: the test run produced no results" >&2
  exit 1
fi
# One row per check, one column per engine: testName="...ReliabilityTests.Check(engine: &quot;X&quot;)" outcome="Passed"
# (X may be "uring:-feature": the uring engine with a ring feature off, a column of its own after the four)
grep -o 'testName="[^"]*" [^>]*outcome="[A-Za-z]*"' "$trx" \
  | sed -E 's/testName="[^"]*ReliabilityTests\.([A-Za-z_]+)\(engine: &quot;([a-z:-]+)&quot;\)".*outcome="([A-Za-z]+)"/\1 \2 \3/' \
  | awk '
      { check[$1] = 1; engine[$2] = 1; result[$1 " " $2] = ($3 == "Passed" ? "pass" : "FAIL") }
      END {
        n = split("threads async epoll uring", order, " ")
        for (e in engine) if (e !~ /^(threads|async|epoll|uring)$/) order[++n] = e
        for (i = 1; i <= n; i++) width[i] = length(order[i]) > 8 ? length(order[i]) : 8
        printf "%-62s", "check"
        for (i = 1; i <= n; i++) printf " %-*s", width[i], order[i]
        printf "\n"
        for (c in check) {
          label = c; gsub(/_/, " ", label)
          printf "%-62s", label
          for (i = 1; i <= n; i++) { r = result[c " " order[i]]; printf " %-*s", width[i], (r == "" ? "-" : r) }
          printf "\n"
        }
      }' | { read -r header; echo "$header"; sort; }
grep -E "^(Passed|Failed)!" "$out/log.txt"
if [ "$status" -ne 0 ]; then
  # Why each failed check failed: its message, without the stack trace.
  echo
  awk '/^ *Failed [A-Za-z]/ { show = 1 } /^ *Stack Trace:/ { show = 0 } show' "$out/log.txt"
fi
exit $status

# Medians over the rounds of a neighbours.sh table: awk -f tests/bench/median.awk -f tests/bench/neighbours-medians.awk TABLE
# Per engine: median probe p50 and p99, median p99 against the threads engine's median p99, and the
# floods' slowest/mean share of its worst round. The threads row's own p99 swings between rounds as much
# as any engine's, so one round's ratio measures the reference as much as the engine.
NR > 1 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9.]+$/ {
  if (!($1 in p99)) order[++n] = $1
  p50[$1] = p50[$1] " " $3; p99[$1] = p99[$1] " " $4; count[$1]++
  if (!($1 in worst) || $8 + 0 < worst[$1] + 0) worst[$1] = $8
}
END {
  if (!n) exit
  printf "%-10s %5s %10s %10s %11s %12s\n", "median", "of", "p50_ms", "p99_ms", "p99/threads", "worst_share"
  t = ("threads" in p99) ? median(p99["threads"]) : 0
  for (i = 1; i <= n; i++) {
    e = order[i]; m = median(p99[e]); vs = "-"
    if (t > 0) vs = sprintf("%.2fx", m / t)
    printf "%-10s %5d %10.2f %10.2f %11s %12s\n", e, count[e], median(p50[e]), m, vs, worst[e]
  }
}

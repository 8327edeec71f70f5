# Ratios of a bench table (table.txt), each round's and their median: the machine is noisy, so a
# ratio is read side by side in one round and then over rounds, never from one pair of rows.
#   awk -f tests/bench/median.awk -f tests/bench/ratios.awk table.txt
# Rows are named ENGINE, ENGINE@base, ENGINE#2, ENGINE@base#2, ...; columns as bench.sh prints them.
# Prints, for each engine that has a baseline, new build / baseline for echo msgs/s and accepts/s; and
# for each engine other than epoll, that engine / epoll of the same round and build, against the C
# reference's echo when it ran.
function ratio(a, b) { return (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) ? sprintf("%.3f", a / b) : "" }
function add(key, r) { if (r != "") { lists[key] = lists[key] " " r; if (!(key in order)) { order[key] = ++keys; byorder[keys] = key } } }
NR > 1 && $2 ~ /^[0-9]+$/ {
  name = $1; round = 1
  if (name ~ /#[0-9]+$/) { round = substr(name, index(name, "#") + 1); name = substr(name, 1, index(name, "#") - 1) }
  build = "new"
  if (name ~ /@base$/) { build = "base"; name = substr(name, 1, length(name) - 5) }
  accepts[name, build, round] = $3; echo[name, build, round] = $7
  if (!((name) in seen)) { seen[name] = 1; engines[++n] = name }
  if (round > rounds) rounds = round
}
END {
  for (r = 1; r <= rounds; r++)
    for (i = 1; i <= n; i++) {
      e = engines[i]
      if ((e, "base", r) in echo && (e, "new", r) in echo) {
        add(e " new/base echo", ratio(echo[e, "new", r], echo[e, "base", r]))
        add(e " new/base accepts", ratio(accepts[e, "new", r], accepts[e, "base", r]))
      }
      if (e != "epoll" && (e, "new", r) in echo && ("epoll", "new", r) in echo && e !~ /^(c|go|rust|dotnet-socket)$/) {
        add(e "/epoll echo", ratio(echo[e, "new", r], echo["epoll", "new", r]))
        add(e "/epoll accepts", ratio(accepts[e, "new", r], accepts["epoll", "new", r]))
        if (("c", "new", 1) in echo) add(e "/c echo", ratio(echo[e, "new", r], echo["c", "new", 1]))
      }
    }
  if (!keys) exit
  printf "%-26s %-32s %s\n", "ratio", "each round", "median"
  for (k = 1; k <= keys; k++) { key = byorder[k]; printf "%-26s %-32s %.3f\n", key, substr(lists[key], 2), median(substr(lists[key], 2)) }
}

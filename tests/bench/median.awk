# median(list): the median of a space-separated list of numbers. Shared by the bench's awk scripts:
#   awk -f tests/bench/median.awk -f tests/bench/ratios.awk TABLE
function median(list,    n, a, i, j, t) {
  n = split(list, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

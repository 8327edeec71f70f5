#!/usr/bin/env bash
# Fails, listing file:line, when a product C# line (servers/, lib/, loadgen/, seed/; not tests/) is longer
# than the limit. One screen's width keeps code and help text readable side by side; run by make format-check.
set -euo pipefail
limit="${1:-160}"
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cs' | grep -E '^(servers|lib|loadgen|seed)/' || true)
[ "${#files[@]}" -eq 0 ] && exit 0
long="$(awk -v limit="$limit" 'length > limit { print FILENAME ":" FNR ": " length " characters" }' "${files[@]}")"
if [ -n "$long" ]; then
    echo "$long" >&2
    echo "tools/line-length.sh: $(wc -l <<<"$long") product line(s) longer than $limit characters; wrap them" >&2
    exit 1
fi

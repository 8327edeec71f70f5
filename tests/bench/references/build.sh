#!/usr/bin/env bash
# Builds the reference echo servers into OUT_DIR, each from its own toolchain, standard library only:
#   c     OUT_DIR/c-epoll-echo   gcc
#   go    OUT_DIR/go-echo        go (Debian's golang-go)
#   rust  OUT_DIR/rust-echo      cargo and rustc (Debian's; the code keeps to rustc 1.63)
#   tests/bench/references/build.sh OUT_DIR [c,go,rust]
# A row whose toolchain is missing or whose build fails is not fatal: a line on stderr says which row is
# left out and why, and OUT_DIR/NAME.skipped holds that reason (the shootout runner reports it). Prints
# the rows built, comma-separated, on stdout. Builds offline: nothing is downloaded.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR [c,go,rust]}
rows=${2:-c,go,rust}
mkdir -p "$out"
out=$(cd "$out" && pwd)
built=()

skip() {  # skip ROW REASON
  echo "$2" > "$out/$1.skipped"
  echo "references: the $1 row is left out: $2" >&2
}

build_one() {
  local row=$1 log="$out/$1.build.log"
  rm -f "$out/$row.skipped"
  case "$row" in
    c)
      command -v gcc > /dev/null || { skip c "gcc is not installed (apt-get install gcc)"; return; }
      gcc -O2 -Wall -o "$out/c-epoll-echo" "$here/c-epoll-echo.c" -lpthread > "$log" 2>&1 \
        || { skip c "gcc failed: $(tail -3 "$log" | tr '\n' ' ')"; return; } ;;
    go)
      command -v go > /dev/null || { skip go "go is not installed (apt-get install golang-go; tools/prereqs.sh bench)"; return; }
      (cd "$here/go" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="${GOCACHE:-$out/.go-cache}" go build -trimpath -o "$out/go-echo" .) > "$log" 2>&1 \
        || { skip go "go build failed: $(tail -3 "$log" | tr '\n' ' ')"; return; } ;;
    rust)
      command -v cargo > /dev/null && command -v rustc > /dev/null \
        || { skip rust "cargo/rustc are not installed (apt-get install rustc cargo; tools/prereqs.sh bench)"; return; }
      (cd "$here/rust" && CARGO_TARGET_DIR="$out/.rust-target" cargo build --release --offline --quiet) > "$log" 2>&1 \
        && cp "$out/.rust-target/release/rust-echo" "$out/rust-echo" \
        || { skip rust "cargo build failed: $(tail -3 "$log" | tr '\n' ' ')"; return; } ;;
    *) echo "references: unknown row '$row' (known: c, go, rust)" >&2; return ;;
  esac
  built+=("$row")
}

IFS=, read -ra wanted <<< "$rows"
for row in "${wanted[@]}"; do build_one "$row"; done
(IFS=,; echo "${built[*]}")

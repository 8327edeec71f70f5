# Echo Server Shootout. `make run` answers the question; `make test` proves the parts work.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
BIN := $(CURDIR)/bin
ARGS ?=

.PHONY: all build test run bench faults faults-scale clean format format-check references seed prereqs-test prereqs-run compose-smoke

all: build

## build: publish Release builds of the server, the load generator and the shootout runner into bin/
build:
	$(DOTNET) publish servers/Shootout.Server/Shootout.Server.csproj -c $(CONFIG) -o $(BIN) --nologo -v quiet
	$(DOTNET) publish loadgen/Shootout.LoadGen/Shootout.LoadGen.csproj -c $(CONFIG) -o $(BIN) --nologo -v quiet
	$(DOTNET) publish loadgen/Shootout.Runner/Shootout.Runner.csproj -c $(CONFIG) -o $(BIN) --nologo -v quiet

## prereqs-test, prereqs-run: what the suite and the runner need from the system, installed as root on
##     Debian (apt-get), else the exact command printed and a failure (tools/prereqs.sh GROUP...)
prereqs-test:
	bash tools/prereqs.sh test compose bench
prereqs-run:
	bash tools/prereqs.sh run bench

## test: the whole suite against the real executables, then the compose stack started for real
test: prereqs-test build format-check
	status=0; $(DOTNET) test Shootout.sln -c $(CONFIG) --nologo --logger "console;verbosity=normal" $(TEST_ARGS) || status=$$?; \
	bash tests/compose/smoke.sh || status=1; exit $$status

## compose-smoke: docker-compose.yml up for real at 3,000 connections (podman + docker-compose), checked
##                through Prometheus's API, then torn down (tests/compose/smoke.sh; ~2 min warm, root)
compose-smoke:
	bash tools/prereqs.sh compose
	bash tests/compose/smoke.sh

## format: apply .editorconfig (whitespace, style, analyzers) to the whole tree
format:
	$(DOTNET) format Shootout.sln

## format-check: fail when a file is not formatted as .editorconfig says (part of make test, so CI checks it)
##               and when a product .cs line is longer than 160 characters (tools/line-length.sh lists file:line)
format-check:
	$(DOTNET) format Shootout.sln --verify-no-changes || { echo "make format-check: files are not formatted as .editorconfig says; run 'make format'" >&2; exit 1; }
	bash tools/line-length.sh 160

## run: each engine in turn holds idle connections and echoes; comparison table, results/<timestamp>/ and results/latest
##      and the C, Go and Rust references (make run ARGS="--connections 200000 --engines epoll,async --references none";
##      --contender NAME='COMMAND' adds your own server; bin/shootout-runner --help lists the options)
run: prereqs-run build references
	$(BIN)/shootout-runner $(ARGS)

## million: the shootout at 1,000,000 idle connections per engine on this machine (63 SO_REUSEPORT copies each); short echo
##          phases; each ramp bounded (4 min) and stopped before MemAvailable falls under 3 GiB, the wall named in the report.
##          No local Prometheus: scraping ~54 server copies each second cost each ~7 MiB and slowed the ramp (docs/results.md).
MILLION_ARGS ?= --connections 1000000 --engines uring,epoll,async,threads --connect-rate 30000 --ramp-timeout 240s --ramp-stall 30s \
                --memory-reserve 3 --echo-duration 5s --closed-duration 5s --plain --no-prometheus --references none
million: build references
	free -g
	$(BIN)/shootout-runner $(MILLION_ARGS) $(ARGS); rc=$$?; free -g; exit $$rc

## references: the reference echo servers (C, Go, Rust: tests/bench/references/) built into bin/references/;
##             Debian's golang-go, rustc and cargo are installed (as root) when missing; a row that cannot be built says why
references:
	bash tools/prereqs.sh bench
	bash tests/bench/references/build.sh $(BIN)/references > /dev/null

## bench: side by side, alternating over rounds: per-idle-connection memory, accept rate, closed-loop echo, threads, CPU and
##        syscalls per message; the C, Go, Rust and bare-.NET-Socket references beside the engines; every ratio with its 95%
##        interval; server and C client on disjoint CPUs; results/bench-latest/{table.txt,summary.json}
##        (make bench ARGS="--engines epoll,uring --references c --rounds 8"; bin/shootout-runner bench --help lists the options)
bench: build references
	gcc -O2 -Wall -o $(BIN)/bench-client tests/bench/bench-client.c
	$(DOTNET) publish tests/bench/dotnet-socket-echo -c $(CONFIG) -o $(BIN)/references/dotnet-socket-echo --nologo -v quiet \
	  || echo "make bench: tests/bench/dotnet-socket-echo did not build; its row is skipped" >&2
	$(BIN)/shootout-runner bench $(ARGS)

## seed: the classic experiment: N tasks each sleep 1 s, then joined, timed by /usr/bin/time: Rust threads, goroutines,
##       .NET threads, Task.Delay, the netpoller's fibers; results/seed-latest/ (make seed ARGS="--tasks 20000 --variants go,rust")
seed:
	bash tools/prereqs.sh bench
	bash seed/seed.sh $(ARGS)

## faults: the fault-injection suite against every engine, as a table of checks x engines
faults: build
	bash tests/faults/run.sh

## faults-scale: SIGTERM with 100,000 connections open, per engine (ARGS="--connections N --engines a,b")
faults-scale: build
	bash tests/faults/sigterm-at-scale.sh $(ARGS)

clean:
	rm -rf $(BIN) results
	$(DOTNET) clean Shootout.sln --nologo -v quiet

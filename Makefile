# Echo Server Shootout. `make run` answers the question; `make test` proves the parts work.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
BIN := $(CURDIR)/bin
ARGS ?=

.PHONY: all build test run bench clean

all: build

## build: publish Release builds of the server (and the load generator) into bin/
build:
	$(DOTNET) publish servers/Shootout.Server/Shootout.Server.csproj -c $(CONFIG) -o $(BIN) --nologo -v quiet
	@if [ -d loadgen/Shootout.LoadGen ]; then \
		$(DOTNET) publish loadgen/Shootout.LoadGen/Shootout.LoadGen.csproj -c $(CONFIG) -o $(BIN) --nologo -v quiet; fi

## test: the whole suite against the real executables
test: build
	$(DOTNET) test Shootout.sln -c $(CONFIG) --nologo --logger "console;verbosity=normal" $(TEST_ARGS)

## run: start each engine and compare them (a short bench until the shootout runner lands)
run: build
	bash tests/bench/bench.sh --connections 5000 --seconds 3 $(ARGS)

## bench: per-idle-connection memory, accept rate and echo throughput, engines side by side
bench: build
	bash tests/bench/bench.sh $(ARGS)

clean:
	rm -rf $(BIN) results
	$(DOTNET) clean Shootout.sln --nologo -v quiet

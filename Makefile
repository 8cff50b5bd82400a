# The project's commands. Settings come from the environment (see README):
# AIRWAVE_DB, AIRWAVE_PORT, AIRWAVE_RUN_DIR, AIRWAVE_WORKERS,
# AIRWAVE_INNER_CACHE, CACHE_DEFAULT_TTL, DB_ECHO.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: help deps build up down status reload cluster-up cluster-down cluster-status test bench bench-cache outer-cache-on outer-cache-off outer-cache-clear inner-cache-on inner-cache-off load-test cache-analysis cache-matrix replicate clean

help:
	@echo "make up               install what is missing, build, start pool + nginx on 127.0.0.1:$${AIRWAVE_PORT:-8080}"
	@echo "make down             stop them"
	@echo "make test             every test (unit, fuzzing, and end to end through a real nginx)"
	@echo "make bench            benchmarks through nginx with wrk (large library)"
	@echo "make bench-cache      the inner cache's candidates in one process: ours and LMDB (µs per hit and store)"
	@echo "make outer-cache-off  turn nginx's cache off (reload, no request dropped)"
	@echo "make outer-cache-on   turn it back on"
	@echo "make outer-cache-clear  empty nginx's cache"
	@echo "make inner-cache-off  turn every worker's cache off (graceful pool reload); inner-cache-on: back on"
	@echo "make load-test        the guide's load test through nginx (10 users, 60 s; ARGS=\"--users 50\" for more)"
	@echo "make cache-analysis   both cache layers from the headers, checked against the pool and nginx's log"
	@echo "make cache-matrix     the analysis in all four layer configurations, side by side"
	@echo "make status           what is running"
	@echo "make cluster-up HOSTS=3  several pool hosts (network namespaces, root) behind one nginx; BALANCE=least_conn for the guide's balancing"
	@echo "make cluster-down     stop them and remove their namespaces"
	@echo "make reload           new pool workers (and a new build) without dropping a request"
	@echo "make replicate SRC=F  swap a consistent copy of F in for the running stack's database (a read replica)"

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build -c release --product airwave

up: build
	@scripts/stack up

down:
	@scripts/stack down

status:
	@scripts/stack status

reload:
	@scripts/stack reload

# Several pool hosts, each a network namespace with its own address and copy
# of the database, behind one nginx (run/cluster; scripts/cluster --help).
cluster-up: build
	@scripts/cluster up

cluster-down:
	@scripts/cluster down

cluster-status:
	@scripts/cluster status

outer-cache-on:
	@scripts/stack outer-cache on

outer-cache-off:
	@scripts/stack outer-cache off

outer-cache-clear:
	@scripts/stack outer-cache clear

inner-cache-on:
	@scripts/stack inner-cache on

inner-cache-off:
	@scripts/stack inner-cache off

# The tools talk to nginx on AIRWAVE_PORT; ARGS adds their own options.
TOOL_URL = --url http://127.0.0.1:$${AIRWAVE_PORT:-8080}

load-test: build
	@.build/release/airwave load-test $(TOOL_URL) $(ARGS)

cache-analysis: build
	@.build/release/airwave cache-analysis $(TOOL_URL) $(ARGS)

cache-matrix: build
	@.build/release/airwave cache-analysis --matrix $(TOOL_URL) $(ARGS)

# The stack's database: AIRWAVE_DB, else the demo library in the run folder.
replicate: build
	@test -n "$(SRC)" || { echo "usage: make replicate SRC=/path/to/library.db" >&2; exit 64; }
	@.build/release/airwave replicate "$(SRC)" "$${AIRWAVE_DB:-$${AIRWAVE_RUN_DIR:-run}/demo.db}"

# The load tester's timing tests measure real time: they run alone, after
# the rest (which start nginx stacks and wrk in parallel). Schemathesis, for
# the fuzzing test, goes into run/venv when missing.
test: deps
	@scripts/install-deps --tests
	$(SWIFT) build
	$(SWIFT) test --skip LoadTestTimingTests
	$(SWIFT) test --filter LoadTestTimingTests

bench: build
	@scripts/bench

bench-cache:
	@scripts/bench-cache

clean:
	rm -rf .build run

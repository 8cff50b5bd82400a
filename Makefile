# The project's commands. Settings come from the environment (see README):
# AIRWAVE_DB, AIRWAVE_PORT, AIRWAVE_RUN_DIR, AIRWAVE_WORKERS,
# AIRWAVE_INNER_CACHE, CACHE_DEFAULT_TTL, DB_ECHO.
SWIFT ?= swift
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: help deps build up down status reload test bench outer-cache-on outer-cache-off clean

help:
	@echo "make up               install what is missing, build, start pool + nginx on 127.0.0.1:$${AIRWAVE_PORT:-8080}"
	@echo "make down             stop them"
	@echo "make test             every test (unit and end-to-end through a real nginx)"
	@echo "make bench            benchmarks through nginx with wrk (large library)"
	@echo "make outer-cache-off  turn nginx's cache off (reload, no request dropped)"
	@echo "make outer-cache-on   turn it back on"
	@echo "make status           what is running"
	@echo "make reload           new pool workers (and a new build) without dropping a request"

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

outer-cache-on:
	@scripts/stack outer-cache on

outer-cache-off:
	@scripts/stack outer-cache off

test: deps
	$(SWIFT) build
	$(SWIFT) test

bench: build
	@scripts/bench

clean:
	rm -rf .build run

# OneTime Studios. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
SERVICES := identity catalog availability booking payments notifications
ALONE := $(SERVICES) web
# `make test` runs pytest twice. First every test but the whole-system ones, on PYTEST_WORKERS
# worker processes (0: in pytest's own), a test file per worker at a time: three on two cores,
# since a test often waits on a deadline or a server (the cores were 53% busy with two workers,
# 73% with three, and the round took a sixth less). Then the whole-system tests on
# SYSTEM_WORKERS, which need the machine to themselves (their hold windows are seconds), a
# system per worker at a time: three groups (conftest.py), since one of them mostly sleeps until
# sessions it booked have started; a fourth system would pass PostgreSQL's 100 connections.
# PYTEST_ARGS go to both.
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 3
SYSTEM_WORKERS ?= 3
PYTEST := $(UV) run pytest --dist loadgroup
# Where the environment sets PYTHONDONTWRITEBYTECODE (these machines do), every process compiled
# each module it imports from source: every pytest worker, every service a test system starts or
# restarts: about 2 s of CPU per start, half that of a whole-system test (37 -> 17 s). The
# bytecode goes to __pycache__, which git ignores; Python writes it atomically, so processes
# starting at once do not clash.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install servers test lint typecheck schemas alone run bench chaos fuzz $(addprefix run-,$(SERVICES)) $(addprefix test-,$(SERVICES))

help: ## list the targets
	@grep -E '^[a-zA-Z%_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

install: ## install uv if needed, then every package of the workspace into .venv (from the lock)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --all-packages --locked

servers: ## start the local PostgreSQL and RabbitMQ when they are down; install nginx, PgBouncer and Chromium if missing
	bash scripts/ensure-servers.sh
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	@# The PgBouncer tests start one of their own; the package's own service is not used.
	@[ -x /usr/sbin/pgbouncer ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; }
	@# The browser tests drive Debian's Chromium through Playwright; Playwright never downloads one.
	@[ -x /usr/bin/chromium ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: install ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install ## mypy (strict on contracts and the runtime kit)
	$(UV) run mypy contracts/src runtime/src $(wildcard services/*/src) $(wildcard tools/*/src)
	$(UV) run mypy --explicit-package-bases bench scripts

schemas: install ## regenerate contracts/schemas from the message models (refuses breaking changes)
	$(UV) run python -m contracts.schemas write

alone: install ## install each service alone, as its image does, and check that it starts
	@# Two at a time: each is mostly a cold interpreter importing its app on one core.
	@printf '%s\n' $(ALONE) | xargs -P 2 -n 1 bash scripts/check_service_alone.sh

test: install servers lint typecheck alone ## the whole suite: lint, types, schemas, each service alone, all tests
	$(UV) run python -m contracts.schemas check
	@# Both rounds run even when the first fails; pytest's 5 is "no test selected" (by -k).
	@status=0; \
	$(PYTEST) -n $(PYTEST_WORKERS) --ignore=tests/system $(PYTEST_ARGS) || [ $$? -eq 5 ] || status=1; \
	$(PYTEST) -n $(SYSTEM_WORKERS) tests/system $(PYTEST_ARGS) || [ $$? -eq 5 ] || status=1; \
	exit $$status

# `make chaos`: the chaos test of tests/system at a larger size; any CHAOS_* given wins.
chaos: export CHAOS_BOOKERS ?= 16
chaos: export CHAOS_ATTEMPTS_PER_BOOKER ?= 8
chaos: export CHAOS_KILLS ?= 9
chaos: export CHAOS_CRASH_LOOPS ?= 2
chaos: export CHAOS_OUTAGES ?= 6
chaos: export CHAOS_SETTLE_SECONDS ?= 300
chaos: install servers ## a longer chaos run (more bookers, kills, cuts; CHAOS_SEED, CHAOS_BOOKERS, ...)
	$(UV) run pytest tests/system/test_chaos.py $(PYTEST_ARGS)

test-%: install servers ## one service's tests, e.g. make test-identity
	$(UV) run pytest services/$*

run: install servers ## migrate, start the whole system with demo data, print where to look
	$(UV) run python -m scripts.run_system

run-%: install servers ## run one service alone, e.g. make run-identity
	$(UV) run python -m scripts.run_system --only $*

fuzz: install servers ## schemathesis at length over the gateway's merged OpenAPI (FUZZ_MAX_EXAMPLES, FUZZ_SEED)
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-50} FUZZ_PHASES=$${FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
		$(UV) run pytest -s tests/system/test_openapi_fuzz.py

bench: install servers ## benchmarks (not tests): outbox latency, search, availability, bookings, emails, Stripe calls, the unit of work
	@for script in bench/*.py; do echo "== $$script"; PYTHONPATH=. $(UV) run python $$script || exit 1; done

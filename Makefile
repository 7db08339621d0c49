# Two commands matter: `make demo` (the main job on the built-in example) and
# `make test` (every test). Both install missing system packages first.

CARGO ?= cargo
EXAMPLE ?= examples/europe-2025/base.toml

.PHONY: demo test lint deps platform

deps:
	@bash scripts/ensure-system-deps.sh

demo: deps
	$(CARGO) run --quiet -p caisson-cli -- demo

# The server's tests run on SQLite and, against a PostgreSQL server that
# scripts/ensure-postgres.sh installs and starts when none is reachable, on
# PostgreSQL (each test in a database of its own).
test:
	@bash scripts/ensure-system-deps.sh chromium
	url="$$(bash scripts/ensure-postgres.sh)" && \
	CAISSON_TEST_POSTGRES_URL="$$url" CAISSON_REQUIRE_POSTGRES=1 \
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

# The shared platform on a fresh embedded SQLite file, with every party of
# the European example having contributed its part over HTTP; prints the
# URL and each party's sign-in. `make platform EMPTY=1` makes the parties
# and their users only, for a walk from an empty round to a published plan
# in the browser. Ctrl-C stops it.
PLATFORM_DB ?= target/platform/caisson.db
EMPTY ?=
platform: deps
	@mkdir -p $(dir $(PLATFORM_DB))
	@rm -f $(PLATFORM_DB) $(PLATFORM_DB)-wal $(PLATFORM_DB)-shm
	$(CARGO) run --quiet -p caisson-cli -- serve --database sqlite://$(PLATFORM_DB) --example europe $(if $(EMPTY),--empty)

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Two commands matter: `make demo` (the main job on the built-in example) and
# `make test` (every test). Both install missing system packages first.

CARGO ?= cargo
EXAMPLE ?= examples/europe-2025/base.toml

.PHONY: demo test lint deps

deps:
	@bash scripts/ensure-system-deps.sh

demo: deps
	$(CARGO) run --quiet -p caisson-cli -- demo

test:
	@bash scripts/ensure-system-deps.sh chromium
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

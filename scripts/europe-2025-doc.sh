#!/usr/bin/env bash
# Regenerates docs/europe-2025.md from the tool's own output: runs the demo
# on the built-in scenario (release build, for speed) and lets it write the
# analysis document. Run it after changing examples/europe-2025/ or the
# planner; `make test` fails when the document is older than the data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
out="${CAISSON_DEMO_OUT:-target/europe-2025-demo}"
cargo run --release --quiet -p caisson-cli -- demo --quiet --out "$out" \
    --analysis-doc docs/europe-2025.md
echo "wrote docs/europe-2025.md (demo outputs in $out)"

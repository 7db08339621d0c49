#!/usr/bin/env bash
# Regenerates docs/europe-2025.md from the tool's own output: runs the
# sensitivity of the integrate-or-lose answer to every assumption of the
# built-in scenario (a long run: see docs/performance.md), then the demo
# (release build, for speed), which writes the analysis document with that
# run's section. Run it after changing examples/europe-2025/ or the planner;
# `make test` fails when the document is older than the data.
#
# CAISSON_SENSITIVITY=FILE reuses a saved run instead of making a new one
# (it must come from the current example files); CAISSON_BREAKEVEN=FILE
# likewise reuses a saved `caisson breakeven` run of serbia-political.toml
# (Serbian contracts or EU ramp-ups under political risk, also long). CAISSON_BIN=PATH uses an
# already built `caisson` (e.g. target/debug/caisson) instead of building the
# release one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
out="${CAISSON_DEMO_OUT:-target/europe-2025-demo}"
mkdir -p "$out"
caisson="${CAISSON_BIN:-}"
if [ -z "$caisson" ]; then
    cargo build --release --quiet -p caisson-cli
    caisson=target/release/caisson
fi
sensitivity="${CAISSON_SENSITIVITY:-}"
if [ -z "$sensitivity" ]; then
    sensitivity="$out/sensitivity.json"
    dir=examples/europe-2025
    # Integrated minus lost, for Ukraine; the base planned alongside for the
    # direction of the answer. Re-plans stop at the risk analysis' MIP gap.
    "$caisson" sensitivity "$dir/serbia-integrated.toml" \
        --variant "$dir/serbia-lost.toml" --variant "$dir/base.toml" \
        --measure difference --end-user UKR --mip-gap 1e-4 --quiet \
        --out "$sensitivity" --report "$out/sensitivity.html" > "$out/sensitivity.txt"
fi
breakeven="${CAISSON_BREAKEVEN:-}"
if [ -z "$breakeven" ]; then
    breakeven="$out/breakeven.json"
    # The sweep of docs/europe-2025.md (its settings and run time are in
    # that section and in docs/performance.md).
    "$caisson" breakeven examples/europe-2025/serbia-political.toml \
        --entry serbia-turns-away --supplier SRB --bloc EU --end-user UKR \
        --hazards 0,0.1,0.2,0.3 --samples 3 --seed 0 \
        --price 500 --spot-price 750 --mip-gap 1e-3 --method extensive --quiet \
        --out "$breakeven" --csv "$out/breakeven.csv" --html "$out/breakeven.html" \
        > "$out/breakeven.txt"
fi
"$caisson" demo --quiet --out "$out" \
    --analysis-doc docs/europe-2025.md --sensitivity "$sensitivity" --breakeven "$breakeven"
echo "wrote docs/europe-2025.md (demo outputs in $out)"

#!/usr/bin/env bash
# Installs the system packages Caisson's build needs (HiGHS is C++, built by
# highs-sys with cmake; its bindings are generated with libclang; the HTML
# report embeds ECharts fetched with npm), if missing. Extra Debian package
# names given as arguments are installed too (`make test` adds chromium for
# the browser test).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
if ! { dpkg-query -W -f='${Status}' libclang-dev 2>/dev/null | grep -q "install ok installed"; }; then
    missing+=(libclang-dev)
fi
# Node.js and npm fetch the report's charting library at build time (see
# crates/html/build.rs); take Debian's only when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
for extra in "$@"; do
    dpkg-query -W -f='${Status}' "$extra" 2>/dev/null | grep -q "install ok installed" || missing+=("$extra")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "missing system packages: ${missing[*]}" >&2
    echo "install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the platform's tests and prints
# its URL on stdout (nothing else): postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
#
# - A server already answering at $CAISSON_TEST_POSTGRES_URL is used as it is.
# - Otherwise Debian's `postgresql` package is installed when missing (as
#   root; otherwise the exact command is printed and the script fails), the
#   packaged cluster is started with pg_ctlcluster (PostgreSQL refuses to
#   run as root itself), and role `postgres` gets the password below so that
#   tests connect over TCP on 127.0.0.1.
set -euo pipefail

password="${CAISSON_TEST_POSTGRES_PASSWORD:-caisson-test}"

if [ -n "${CAISSON_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1; then
    if pg_isready -q -d "$CAISSON_TEST_POSTGRES_URL"; then
        echo "$CAISSON_TEST_POSTGRES_URL"
        exit 0
    fi
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL is missing; install it with:  sudo apt-get install -y postgresql" >&2
        exit 1
    fi
    echo "installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

# The newest installed major version and its cluster `main`.
version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"

run_as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -c "$1"
    else
        sudo -u postgres sh -c "$1"
    fi
}
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
run_as_postgres "psql -q -p $port -c \"ALTER ROLE postgres PASSWORD '$password'\"" >&2

echo "postgres://postgres:${password}@127.0.0.1:${port}/postgres"

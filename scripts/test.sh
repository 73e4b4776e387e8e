#!/usr/bin/env bash
# Sets up everything and runs every test: the one command CI runs (through `make test`).
#   1. installs missing Debian packages (scripts/install-deps.sh)
#   2. builds in ./build (Ninja, ccache) with warnings as errors
#   3. checks formatting (clang-format)
#   4. starts a throwaway PostgreSQL cluster and an SMTP server on 127.0.0.1
#   5. runs every test through ctest, in parallel
# Everything started here is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh

# Let ccache share results between checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

jobs=${MARKETLINK_TEST_JOBS:-$(nproc)}
cmake --preset default >/dev/null
cmake --build build -j "$jobs"

bash scripts/check-format.sh

work=$(mktemp -d /tmp/marketlink-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  status=$?
  [ -n "${smtp_pid:-}" ] && kill "$smtp_pid" 2>/dev/null || true
  bash scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

echo "test: starting PostgreSQL"
MARKETLINK_TEST_PG_URL=$(bash scripts/pg-cluster.sh start "$work/pg")
export MARKETLINK_TEST_PG_URL
export MARKETLINK_TEST_REQUIRE_PG=1

echo "test: starting the SMTP server"
smtp_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# aiosmtpd only creates a Maildir's tmp/new/cur when the folder itself is missing.
mkdir -p "$work/maildir/tmp" "$work/maildir/new" "$work/maildir/cur"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$work/maildir" \
  >"$work/smtp.log" 2>&1 &
smtp_pid=$!
export MARKETLINK_TEST_SMTP_URL="smtp://127.0.0.1:$smtp_port"
export MARKETLINK_TEST_SMTP_MAILDIR="$work/maildir"

export MARKETLINK_BINARY="$root/build/marketlink"
echo "test: running tests"
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600)

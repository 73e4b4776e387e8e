#!/usr/bin/env bash
# Sets up everything and runs every test: the one command CI runs (through `make test`, then
# `make test-sanitize`).
#   scripts/test.sh          the default build in ./build, warnings as errors, format checked
#   scripts/test.sh asan     the same tests built with AddressSanitizer and UBSan in ./build-asan
#                            (the layering and style-sheet checks aside: they run no C++); any report
#                            fails its test, in child processes (servers, workers, the simulator)
#                            too
#   1. installs missing Debian packages (scripts/install-deps.sh)
#   2. builds the preset (Ninja, ccache)
#   3. checks formatting (clang-format; default preset)
#   4. starts a throwaway PostgreSQL cluster and an SMTP server on 127.0.0.1
#   5. runs the preset's tests through ctest, in parallel
# Everything started here is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
preset=${1:-default}
case "$preset" in default | asan) ;; *) echo "test: unknown preset '$preset' (default|asan)" >&2; exit 2 ;; esac

bash scripts/install-deps.sh

# Let ccache share results between checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

jobs=${MARKETLINK_TEST_JOBS:-$(nproc)}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"

if [ "$preset" = default ]; then
  bash scripts/check-format.sh
else
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:check_initialization_order=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

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

echo "test: running the $preset tests"
ctest --preset "$preset" -j "$jobs"

#!/usr/bin/env bash
# Sourced by the test scripts: starts the peers the tests talk to, on 127.0.0.1, in a throwaway
# folder, and stops them when the sourcing script exits, whatever happens.
#   source scripts/test-servers.sh   → exports MARKETLINK_TEST_PG_URL, MARKETLINK_TEST_REQUIRE_PG,
#                                       MARKETLINK_TEST_SMTP_URL and MARKETLINK_TEST_SMTP_MAILDIR
# Needs the packages of scripts/install-deps.sh.

test_servers_work=$(mktemp -d /tmp/marketlink-test.XXXXXX)
chmod 755 "$test_servers_work"
test_servers_cleanup() {
  local status=$?
  [ -n "${test_servers_smtp_pid:-}" ] && kill "$test_servers_smtp_pid" 2>/dev/null || true
  bash "$(dirname "${BASH_SOURCE[0]}")/pg-cluster.sh" stop "$test_servers_work/pg" >/dev/null 2>&1 || true
  rm -rf "$test_servers_work"
  exit $status
}
trap test_servers_cleanup EXIT INT TERM

echo "test: starting PostgreSQL"
MARKETLINK_TEST_PG_URL=$(bash "$(dirname "${BASH_SOURCE[0]}")/pg-cluster.sh" start "$test_servers_work/pg")
export MARKETLINK_TEST_PG_URL
export MARKETLINK_TEST_REQUIRE_PG=1

echo "test: starting the SMTP server"
test_servers_smtp_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# aiosmtpd only creates a Maildir's tmp/new/cur when the folder itself is missing.
mkdir -p "$test_servers_work/maildir/tmp" "$test_servers_work/maildir/new" "$test_servers_work/maildir/cur"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$test_servers_smtp_port" -c aiosmtpd.handlers.Mailbox \
  "$test_servers_work/maildir" >"$test_servers_work/smtp.log" 2>&1 &
test_servers_smtp_pid=$!
export MARKETLINK_TEST_SMTP_URL="smtp://127.0.0.1:$test_servers_smtp_port"
export MARKETLINK_TEST_SMTP_MAILDIR="$test_servers_work/maildir"

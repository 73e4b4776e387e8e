#!/usr/bin/env bash
# Runs the browser tests (node's test runner, Playwright driving Debian's Chromium) against a real
# `marketlink serve`. Installs what is missing first: Debian's chromium package and the npm
# dependencies pinned in package-lock.json.
#
# Environment: MARKETLINK_BINARY (the server; default ../../build/marketlink), and from the test
# command MARKETLINK_TEST_PG_URL / MARKETLINK_TEST_REQUIRE_PG (PostgreSQL runs),
# MARKETLINK_TEST_SMTP_URL / MARKETLINK_TEST_SMTP_MAILDIR (where the server's mail lands).
# Screenshots go to test-output/screenshots/ at the top of the repository.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing chromium"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || {
    "${sudo_cmd[@]}" apt-get update -q >/dev/null 2>&1
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium >/dev/null
  }
fi

if [ ! -f node_modules/playwright-core/package.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "e2e: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

export MARKETLINK_BINARY="${MARKETLINK_BINARY:-$(cd ../.. && pwd)/build/marketlink}"
exec node --test --test-concurrency=1 --test-reporter=spec tests/

#!/usr/bin/env bash
# Account pool allocation over HTTP on SQLite and PostgreSQL, next to the database's own limit:
#  1. correctness at full size: tests/pool's test (64 clients, 3 `marketlink serve` processes on
#     one database, age order, no double take) with 2,000 accounts, on both databases;
#  2. takes/s with 64 concurrent keep-alive clients on 2,000 ready accounts of one (provider,
#     marketplace): through `marketlink serve` (one process, and three on the same database),
#     through pool::Pool in-process with serve's 8 connections, and through the same SQL run by a
#     minimal client (8 connections shared by the clients, as serve has, and one per client):
#     the database's own limit; and that client again preparing every statement on every use,
#     as SOCI does.
#   bash bench/pool_http.sh            (after `make build`)
# Env: ROUNDS (5, interleaved, median), CLIENTS (64), ACCOUNTS (2000), CHECK (1: run step 1).
# Starts its own PostgreSQL (scripts/pg-cluster.sh: fsync off, as in tests) and prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-5}
clients=${CLIENTS:-64}
accounts=${ACCOUNTS:-2000}
check=${CHECK:-1}
http=$root/build/marketlink_pool_http_bench
raw=$root/build/marketlink_pool_bench
tests=$root/build/marketlink_pool_process_tests
for b in "$http" "$raw" "$tests" "$root/build/marketlink"; do
  [ -x "$b" ] || { echo "bench: build first (make build)" >&2; exit 1; }
done
# shellcheck source=bench/pool_common.sh
source bench/pool_common.sh

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2}'), $(free -g | awk '/Mem:/{print $2}') GiB; SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), PostgreSQL $(psql -V | awk '{print $3}')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other load skews the figures)"

if [ "$check" = 1 ]; then
  echo
  echo "Correctness at full size ($accounts accounts, 64 clients, 3 serve processes):"
  status=0
  out=$(MARKETLINK_POOL_TEST_ACCOUNTS=$accounts MARKETLINK_TEST_PG_URL=$pg \
        MARKETLINK_TEST_REQUIRE_PG=1 "$tests" 2>&1) || status=$?
  grep -E '^\[ +(OK|FAILED) +\]' <<<"$out" | sed 's/^/  /'
  [ "$status" = 0 ] || { echo "$out" >&2; echo "bench: the full-size test failed" >&2; exit 1; }
fi

# One measurement: name → takes/s, appended to $work/NAME (one line per round).
measure() {
  local name=$1 url=$2 kind=$3 out
  case "$kind" in
    http1) out=$("$http" --db "$url" --servers 1 --clients "$clients" --accounts "$accounts") ;;
    http3) out=$("$http" --db "$url" --servers 3 --clients "$clients" --accounts "$accounts") ;;
    pool8) out=$(MARKETLINK_LOG_LEVEL=warn "$raw" take --db "$url" --client service \
                   --connections 8 --takers "$clients" --accounts "$accounts") ;;
    direct) out=$(MARKETLINK_LOG_LEVEL=warn "$raw" take --db "$url" --client direct \
                    --takers "$clients" --accounts "$accounts") ;;
    direct8) out=$(MARKETLINK_LOG_LEVEL=warn "$raw" take --db "$url" --client direct \
                     --connections 8 --takers "$clients" --accounts "$accounts") ;;
    reprepare8) out=$(MARKETLINK_LOG_LEVEL=warn "$raw" take --db "$url" --client direct \
                        --connections 8 --reprepare --takers "$clients" --accounts "$accounts") ;;
  esac
  value takes_per_second <<<"$out" | cut -d. -f1 >>"$work/$name"
}

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds…" >&2
  for db in sqlite pg; do
    url=$lite
    [ "$db" = pg ] && url=$pg
    for kind in http1 direct8 direct http3 pool8 reprepare8; do measure "$db-$kind" "$url" "$kind"; done
  done
done

m() { median <"$work/$1"; }
spread() { sort -n "$work/$1" | sed -n '1p;$p' | paste -sd '-'; }
echo
echo "Allocation: $clients concurrent clients, $accounts ready accounts of one (provider, marketplace), median of $rounds interleaved rounds (min-max)"
echo
echo "| database | HTTP, 1 \`serve\` process | same SQL, minimal client, 8 connections | ratio | same SQL, minimal client, connection per client | ratio | HTTP, 3 \`serve\` processes | pool::Pool in-process, 8 connections | minimal client, 8 connections, statements prepared on every use |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for db in sqlite pg; do
  name=SQLite
  [ "$db" = pg ] && name=PostgreSQL
  cell() { echo "$(m "$db-$1") takes/s ($(spread "$db-$1"))"; }
  echo "| $name | $(cell http1) | $(cell direct8) | $(ratio "$(m "$db-http1")" "$(m "$db-direct8")") | $(cell direct) | $(ratio "$(m "$db-http1")" "$(m "$db-direct")") | $(cell http3) | $(cell pool8) | $(cell reprepare8) |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

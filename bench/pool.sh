#!/usr/bin/env bash
# Account pool benchmark on SQLite and PostgreSQL, each next to the database's own limit:
#  - allocation: takes/s with 64 concurrent takers on 2,000 ready accounts of one (provider,
#    marketplace), through pool::Pool and through the same SQL run by a minimal client (sqlite3 C
#    API / libpq, prepared statements), each with one connection per taker and with 8 shared;
#  - CSV import of 100,000 and 1,000,000 rows through pool::Pool (parse, validate, insert) next to
#    the database's bulk load (COPY / sqlite3 .import) into the same table with the same indexes.
#   bash bench/pool.sh            (after `make build`)
# Env: ROUNDS (3, median), TAKERS (64), ACCOUNTS (2000), IMPORT_ROWS ("100000 1000000"; " " for
# none).
# Starts its own PostgreSQL (scripts/pg-cluster.sh: fsync off, as in tests) and prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
export MARKETLINK_LOG_LEVEL=warn
root=$(pwd)
rounds=${ROUNDS:-3}
takers=${TAKERS:-64}
accounts=${ACCOUNTS:-2000}
import_rows=${IMPORT_ROWS:-"100000 1000000"}
bench=$root/build/marketlink_pool_bench
binary=$root/build/marketlink
[ -x "$bench" ] && [ -x "$binary" ] || { echo "bench: build first (make build)" >&2; exit 1; }
# shellcheck source=bench/pool_common.sh
source bench/pool_common.sh
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
grouped() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

takes() {  # url client connections → median takes/s over $rounds rounds
  for _ in $(seq 1 "$rounds"); do
    "$bench" take --db "$1" --client "$2" --connections "$3" --takers "$takers" \
      --accounts "$accounts" | value takes_per_second
  done | median
}

columns="account_id, provider_org_id, marketplace_id, model, status, status_reason, status_actor,
  status_changed_at, status_version, created_by, created_via, created_at, updated_at"

sqlite_bulk() {  # rows → seconds for sqlite3 .import into a staging table, then INSERT … SELECT
  # (.import cannot write NULL, and pool_accounts needs NULL order_ref, so it goes through staging)
  rm -f "$work/bulk.db" "$work/bulk.db-wal" "$work/bulk.db-shm"
  "$binary" migrate --db "sqlite:$work/bulk.db" >/dev/null
  local at start
  at=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
  start=$(now)
  sqlite3 "$work/bulk.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TEMP TABLE staging (account_id TEXT, marketplace_id TEXT, model TEXT);
.import --csv --schema temp $work/import-$1.csv staging
INSERT INTO pool_accounts ($columns)
  SELECT account_id, 'bench-provider', marketplace_id, model, 'ready', '', 'cli:bench', '$at', 0,
         'cli:bench', 'import', '$at', '$at' FROM temp.staging;
SQL
  since "$start"
}

pg_bulk() {  # rows → seconds for psql \copy of every stored column into pool_accounts
  psql -q "$pg" -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1
  "$binary" migrate --db "$pg" >/dev/null
  local start
  start=$(now)
  psql -q "$pg" -c "\\copy pool_accounts ($(tr -d '\n' <<<"$columns")) FROM '$work/full-$1.csv' WITH (FORMAT csv)"
  since "$start"
}

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2}'), $(free -g | awk '/Mem:/{print $2}') GiB; $(sqlite3 --version | cut -d' ' -f1) SQLite, PostgreSQL $(psql -V | awk '{print $3}')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other load skews the figures)"
echo
echo "Allocation: $takers concurrent takers, $(grouped "$accounts") ready accounts of one (provider, marketplace), median of $rounds rounds"
echo
echo "| database | marketlink (pool::Pool), connection per taker | same SQL, minimal client, connection per taker | ratio | marketlink, 8 connections (serve's default pool) | same SQL, minimal client, 8 connections | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for db in SQLite PostgreSQL; do
  url=$lite
  [ "$db" = PostgreSQL ] && url=$pg
  service=$(takes "$url" service "$takers")
  direct=$(takes "$url" direct "$takers")
  pooled=$(takes "$url" service 8)
  direct8=$(takes "$url" direct 8)
  echo "| $db | $service takes/s | $direct takes/s | $(ratio "$service" "$direct") | $pooled takes/s | $direct8 takes/s | $(ratio "$pooled" "$direct8") |"
done

echo
echo "CSV import (whole file validated, then inserted in one transaction)"
echo
echo "| rows | database | marketlink (pool::Pool) | of which validating | bulk load | ratio |"
echo "|---:|---|---:|---:|---:|---:|"
for n in $import_rows; do
  "$bench" csv --rows "$n" --out "$work/import-$n.csv"
  "$bench" csv --rows "$n" --out "$work/full-$n.csv" --full
  for db in SQLite PostgreSQL; do
    if [ "$db" = SQLite ]; then url=$lite; else url=$pg; fi
    out=$("$bench" import --db "$url" --rows "$n")
    service=$(value seconds <<<"$out")
    checking=$(value validate_seconds <<<"$out")
    if [ "$db" = SQLite ]; then bulk="$(sqlite_bulk "$n")"; how=.import; else bulk="$(pg_bulk "$n")"; how=COPY; fi
    echo "| $(grouped "$n") | $db | $service s | $checking s | $bulk s ($how) | $(ratio "$service" "$bulk") |"
  done
  rm -f "$work/import-$n.csv" "$work/full-$n.csv"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# SaaS benchmark on SQLite and PostgreSQL, each figure next to its limit measured in the same run:
#  1. entitlement answers/s: GET /api/v1/orgs/{org}/entitlements?product_code= with an API token
#     of a linked, active organization, next to GET /api/v1/version, wrk as bench/load.sh runs it
#     (interleaved rounds, median);
#  2. SNS notifications verified and applied/s (signature versions 1 and 2) through
#     saas::SnsIntake and the saas.apply_events job, next to `openssl speed rsa2048` verify/s and
#     the same parse + verify alone;
#  3. usage records accepted/s through saas::MeteringService::record_usage (1 and 100 per call)
#     next to a prepared INSERT of the same rows, one transaction per call;
#  4. the time to meter METER_RECORDS usage rows into a `marketlink sim` process, with the
#     simulator's totals checked against the stored ones.
#   bash bench/saas.sh            (after `make build`; `make bench-saas` does both)
# Env: ROUNDS (3, median), DURATION (5s per wrk round), CONNECTIONS (64), THREADS (2, wrk and the
# SNS bench), SNS_MESSAGES (2000), USAGE_RECORDS (2000 one per call; ten times as many 100 per
# call), METER_RECORDS (1000000), METER_LINKS (40), METER_DIMENSIONS (5), METER_HOURS (5),
# PARTS ("entitlements sns usage meter").
# Starts its own PostgreSQL (scripts/pg-cluster.sh: fsync off, as in tests) and prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
export MARKETLINK_LOG_LEVEL=warn
root=$(pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
sns_messages=${SNS_MESSAGES:-2000}
usage_records=${USAGE_RECORDS:-2000}
meter_records=${METER_RECORDS:-1000000}
meter_links=${METER_LINKS:-40}
meter_dimensions=${METER_DIMENSIONS:-5}
meter_hours=${METER_HOURS:-5}
parts=${PARTS:-"entitlements sns usage meter"}
bench=$root/build/marketlink_saas_bench
binary=$root/build/marketlink
for b in "$bench" "$binary"; do
  [ -x "$b" ] || { echo "bench: build first (make build)" >&2; exit 1; }
done
command -v wrk >/dev/null || bash scripts/install-deps.sh
# shellcheck source=bench/pool_common.sh
source bench/pool_common.sh  # $work, $pg, $lite, value, median, ratio

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; cleanup' EXIT INT TERM
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # url name
  for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done
  echo "bench: $2 did not start" >&2
  exit 1
}
grouped() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
url_of() { if [ "$1" = SQLite ]; then echo "$lite"; else echo "$pg"; fi; }
has() { [[ " $parts " == *" $1 "* ]]; }

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2}'), $(free -g | awk '/Mem:/{print $2}') GiB; SQLite $(sqlite3 --version | cut -d' ' -f1), PostgreSQL $(psql -V | awk '{print $3}'), $(openssl version | cut -d' ' -f1-2)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other load skews the figures)"

# --- 1. Entitlements over HTTP ---------------------------------------------------------------
run_wrk() {  # url [header] → "rps p99 non2xx"
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$2" "$1")
  else
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$1")
  fi
  awk '/^Requests\/sec:/{r=$2} $1=="99%"{p=$2} /Non-2xx/{n=$NF} END{printf "%s %s %d\n", r, p, n}' <<<"$out"
}
if has entitlements; then
  echo
  echo "Entitlements: wrk $threads threads, $connections connections, $duration per round, median of $rounds interleaved rounds"
  echo
  echo "| database | GET /api/v1/orgs/{org}/entitlements (API token) | p99 | GET /api/v1/version | p99 | ratio |"
  echo "|---|---:|---:|---:|---:|---:|"
  for db in SQLite PostgreSQL; do
    url=$(url_of "$db")
    read -r org email product < <("$bench" setup --db "$url" | tr ' ' '\n' | sed 's/^[a-z]*=//' | paste -sd ' ')
    token=$("$binary" token create --db "$url" --email "$email" --org "$org" --name bench | awk '{w=$NF} END{print w}')
    port=$(free_port)
    "$binary" serve --listen "127.0.0.1:$port" --db "$url" >"$work/serve.out" 2>"$work/serve.log" &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/healthz" serve
    ent="http://127.0.0.1:$port/api/v1/orgs/$org/entitlements?product_code=$product"
    auth="Authorization: Bearer $token"
    answer=$(curl -sf -H "$auth" "$ent")
    grep -q '"entitled":true' <<<"$answer" || { echo "bench: entitlements answered $answer" >&2; exit 1; }
    wrk -t1 -c8 -d2s -H "$auth" "$ent" >/dev/null  # warm-up
    : >"$work/ent-$db"; : >"$work/ver-$db"
    for _ in $(seq 1 "$rounds"); do
      run_wrk "$ent" "$auth" >>"$work/ent-$db"
      run_wrk "http://127.0.0.1:$port/api/v1/version" >>"$work/ver-$db"
    done
    if awk '$3 > 0 {bad=1} END{exit !bad}' "$work/ent-$db" "$work/ver-$db"; then
      echo "bench: some answers were not 2xx" >&2; exit 1
    fi
    e=$(sort -n "$work/ent-$db" | awk '{v[NR]=$0} END{print v[int((NR+1)/2)]}')
    v=$(sort -n "$work/ver-$db" | awk '{v[NR]=$0} END{print v[int((NR+1)/2)]}')
    read -r erps ep99 _ <<<"$e"; read -r vrps vp99 _ <<<"$v"
    echo "| $db | $(grouped "$(printf %.0f "$erps")")/s | $ep99 | $(grouped "$(printf %.0f "$vrps")")/s | $vp99 | $(ratio "$erps" "$vrps") |"
    stop_all
  done
fi

# --- 2. SNS notifications -------------------------------------------------------------------
if has sns; then
  rsa=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/{print $(NF-1), $NF}')
  read -r rsa_sign rsa_verify <<<"$rsa"
  echo
  echo "SNS notifications: $(grouped "$sns_messages") per run on $threads threads, median of $rounds rounds; openssl speed -seconds 3 rsa2048 (one core): $(printf %.0f "$rsa_verify") verify/s, $(printf %.0f "$rsa_sign") sign/s"
  echo
  echo "| database | signature | verified and applied | parse + verify alone ($threads threads) | openssl verify/s (one core) | ratio to openssl |"
  echo "|---|---|---:|---:|---:|---:|"
  for db in SQLite PostgreSQL; do
    url=$(url_of "$db")
    for v in 1 2; do
      : >"$work/sns"; : >"$work/verify"
      for _ in $(seq 1 "$rounds"); do
        out=$("$bench" sns --db "$url" --version "$v" --messages "$sns_messages" --threads "$threads")
        value messages_per_second <<<"$out" >>"$work/sns"
        value verify_per_second <<<"$out" >>"$work/verify"
      done
      s=$(median <"$work/sns"); vf=$(median <"$work/verify")
      echo "| $db | v$v ($([ "$v" = 1 ] && echo SHA1withRSA || echo SHA256withRSA)) | $(grouped "$s")/s | $(grouped "$vf")/s | $(printf %.0f "$rsa_verify") | $(ratio "$s" "$rsa_verify") |"
    done
  done
fi

# --- 3. Usage records -----------------------------------------------------------------------
if has usage; then
  echo
  echo "Usage records: one thread, median of $rounds interleaved rounds; $(grouped "$usage_records") records one per call, $(grouped "$((usage_records * 10))") 100 per call"
  echo
  echo "| database | per call | MeteringService::record_usage | prepared INSERT, same rows, transaction per call | ratio |"
  echo "|---|---:|---:|---:|---:|"
  for db in SQLite PostgreSQL; do
    url=$(url_of "$db")
    for batch in 1 100; do
      n=$usage_records
      [ "$batch" = 100 ] && n=$((usage_records * 10))
      : >"$work/service"; : >"$work/direct"
      for _ in $(seq 1 "$rounds"); do
        "$bench" usage --db "$url" --client service --batch "$batch" --records "$n" | value records_per_second >>"$work/service"
        "$bench" usage --db "$url" --client direct --batch "$batch" --records "$n" | value records_per_second >>"$work/direct"
      done
      s=$(median <"$work/service"); d=$(median <"$work/direct")
      echo "| $db | $batch | $(grouped "$s")/s | $(grouped "$d")/s | $(ratio "$s" "$d") |"
    done
  done
fi

# --- 4. Metering into the simulator ---------------------------------------------------------
if has meter; then
  echo
  echo "Metering: $(grouped "$meter_records") usage rows over $meter_links links × $meter_dimensions dimensions × $meter_hours closed hours, one run each"
  echo
  echo "| database | rows stored in | metering run until every hour is sent | BatchMeterUsage calls | records sent | usage rows/s | simulator totals = stored totals |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for db in SQLite PostgreSQL; do
    url=$(url_of "$db")
    port=$(free_port)
    "$binary" sim --listen "127.0.0.1:$port" --log-level warn >"$work/sim.out" 2>"$work/sim.log" &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/_sim/products" "the simulator"
    out=$("$bench" meter --db "$url" --sim "http://127.0.0.1:$port" --records "$meter_records" \
            --links "$meter_links" --dimensions "$meter_dimensions" --hours "$meter_hours")
    stop_all
    match=no; [ "$(value totals_match <<<"$out")" = 1 ] && match="yes ($(grouped "$(value sim_total <<<"$out")"))"
    echo "| $db | $(value load_seconds <<<"$out") s | $(value seconds <<<"$out") s | $(value calls <<<"$out") | $(grouped "$(value records_sent <<<"$out")") | $(grouped "$(value usage_per_second <<<"$out")") | $match |"
  done
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

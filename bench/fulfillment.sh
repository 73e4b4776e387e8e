#!/usr/bin/env bash
# SaaS fulfillment on SQLite and PostgreSQL: landings/s of buyers arriving from AWS Marketplace
# at `marketlink serve` (POST /aws/fulfillment with a fresh token each: ResolveCustomer on the
# simulator, a stored registration, 303 to /onboarding/{id}) at 64 concurrent keep-alive
# clients, next to the simulator answering ResolveCustomer to a minimal signed client (64
# threads, aws::MeteringClient) in the same run, with p50/p99 latency of each.
#   bash bench/fulfillment.sh            (after `make build`)
# Env: ROUNDS (5, interleaved, median), CLIENTS (64), LANDINGS (1500 per run).
# The simulator walks every agreement on each call it answers, and each token here is a new
# agreement, so its ResolveCustomer slows as LANDINGS grows (docs/performance.md, "SaaS
# fulfillment"): keep LANDINGS the same when comparing runs.
# Each run gets a fresh `marketlink sim` process and a fresh database; the order of the two
# timed sides alternates between rounds. Starts its own PostgreSQL (scripts/pg-cluster.sh:
# fsync off, as in tests) and prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-5}
clients=${CLIENTS:-64}
landings=${LANDINGS:-1500}
bench=$root/build/marketlink_fulfillment_bench
binary=$root/build/marketlink
for b in "$bench" "$binary"; do
  [ -x "$b" ] || { echo "bench: build first (make build)" >&2; exit 1; }
done
# shellcheck source=bench/pool_common.sh
source bench/pool_common.sh  # $work, $pg, $lite, value, median, ratio

sim_pid=""
stop_sim() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=""
  fi
}
trap 'stop_sim; cleanup' EXIT INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_sim() {  # a fresh simulator (empty state) on a free loopback port; sets $sim_url
  local port
  port=$(free_port)
  "$binary" sim --listen "127.0.0.1:$port" --log-level warn >"$work/sim.out" 2>"$work/sim.log" &
  sim_pid=$!
  sim_url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$sim_url/_sim/products" >/dev/null && return 0; sleep 0.1; done
  echo "bench: the simulator did not start: $(cat "$work/sim.log")" >&2
  exit 1
}

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2}'), $(free -g | awk '/Mem:/{print $2}') GiB; SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), PostgreSQL $(psql -V | awk '{print $3}')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other load skews the figures)"

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds…" >&2
  first=sim
  [ $((round % 2)) = 0 ] && first=hub
  for db in sqlite pg; do
    url=$lite
    [ "$db" = pg ] && url=$pg
    start_sim
    out=$("$bench" --db "$url" --sim "$sim_url" --clients "$clients" --landings "$landings" \
            --first "$first")
    stop_sim
    for k in hub_per_second hub_p50_ms hub_p99_ms sim_per_second sim_p50_ms sim_p99_ms; do
      value "$k" <<<"$out" >>"$work/$db-$k"
    done
  done
done

m() { median <"$work/$1"; }
spread() { sort -n "$work/$1" | sed -n '1p;$p' | paste -sd '-'; }
rate() { printf "%.0f/s (%s)" "$(m "$1")" "$(spread "$1" | awk -F- '{printf "%.0f–%.0f", $1, $2}')"; }
echo
echo "Fulfillment: $clients concurrent keep-alive clients, $landings fresh tokens per run, median of $rounds interleaved rounds (min–max)"
echo
echo "| database | landings through \`serve\` | landing p50 / p99 | ResolveCustomer on the simulator alone | p50 / p99 | ratio hub/sim |"
echo "|---|---:|---:|---:|---:|---:|"
for db in sqlite pg; do
  name=SQLite
  [ "$db" = pg ] && name=PostgreSQL
  echo "| $name | $(rate "$db-hub_per_second") | $(m "$db-hub_p50_ms") / $(m "$db-hub_p99_ms") ms | $(rate "$db-sim_per_second") | $(m "$db-sim_p50_ms") / $(m "$db-sim_p99_ms") ms | $(ratio "$(m "$db-hub_per_second")" "$(m "$db-sim_per_second")") |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# HTTP throughput of `marketlink serve` next to nginx serving static files of the same size, on
# the same machine in the same run. wrk drives 64 connections on 2 threads for each target.
#   bash bench/load.sh            (after `make build`; `make bench` does both)
# Env: DURATION (default 10s), CONNECTIONS (64), THREADS (2), ROUNDS (3).
# Targets are measured in interleaved rounds; the table shows each target's median round.
# Prints a Markdown table: requests/s, p99 latency, and resident memory idle and under load.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
rounds=${ROUNDS:-3}
binary=$root/build/marketlink
[ -x "$binary" ] || { echo "bench: build first (make build)" >&2; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || bash scripts/install-deps.sh

work=$(mktemp -d /tmp/marketlink-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- marketlink ---
ml_port=$(free_port)
"$binary" serve --listen "127.0.0.1:$ml_port" --db "sqlite:$work/bench.db" >"$work/ml.out" 2>"$work/ml.log" &
ml_pid=$!
pids+=("$ml_pid")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ml_port/healthz" >/dev/null && break; sleep 0.1; done

# --- nginx with the same bodies as static files ---
ng_port=$(free_port)
mkdir -p "$work/www" "$work/nginx-tmp"
curl -sf "http://127.0.0.1:$ml_port/healthz" >"$work/www/healthz"
curl -sf "http://127.0.0.1:$ml_port/api/v1/version" >"$work/www/version"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
user root;
events { worker_connections 1024; }
http {
  access_log $work/nginx-access.log;
  default_type application/json;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$ng_port;
    root $work/www;
    location / { try_files \$uri =404; }
  }
}
CONF
nginx -c "$work/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ng_port/healthz" >/dev/null && break; sleep 0.1; done

rss_kb() {  # total resident memory of the given pids, in KiB
  local total=0 p
  for p in "$@"; do
    total=$((total + $(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
nginx_pids() { echo "$nginx_pid"; pgrep -P "$nginx_pid" || true; }

run_wrk() {  # url → "rps p99"
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$1")
  local rps p99
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  echo "$rps $p99"
}

measure() {  # name url pid-list-function: one round, appended to $work/rounds-NAME as "rps p99 idle peak"
  local name=$1 url=$2 pidfn=$3
  local idle peak rps p99 wrk_pid now
  idle=$(rss_kb $($pidfn))
  run_wrk "$url" >"$work/wrk-result" &
  wrk_pid=$!
  peak=$idle
  while kill -0 "$wrk_pid" 2>/dev/null; do
    now=$(rss_kb $($pidfn)); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.5
  done
  wait "$wrk_pid"
  read -r rps p99 <"$work/wrk-result"
  echo "$rps $p99 $idle $peak" >>"$work/rounds-$name"
}

report() {  # name: the median round by requests/s
  local name=$1
  sort -n "$work/rounds-$name" | awk -v n="$name" '{ rows[NR] = $0 } END {
    split(rows[int((NR + 1) / 2)], f, " ");
    printf "| %s | %.0f | %s | %.1f MiB | %.1f MiB |\n", n, f[1], f[2], f[3] / 1024, f[4] / 1024;
    print f[1] > "/dev/stderr" }' 2>"$work/rps-$name"
}

ml_pids() { echo "$ml_pid"; }

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2}'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "wrk: $threads threads, $connections connections, $duration per target; server and wrk share the machine"
echo
echo "| target | requests/s | p99 latency | RSS idle | RSS after load |"
echo "|---|---:|---:|---:|---:|"
# Warm-up, not measured.
wrk -t1 -c8 -d2s "http://127.0.0.1:$ml_port/healthz" >/dev/null
wrk -t1 -c8 -d2s "http://127.0.0.1:$ng_port/healthz" >/dev/null
for round in $(seq 1 "$rounds"); do
  measure "marketlink-healthz" "http://127.0.0.1:$ml_port/healthz" ml_pids
  measure "nginx-healthz" "http://127.0.0.1:$ng_port/healthz" nginx_pids
  measure "marketlink-version" "http://127.0.0.1:$ml_port/api/v1/version" ml_pids
  measure "nginx-version" "http://127.0.0.1:$ng_port/version" nginx_pids
done
for t in marketlink-healthz nginx-healthz marketlink-version nginx-version; do report "$t"; done
echo
for pair in healthz version; do
  awk -v a="$(cat "$work/rps-marketlink-$pair")" -v b="$(cat "$work/rps-nginx-$pair")" -v n="$pair" \
    'BEGIN{printf "marketlink/nginx on %s: %.0f%%\n", n, 100*a/b}'
done

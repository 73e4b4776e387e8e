# Sourced by bench/pool.sh and bench/pool_http.sh: a throwaway PostgreSQL and SQLite database in a
# work folder removed on exit, and small helpers for "k=v" lines and figures.
# Needs: $root (the repository) and the current folder at $root. Sets $work, $pg and $lite.
command -v sqlite3 >/dev/null && command -v psql >/dev/null || bash scripts/install-deps.sh

work=$(mktemp -d /tmp/marketlink-pool-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  bash scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
pg=$(bash scripts/pg-cluster.sh start "$work/pg")
lite="sqlite:$work/bench.db"

value() { tr ' ' '\n' | sed -n "s/^$1=//p"; }  # key → its value in a "k=v k=v" line
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

#!/usr/bin/env bash
# The dashboard against postgres_exporter (Debian prometheus-postgres-exporter, default collectors) on the same
# database at the same time: rounds of 10 dashboard answers, 10 exporter scrapes, and as the server's own
# baselines 10 of Payara's /metrics and 10 of /health/live (no database), each on one keep-alive connection,
# ROUNDS (10) times, so all see the same machine load. Prints median and p95 of each.
#   BASE (http://127.0.0.1:8080)  DB_HOST, DB_PORT (5433), DB_NAME (ap_intake), DB_USER (postgres)
#   ADMIN_USER, ADMIN_PASSWORD (a dba)  EXPORTER_PORT (9187)  ROUNDS (10)
#   BASE_B (none): a second server on the same database (e.g. the WAR before a change); its dashboard is then
#   measured in the same rounds, right after the first one's, so both see the same machine load (an A/B run).
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
EXPORTER_PORT=${EXPORTER_PORT:-9187}
ROUNDS=${ROUNDS:-10}
DATA_SOURCE_NAME="postgresql://${DB_USER:-postgres}@${DB_HOST:-127.0.0.1}:${DB_PORT:-5433}/${DB_NAME:-ap_intake}?sslmode=disable" \
  /usr/bin/prometheus-postgres-exporter --web.listen-address=127.0.0.1:$EXPORTER_PORT --log.level=warn &
exporter=$!
trap 'kill $exporter' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/metrics"; do sleep 0.5; done
dash=$(mktemp); dashb=$(mktemp); scrape=$(mktemp); metrics=$(mktemp); live=$(mktemp)
ten() { local a=(); for _ in 1 2 3 4 5 6 7 8 9 10; do a+=(-o /dev/null "$1"); done; echo "${a[@]}"; }
# warm-up
curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" $(ten "$BASE/api/v1/database/dashboard") >/dev/null
[ -z "${BASE_B:-}" ] || curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" $(ten "$BASE_B/api/v1/database/dashboard") >/dev/null
curl -sf $(ten "http://127.0.0.1:$EXPORTER_PORT/metrics") >/dev/null
for _ in $(seq "$ROUNDS"); do
  curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" -w '%{time_total}\n' $(ten "$BASE/api/v1/database/dashboard") >>"$dash"
  [ -z "${BASE_B:-}" ] || curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" -w '%{time_total}\n' $(ten "$BASE_B/api/v1/database/dashboard") >>"$dashb"
  curl -sf -w '%{time_total}\n' $(ten "http://127.0.0.1:$EXPORTER_PORT/metrics") >>"$scrape"
  curl -sf -w '%{time_total}\n' $(ten "$BASE/metrics") >>"$metrics"
  curl -sf -w '%{time_total}\n' $(ten "$BASE/health/live") >>"$live"
done
stats() { sort -n "$1" | awk '{v[NR]=$1*1000} END {m=v[int((NR+1)/2)]; p=v[int(NR*0.95+0.999)]; printf "median %.1f ms, p95 %.1f ms (n=%d)", m, p, NR}'; }
echo "dashboard:         $(stats "$dash")"
[ -z "${BASE_B:-}" ] || echo "dashboard (BASE_B): $(stats "$dashb")"
echo "postgres_exporter: $(stats "$scrape")"
echo "Payara /metrics:   $(stats "$metrics")"
echo "/health/live:      $(stats "$live")"
rm -f "$dash" "$dashb" "$scrape" "$metrics" "$live"

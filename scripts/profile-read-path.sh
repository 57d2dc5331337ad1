#!/usr/bin/env bash
# Profiles the read path of a running ap-intake (./run.sh, or the harness's server) question by question:
# HTTP latency (curl, sequential on one keep-alive connection) next to what PostgreSQL spent per answer
# (pg_stat_statements reset before each question: statements and execution ms per answer, top statements).
#   BASE (http://127.0.0.1:8080)  DB_HOST (127.0.0.1)  DB_PORT (5433)  DB_NAME (ap_intake)  DB_USER (postgres)
#   ADMIN_USER, ADMIN_PASSWORD (a dba/approver)  N (50 timed answers, after 5 warm-ups)  TO (tomorrow, UTC)
# Background timers (rollup drain, monitoring loop) run meanwhile; their statements show in the top list.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
N=${N:-50}
TO=${TO:-$(date -u -d tomorrow +%F)}
psql_() { psql -X -q -At -h "${DB_HOST:-127.0.0.1}" -p "${DB_PORT:-5433}" -U "${DB_USER:-postgres}" "${DB_NAME:-ap_intake}" "$@"; }
month="from=$(date -u -d "$TO -30 days" +%F)&to=$TO"
year="from=$(date -u -d "$TO -366 days" +%F)&to=$TO"
declare -a names paths
add() { names+=("$1"); paths+=("$2"); }
for period in month year; do
  span=${!period}; days=$([ $period = month ] && echo 30 || echo 366)
  add "extraction-confidence ($days d)" "/api/v1/analytics/extraction-confidence?$span"
  add "exceptions ($days d)" "/api/v1/analytics/exceptions?$span"
  add "vendors ($days d, top 50)" "/api/v1/analytics/vendors?$span&limit=50"
  add "validations ($days d)" "/api/v1/analytics/validations?$span"
  add "exports ($days d)" "/api/v1/analytics/exports?$span"
done
add "pending approval (page of 50)" "/api/v1/invoices?workflowStatus=PENDING_APPROVAL&limit=50"
add "database dashboard" "/api/v1/database/dashboard"
echo "| question | HTTP median ms | HTTP p95 ms | statements per answer | DB ms per answer | top statements (calls, mean ms) |"
echo "|---|---|---|---|---|---|"
for i in "${!names[@]}"; do
  url="$BASE${paths[$i]}"
  warm=(); for _ in 1 2 3 4 5; do warm+=(-o /dev/null "$url"); done
  curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" "${warm[@]}"
  psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null
  timed=(); for _ in $(seq "$N"); do timed+=(-o /dev/null "$url"); done
  times=$(curl -sf -u "$ADMIN_USER:$ADMIN_PASSWORD" -w '%{time_total}\n' "${timed[@]}" | sort -n)
  median=$(echo "$times" | awk -v n="$N" 'NR==int((n+1)/2){printf "%.1f", $1*1000}')
  p95=$(echo "$times" | awk -v n="$N" 'NR==int(n*0.95+0.999){printf "%.1f", $1*1000}')
  db=$(psql_ -F ' ' -c "SELECT round(sum(calls)::numeric / $N, 1), round((sum(total_exec_time) / $N)::numeric, 2)
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT LIKE '%pg_stat_statements_reset%'")
  top=$(psql_ -c "SELECT string_agg(format('%s (%s, %s)', regexp_replace(left(regexp_replace(query, '\s+', ' ', 'g'), 50), '\|', '/', 'g'), calls, round(mean_exec_time::numeric, 2)), '; ')
       FROM (SELECT query, calls, mean_exec_time FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_statements_reset%'
             ORDER BY total_exec_time DESC LIMIT 3) t")
  echo "| ${names[$i]} | $median | $p95 | ${db% *} | ${db#* } | $top |"
done

#!/usr/bin/env bash
# Measures, against a running ./run.sh (HTTP 18310, DB 25310, REPLICA=1): the slow-query explain
# endpoint's latency, the snapshot's added queries, the replica health components.
# ADMIN_USER and ADMIN_PASSWORD: the dba user run.sh created (the same variables as run.sh).
set -u
B=http://127.0.0.1:${HTTP_PORT:-18310}
A="-u ${ADMIN_USER:?}:${ADMIN_PASSWORD:?}"
P="psql -h 127.0.0.1 -p ${DB_PORT:-25310} -U postgres -d ap_intake -At"
for i in $(seq 1 6); do $P -c "SELECT pg_sleep(0.12), count(*) FROM invoices WHERE id > $i" >/dev/null; done
Q=$(curl -s $A "$B/api/v1/database/slow-queries?window=1h&limit=50" | python3 -c '
import json,sys; d=json.load(sys.stdin)
print([s for s in d["statements"]["slow"] if "FROM invoices WHERE id >" in s["query"]][0]["explain"])')
echo "explain link: $Q"
for i in $(seq 1 10); do curl -s -o /dev/null -w "%{http_code} %{time_total}\n" $A -X POST "$B$Q"; done
echo "--- snapshot queries (EXPLAIN ANALYZE, ms) ---"
$P -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) SELECT (SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'), (SELECT coalesce(sum(n_dead_tup),0) FROM pg_stat_user_tables)" | grep -E "Execution Time|Planning Time"
$P -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) SELECT n.nspname, c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid), s.n_dead_tup FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relkind IN ('r','m') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 10" | grep -E "Execution Time|Planning Time"
$P -c "SELECT count(*), count(DISTINCT taken_at), pg_total_relation_size('table_size_snapshots') FROM table_size_snapshots"
$P -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid=c.relnamespace WHERE c.relkind IN ('r','m') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
echo "--- replica components ---"
curl -s $A "$B/api/v1/database/health" | python3 -c '
import json,sys; d=json.load(sys.stdin)
for c in d["components"]:
    if c["name"].startswith(("replica","intake","wal")): print(c)'
$P -c "SELECT taken_at, replica_lag_bytes, replica_lag_seconds, intake_queue_depth, intake_queue_age_seconds, index_bytes, max_sequence_used_percent FROM monitoring_snapshots ORDER BY taken_at DESC LIMIT 2"

#!/usr/bin/env bash
# Profiles one run of scripts/generate-data.sh against a local PostgreSQL: wall time and CPU of the java
# process (/usr/bin/time -v), CPU of the PostgreSQL server (postmaster, its live children and the ones that
# exited, from /proc), WAL written (pg_current_wal_lsn before/after), the archive folder's growth (ARCHIVE_DIR,
# optional) and the statements that took the time (pg_stat_statements, reset before the run).
#   scripts/profile-generator.sh 1m     (connection: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD as the generator;
#                                        the server must run on this machine: its data directory is read from /proc)
set -euo pipefail
cd "$(dirname "$0")/.."
psql_() { psql -X -q -At -h "${DB_HOST:-127.0.0.1}" -p "${DB_PORT:-5433}" -U "${DB_USER:-postgres}" "${DB_NAME:-ap_intake}" "$@"; }
datadir=$(psql_ -c "SHOW data_directory")
postmaster=$(head -1 "$datadir/postmaster.pid")
# Clock ticks of the postmaster and all its descendants: live ones from /proc/<pid>/stat (utime+stime),
# exited backends through the postmaster's cutime+cstime.
server_ticks() {
  local total=0 pid
  total=$(awk '{print $14+$15+$16+$17}' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster"); do
    total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
archive_bytes() { [ -n "${ARCHIVE_DIR:-}" ] && du -sb "$ARCHIVE_DIR" | cut -f1 || echo 0; }
hz=$(getconf CLK_TCK)
psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null
lsn0=$(psql_ -c "SELECT pg_current_wal_lsn()")
size0=$(psql_ -c "SELECT pg_database_size(current_database())")
archive0=$(archive_bytes)
ticks0=$(server_ticks)
echo "uptime before: $(uptime)"
/usr/bin/time -v -o target/generator-time.txt scripts/generate-data.sh "$@"
ticks1=$(server_ticks)
echo "uptime after: $(uptime)"
psql_ -c "CHECKPOINT" >/dev/null
sleep 2
archive1=$(archive_bytes)
wal=$(psql_ -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')::bigint")
size1=$(psql_ -c "SELECT pg_database_size(current_database())")
grep -E "Elapsed|User time|System time|Percent of CPU" target/generator-time.txt | sed 's/^\s*/java: /'
echo "postgres CPU: $(( (ticks1 - ticks0) / hz )) s (server processes, all sessions: the generator's, autovacuum, checkpoints, other clients)"
echo "database grew $(( (size1 - size0) >> 20 )) MB; WAL written $(( wal >> 20 )) MB; archive grew $(( (archive1 - archive0) >> 20 )) MB"
echo "top statements (pg_stat_statements, total s, calls, rows, WAL MB, query):"
psql_ -F ' | ' -c "SELECT round((total_exec_time / 1000)::numeric, 1), calls, rows, (wal_bytes::bigint >> 20),
       left(regexp_replace(query, '\s+', ' ', 'g'), 110)
  FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15"

#!/usr/bin/env bash
# Point-in-time recovery: restores an ap-intake base backup (pg_basebackup, plain format) into a NEW
# data directory, replays archived WAL up to a given time, and starts that copy on another port for
# checking. The running production server is not touched.
#
#   scripts/pitr-restore.sh --base BACKUP_DIR --wal-archive WAL_DIR --target-time 'YYYY-MM-DD HH:MM:SS+00' \
#                           --data-dir NEW_DATA_DIR [--port 5499] [--pg-bin /usr/lib/postgresql/15/bin] [--user postgres]
#
# BACKUP_DIR is a base backup's folder (holding data/ and manifest.json) or a plain data folder with
# backup_manifest. The target time is taken as PostgreSQL reads it: give the offset (+00 for UTC).
# On success it prints how to connect, the server's PID and how to stop it.
# Run it as the OS user that owns PostgreSQL (e.g. postgres). As root it runs the server in a user
# namespace (unshare -U), where it is not root, as the test harness does.
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
base="" archive="" target="" data="" port=5499 pgbin="${PG_BIN:-/usr/lib/postgresql/15/bin}" user="${PGUSER:-postgres}" timeout=600
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --wal-archive) archive="$2"; shift 2 ;;
    --target-time) target="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --pg-bin) pgbin="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "pitr-restore: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$base" ] && [ -n "$archive" ] && [ -n "$target" ] && [ -n "$data" ] || usage
for tool in pg_ctl pg_verifybackup psql; do
  [ -x "$pgbin/$tool" ] || { echo "pitr-restore: $pgbin/$tool not found (install postgresql-15 or pass --pg-bin)" >&2; exit 1; }
done
[ -d "$base/data" ] && base="$base/data"
[ -f "$base/backup_manifest" ] || { echo "pitr-restore: $base is not a plain base backup (no backup_manifest)" >&2; exit 1; }
[ -d "$archive" ] || { echo "pitr-restore: WAL archive $archive not found" >&2; exit 1; }
if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
  echo "pitr-restore: $data exists and is not empty; choose a new folder" >&2; exit 1
fi
base="$(cd "$base" && pwd)"; archive="$(cd "$archive" && pwd)"

echo "1/4 Verifying the base backup with pg_verifybackup..."
"$pgbin/pg_verifybackup" "$base"

echo "2/4 Copying it into $data..."
mkdir -p "$data"
cp -a "$base/." "$data/"
chmod 700 "$data"
data="$(cd "$data" && pwd)"
rm -f "$data/postmaster.pid" "$data/postmaster.opts"

echo "3/4 Configuring recovery to $target (port $port, archiving off, WAL from $archive)..."
sq() { printf "%s" "$1" | sed "s/'/''/g"; }
cat >> "$data/postgresql.auto.conf" <<CONF
# Added by scripts/pitr-restore.sh: point-in-time recovery of a copy, on its own port, archiving nothing.
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
archive_mode = off
restore_command = 'cp "$(sq "$archive")/%f" "%p"'
recovery_target_time = '$(sq "$target")'
recovery_target_action = 'promote'
CONF
touch "$data/recovery.signal"

echo "4/4 Starting PostgreSQL on 127.0.0.1:$port and replaying WAL..."
run() { if [ "$(id -u)" = 0 ]; then unshare -U "$@"; else "$@"; fi; }
run "$pgbin/pg_ctl" -D "$data" -l "$data.log" -w -t "$timeout" start >/dev/null || {
  echo "pitr-restore: the server did not start; see $data.log:" >&2; tail -20 "$data.log" >&2; exit 1; }
deadline=$((SECONDS + timeout))
until [ "$("$pgbin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -Atqc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "f" ]; do
  if [ $SECONDS -ge $deadline ]; then echo "pitr-restore: still recovering after ${timeout}s; see $data.log" >&2; exit 1; fi
  sleep 1
done
pid="$(head -1 "$data/postmaster.pid")"
echo
echo "Recovered to $target and promoted. Check it, then stop it:"
echo "  psql -h 127.0.0.1 -p $port -U $user -d <database>"
prefix=""; [ "$(id -u)" = 0 ] && prefix="unshare -U "
echo "  $prefix$pgbin/pg_ctl -D $data -m fast stop      (server PID $pid)"
echo "PID=$pid"

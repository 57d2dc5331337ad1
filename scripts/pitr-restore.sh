#!/usr/bin/env bash
# Point-in-time recovery: restores an ap-intake base backup (pg_basebackup, plain format) into a NEW
# data directory, replays archived WAL up to a given time, and starts that copy on another port for
# checking. The running production server is not touched.
#
#   scripts/pitr-restore.sh --base BACKUP_DIR --wal-archive WAL_DIR --target-time 'YYYY-MM-DD HH:MM:SS+00' \
#                           --data-dir NEW_DATA_DIR [--port 5499] [--pg-bin /usr/lib/postgresql/15/bin] [--user postgres]
#                           [--passphrase-file KEY_FILE]
#
# BACKUP_DIR is a base backup's folder (holding data/ or the encrypted base.tar.gpg, and manifest.json)
# or a plain data folder with backup_manifest. KEY_FILE holds the backup passphrase (the text of
# BACKUP_ENCRYPTION_KEY): it decrypts base.tar.gpg and the archived <segment>.gpg files (wal-gpg.sh). The target time is taken as PostgreSQL reads it: give the offset (+00 for UTC).
# On success it prints how to connect, the server's PID and how to stop it.
# Run it as the OS user that owns PostgreSQL (e.g. postgres). As root it runs the server in a user
# namespace (unshare -U), where it is not root, as the test harness does.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
base="" archive="" target="" data="" port=5499 pgbin="${PG_BIN:-/usr/lib/postgresql/15/bin}" user="${PGUSER:-postgres}" timeout=600 key=""
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
    --passphrase-file) key="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "pitr-restore: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$base" ] && [ -n "$archive" ] && [ -n "$target" ] && [ -n "$data" ] || usage
for tool in pg_ctl pg_verifybackup psql; do
  [ -x "$pgbin/$tool" ] || { echo "pitr-restore: $pgbin/$tool not found (install postgresql-15 or pass --pg-bin)" >&2; exit 1; }
done
[ -d "$archive" ] || { echo "pitr-restore: WAL archive $archive not found" >&2; exit 1; }
if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
  echo "pitr-restore: $data exists and is not empty; choose a new folder" >&2; exit 1
fi
archive="$(cd "$archive" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "$key" ]; then
  [ -r "$key" ] || { echo "pitr-restore: passphrase file $key not readable" >&2; exit 1; }
  key="$(cd "$(dirname "$key")" && pwd)/$(basename "$key")"
fi
mkdir -p "$data"
data="$(cd "$data" && pwd)"
if [ -f "$base/base.tar.gpg" ]; then
  [ -n "$key" ] || { echo "pitr-restore: $base/base.tar.gpg is encrypted: pass --passphrase-file" >&2; exit 1; }
  echo "1/4 Decrypting the base backup into $data (gpg --decrypt | tar -x) and verifying it with pg_verifybackup..."
  home="$(mktemp -d)"
  gpg --homedir "$home" --batch --quiet --no-autostart --pinentry-mode loopback --passphrase-file "$key" \
    --decrypt "$base/base.tar.gpg" | tar -x -C "$data"
  rm -rf "$home"
  "$pgbin/pg_verifybackup" "$data"
  echo "2/4 (extracted above)"
else
  [ -d "$base/data" ] && base="$base/data"
  [ -f "$base/backup_manifest" ] || { echo "pitr-restore: $base is neither a plain base backup (backup_manifest) nor holds base.tar.gpg" >&2; exit 1; }
  base="$(cd "$base" && pwd)"
  echo "1/4 Verifying the base backup with pg_verifybackup..."
  "$pgbin/pg_verifybackup" "$base"
  echo "2/4 Copying it into $data..."
  cp -a "$base/." "$data/"
fi
chmod 700 "$data"
rm -f "$data/postmaster.pid" "$data/postmaster.opts"

echo "3/4 Configuring recovery to $target (port $port, archiving off, WAL from $archive)..."
sq() { printf "%s" "$1" | sed "s/'/''/g"; }
cat >> "$data/postgresql.auto.conf" <<CONF
# Added by scripts/pitr-restore.sh: point-in-time recovery of a copy, on its own port, archiving nothing.
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
archive_mode = off
restore_command = '$(if [ -n "$key" ]; then printf '"%s" restore "%%p" "%%f" "%s" "%s"' "$(sq "$here/wal-gpg.sh")" "$(sq "$archive")" "$(sq "$key")"; else printf 'cp "%s/%%f" "%%p"' "$(sq "$archive")"; fi)'
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

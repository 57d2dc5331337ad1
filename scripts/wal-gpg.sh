#!/usr/bin/env bash
# WAL archiving with OpenPGP encryption by the stock gpg, for PostgreSQL's archive_command and
# restore_command. Segments are stored as <name>.gpg, encrypted with the backup passphrase (the text of
# BACKUP_ENCRYPTION_KEY, one line in a 0600 file readable by the postgres OS user):
#
#   archive_command = '/opt/ap-intake/scripts/wal-gpg.sh archive "%p" "%f" /var/lib/ap-intake/wal-archive /etc/ap-intake/backup.key'
#   restore_command = '/opt/ap-intake/scripts/wal-gpg.sh restore "%p" "%f" /var/lib/ap-intake/wal-archive /etc/ap-intake/backup.key'
#
# archive: never overwrites a stored segment; writes <name>.gpg.tmp, then renames (a restore never
#          reads half a segment). gpg encrypts with a passphrase only through gpg-agent: one agent per
#          GNUPGHOME (default: the folder gnupg beside the key file) starts on first use and stays.
#          Stop it with: gpgconf --homedir <that folder> --kill gpg-agent
# restore: decrypts <name>.gpg (no agent needed); a plain <name> archived before encryption was
#          switched on is copied as it is; exits 1 when neither exists (the normal end of recovery).
# By hand:  gpg --batch --pinentry-mode loopback --passphrase-file backup.key -o 000000010000000000000003 \
#               --decrypt 000000010000000000000003.gpg
set -euo pipefail
[ $# -eq 5 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode="$1" path="$2" name="$3" archive="$4" key="$5"
home="${GNUPGHOME:-$(dirname "$key")/gnupg}"
[ -d "$home" ] || mkdir -m 700 -p "$home"
gpg=(gpg --homedir "$home" --batch --quiet --yes --pinentry-mode loopback --passphrase-file "$key")
case "$mode" in
  archive)
    [ ! -f "$archive/$name.gpg" ] || { echo "wal-gpg: $archive/$name.gpg exists already" >&2; exit 1; }
    "${gpg[@]}" --symmetric --cipher-algo AES256 --s2k-digest-algo SHA256 --compress-algo none \
      --output "$archive/$name.gpg.tmp" "$path"
    mv "$archive/$name.gpg.tmp" "$archive/$name.gpg"
    ;;
  restore)
    if [ -f "$archive/$name.gpg" ]; then
      "${gpg[@]}" --no-autostart --output "$path.tmp" --decrypt "$archive/$name.gpg"
      mv "$path.tmp" "$path"
    elif [ -f "$archive/$name" ]; then
      cp "$archive/$name" "$path"
    else
      exit 1
    fi
    ;;
  *) echo "wal-gpg: mode is archive or restore, not $mode" >&2; exit 2 ;;
esac

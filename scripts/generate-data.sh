#!/usr/bin/env bash
# Fills an ap-intake database with a realistic AP history: scripts/generate-data.sh 1m   (also 100k, 10m, 250000)
# Connection: DB_HOST (127.0.0.1), DB_PORT (5433), DB_NAME (ap_intake), DB_USER (postgres), DB_PASSWORD
# Into empty tables it loads like pg_restore (indexes after, FK triggers off, 2 sessions; docs/ten-million.md):
#   SESSIONS (2)  BULK (1; 0 = never)  ARCHIVE (keep; pause = archive_command no-op during the load)  LOAD_MAX_WAL_SIZE (4GB)
# (defaults: the database of ./run.sh, which must have started once so the schema exists).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/runtime/test-classpath.txt ] || [ ! -d target/test-classes/com/apintake/tools ]; then
  mvn -q -B -DskipTests package
fi
exec java -cp "target/test-classes:$(cat target/runtime/test-classpath.txt)" com.apintake.tools.DataGenerator "$@"

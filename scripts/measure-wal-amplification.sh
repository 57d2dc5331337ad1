#!/usr/bin/env bash
# WAL written and archived by a bulk load of the data generator, against the database's growth
# (com.apintake.tools.WalAmplification): own PostgreSQL 15 under target/wal-amplification, removed after.
#   scripts/measure-wal-amplification.sh 100k
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/runtime/test-classpath.txt ] || [ ! -f target/test-classes/com/apintake/tools/WalAmplification.class ]; then
  mvn -q -B -DskipTests package
fi
exec java -cp "target/test-classes:target/classes:$(cat target/runtime/test-classpath.txt)" com.apintake.tools.WalAmplification "${1:-100k}"

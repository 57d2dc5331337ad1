#!/usr/bin/env bash
# Backup and restore-drill benchmark on 1 M invoices (com.apintake.backup.BackupBenchmark): builds,
# starts its own PostgreSQL 15 under target/bench/backups, and writes its table into docs/benchmarks.md.
#   ROUNDS (3)  INVOICES (1000000)   e.g. ROUNDS=5 scripts/benchmark-backups.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package
exec java -Drounds="${ROUNDS:-3}" -Dinvoices="${INVOICES:-1000000}" \
  -cp "target/test-classes:target/classes:$(cat target/runtime/test-classpath.txt)" com.apintake.backup.BackupBenchmark

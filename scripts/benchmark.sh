#!/usr/bin/env bash
# The benchmark harness: scripts/benchmark.sh [--invoices 1m] [--seconds 10] [--reuse]
# Starts its own PostgreSQL 15 and Payara Micro under target/bench (loopback, free ports), fills
# the database, measures, prints a table and rewrites its section of docs/benchmarks.md.
# --reuse keeps target/bench/postgres from the last run (skips the data generation).
# --intake-only runs section 4 (intake) alone on an empty database and prints it (docs untouched);
#   with it: --backlog N (invoices the workers drain, default 10000), --warmup S (seconds of the same
#   requests before each measured part, default 15), --jfr DIR (a JFR recording of Payara per part).
# --skip-intake leaves section 4 (intake) out and keeps the one in docs/benchmarks.md as it is.
# --only sweep,overload (or overload11: admission on, HTTP/1.1 client only) runs part 5 (the pool sweep: knee and
#   recommended pool size) and/or part 7's overload alone on the reused or generated database, and prints them
#   (docs untouched). --only confidence runs part 7's confidence aggregation and partition-pruning rows alone.
# Takes about 10-15 minutes at 1 M invoices on 2 cores. Never part of mvn verify.
set -euo pipefail
cd "$(dirname "$0")/.."
# Part 7 compares the dashboard with postgres_exporter's scrape on the same database (Debian package, as .ci/run
# installs PostgreSQL).
if [ ! -x /usr/bin/prometheus-postgres-exporter ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q prometheus-postgres-exporter
fi
mvn -q -B -DskipTests package
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/runtime/test-classpath.txt)" com.apintake.tools.Benchmarks "$@"

#!/usr/bin/env bash
# Builds ap-intake and runs it on Payara Micro with the dev configuration, on an embedded
# PostgreSQL 15 it starts itself (data kept in $DATA_DIR between runs). Everything listens on 127.0.0.1.
#   HTTP_PORT (8080)  DB_PORT (5433)  DATA_DIR (.data)  DB_NAME (ap_intake)  DB_USER (postgres)  DB_PASSWORD (none)
#   REPLICA (0): 1 also starts a streaming replica (hot standby) on DB_PORT+1 for the read pool (docs/cluster.md).
#   ADMIN_USER, ADMIN_PASSWORD (none): the first API user, created with all roles while no user exists.
# Ctrl-C, or SIGTERM to this process, stops Payara and PostgreSQL cleanly.
set -euo pipefail
cd "$(dirname "$0")"
command -v java >/dev/null || { echo "run.sh: Java 17 is required" >&2; exit 1; }
command -v mvn >/dev/null || { echo "run.sh: Maven is required" >&2; exit 1; }
echo "Building ap-intake (mvn package, tests skipped; the first build downloads Payara Micro)..."
mvn -q -B -DskipTests package
classpath="target/test-classes:$(cat target/runtime/test-classpath.txt)"
exec java -cp "$classpath" com.apintake.testsupport.DevServer

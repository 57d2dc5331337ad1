#!/usr/bin/env bash
# Measures what authentication costs on a running ap-intake (./run.sh): the same GET answered N times with
# HTTP Basic and N times with a console session cookie (ab, C connections, keep-alive, after N/4 warm-ups).
# Per part: answers/s, the Payara JVM's CPU per answer (utime+stime from /proc/PID/stat, every thread of the
# JVM, GC, compiler and timers included), the request threads' CPU per answer (the same for the threads named
# http-thread-pool*, from /proc/PID/task) and, with JFR_DIR, a JFR recording (profile settings) of the part for
# scripts/jfr-frames.py. How docs/auth-module.md's A/B was taken.
#   BASE (http://127.0.0.1:8080)  PID (the Payara Micro JVM, required)  ADMIN_USER, ADMIN_PASSWORD (a clerk or approver)
#   N (3000)  C (8)  GET (/api/v1/vendors?limit=1)  JFR_DIR (none)  PARTS ("basic session")
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
N=${N:-3000}
C=${C:-8}
GET=${GET:-/api/v1/vendors?limit=1}
PARTS=${PARTS:-basic session}
: "${PID:?the process id of the Payara Micro JVM}" "${ADMIN_USER:?}" "${ADMIN_PASSWORD:?}"
tick=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# The comm field is cut to 15 characters: "http-thread-poo". Fields counted from the end: it may hold spaces.
request_ticks() {
  cat /proc/"$PID"/task/*/stat 2>/dev/null | awk '/\(http-thread-poo/ {n = split($0, f, ") "); split(f[n], g, " "); t += g[12] + g[13]} END {print t + 0}'
}

session_cookie() {
  local jar page token
  jar=$(mktemp)
  page=$(curl -sf -c "$jar" "$BASE/console/login")
  token=$(echo "$page" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$token" \
    --data-urlencode "username=$ADMIN_USER" --data-urlencode "password=$ADMIN_PASSWORD" "$BASE/console/login"
  awk '$6 == "JSESSIONID" {print "JSESSIONID=" $7}' "$jar"
  rm -f "$jar"
}

echo "| part | answers | answers/s | JVM CPU ms per answer | request threads CPU ms per answer | non-2xx |"
echo "|---|---|---|---|---|---|"
for part in $PARTS; do
  case $part in
    basic) auth=(-A "$ADMIN_USER:$ADMIN_PASSWORD") ;;
    session) cookie=$(session_cookie); [ -n "$cookie" ] || { echo "console login failed" >&2; exit 1; }
             auth=(-C "$cookie") ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
  ab -q -k -n $((N / 4)) -c "$C" "${auth[@]}" "$BASE$GET" >/dev/null
  [ -n "${JFR_DIR:-}" ] && jcmd "$PID" JFR.start name="auth-$part" settings=profile \
    filename="$JFR_DIR/auth-$part.jfr" >/dev/null
  before=$(cpu_ticks)
  before_requests=$(request_ticks)
  out=$(ab -k -n "$N" -c "$C" "${auth[@]}" "$BASE$GET")
  after=$(cpu_ticks)
  after_requests=$(request_ticks)
  [ -n "${JFR_DIR:-}" ] && jcmd "$PID" JFR.stop name="auth-$part" >/dev/null
  rate=$(echo "$out" | awk '/Requests per second/ {print $4}')
  bad=$(echo "$out" | awk '/Non-2xx responses/ {print $3}')
  ms=$(awk -v d=$((after - before)) -v t="$tick" -v n="$N" 'BEGIN {printf "%.2f", d * 1000 / t / n}')
  rms=$(awk -v d=$((after_requests - before_requests)) -v t="$tick" -v n="$N" 'BEGIN {printf "%.2f", d * 1000 / t / n}')
  echo "| $part | $N | $rate | $ms | $rms | ${bad:-0} |"
done

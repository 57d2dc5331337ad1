#!/usr/bin/env bash
# alloc-jstat.sh PID PORT N: bytes the whole Payara JVM allocated per answer over N sequential dashboard answers,
# from jstat's eden figures (eden used, plus one eden capacity per young GC in between: an estimate, GC-exact
# enough to compare two servers; background threads are included).
set -euo pipefail
pid=$1 port=$2 n=$3
d=$(dirname "$0")
g() { jstat -gc "$pid" | awk 'NR==2 {print $5, $6, $13}'; }   # EC EU YGC (KB, KB, count)
read -r ec0 eu0 y0 < <(g)
python3 "$d/client.py" 127.0.0.1 "$port" "$n" >/dev/null
read -r ec1 eu1 y1 < <(g)
awk -v ec0="$ec0" -v eu0="$eu0" -v y0="$y0" -v ec1="$ec1" -v eu1="$eu1" -v y1="$y1" -v n="$n" \
  'BEGIN { kb = (y1 - y0) * (ec0 + ec1) / 2 + eu1 - eu0; printf "%d answers: %d young GCs, about %.0f KiB allocated per answer\n", n, y1 - y0, kb / n }'

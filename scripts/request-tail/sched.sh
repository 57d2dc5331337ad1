#!/usr/bin/env bash
# sched.sh PID PORT N LABEL: N sequential dashboard answers (client.py) against the Payara Micro JVM PID listening on
# PORT; per thread group of that JVM, CPU time, run-queue wait and times scheduled per answer (/proc/PID/task/*/schedstat).
# ADMIN_USER, ADMIN_PASSWORD: a dba. OUT (/tmp): where the snapshots and times are written.
set -euo pipefail
pid=$1 port=$2 n=$3 label=$4
d=$(dirname "$0")
out=${OUT:-/tmp}
python3 $d/sched.py $pid > $out/$label-s0.json
python3 $d/client.py 127.0.0.1 $port $n > $out/$label-times.txt
python3 $d/sched.py $pid > $out/$label-s1.json
python3 - "$out/$label-s0.json" "$out/$label-s1.json" "$out/$label-times.txt" <<'PY'
import json, sys, re, statistics
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ts = [tuple(map(int, l.split()[:2])) for l in open(sys.argv[3])]
n = len(ts); wall = sum(e - s for s, e in ts) / 1e6
d = sorted((e - s) / 1e6 for s, e in ts)
groups = {}
for t, (comm, run, wait, sl) in b.items():
    r0, w0, s0 = (a[t][1], a[t][2], a[t][3]) if t in a else (0, 0, 0)
    g = re.sub(r"\d+", "#", comm)
    g = "http-thread-pool" if comm.startswith("http-thread-poo") else ("GC" if comm.startswith(("G1", "GC")) else g)
    x = groups.setdefault(g, [0, 0, 0]); x[0] += run - r0; x[1] += wait - w0; x[2] += sl - s0
print(f"answers {n}, median {d[(n+1)//2-1]:.1f} ms, p95 {d[int(n*0.95+0.999)-1]:.1f} ms, wall in answers {wall/n:.2f} ms each")
for g, (run, wait, sl) in sorted(groups.items(), key=lambda x: -x[1][0])[:8]:
    print(f"  {g:40s} on CPU {run/1e6/n:.2f} ms/answer, waiting for a CPU {wait/1e6/n:.2f} ms/answer, {sl/n:.1f} times scheduled/answer")
PY

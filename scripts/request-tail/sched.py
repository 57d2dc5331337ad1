# Snapshot of /proc/<pid>/task/*/schedstat grouped by thread name: on-CPU ns and run-queue wait ns.
import os, sys, json, re
pid = sys.argv[1]
out = {}
for t in os.listdir(f"/proc/{pid}/task"):
    try:
        comm = open(f"/proc/{pid}/task/{t}/comm").read().strip()
        run, wait, slices = map(int, open(f"/proc/{pid}/task/{t}/schedstat").read().split())
    except OSError:
        continue
    out[t] = (comm, run, wait, slices)
json.dump(out, sys.stdout)

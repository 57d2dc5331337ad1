# tail.py RECORDING.jfr TIMES.txt: correlates each timed answer (client start/end, epoch ns) with JFR events in the same interval.
import json, subprocess, sys, re, statistics
from datetime import datetime
jfrfile, times = sys.argv[1], sys.argv[2]
EV = "jdk.SocketRead,jdk.ThreadPark,jdk.JavaMonitorEnter,jdk.GCPhasePause,jdk.ExecuteVMOperation,jdk.ExecutionSample,jdk.SafepointBegin"
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "16", "--events", EV, jfrfile], capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
def ns(ts):
    m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(?:\.(\d+))?Z", ts)
    base = int(datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=__import__('datetime').timezone.utc).timestamp()) * 10**9
    frac = (m.group(2) or "0").ljust(9, "0")[:9]
    return base + int(frac)
def dur(d):
    if d is None: return 0
    m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", d)
    return int((int(m.group(1) or 0) * 60 + float(m.group(2))) * 1e9)
def thread(v):
    t = v.get("eventThread") or v.get("sampledThread") or {}
    return (t or {}).get("javaName") or ""
def frames(v):
    st = v.get("stackTrace") or {}
    return [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st.get("frames", [])]
ev = []
for e in events:
    v = e["values"]; s = ns(v["startTime"]); d = dur(v.get("duration"))
    ev.append((e["type"], s, s + d, thread(v), frames(v), v))
reqs = [tuple(map(int, l.split()[:2])) for l in open(times)]
durs = [(b - a) / 1e6 for a, b in reqs]
med = statistics.median(durs)
def overlap(a, b, s, e): return max(0, min(b, e) - max(a, s))
rows = []
for (a, b), d in zip(reqs, durs):
    r = dict(ms=d, gc=0, vmop=0, db=0, park=0, parkpool=0, monitor=0, other_db=0, samples_http=0, samples_other={}, )
    for typ, s, e, t, fr, v in ev:
        if e < a or s > b: continue
        http = t.startswith("http-thread-pool")
        if typ == "jdk.GCPhasePause": r["gc"] += overlap(a, b, s, e) / 1e6
        elif typ == "jdk.ExecuteVMOperation" and v.get("safepoint"): r["vmop"] += overlap(a, b, s, e) / 1e6
        elif typ == "jdk.SocketRead":
            if http: r["db"] += overlap(a, b, s, e) / 1e6
            else: r["other_db"] += overlap(a, b, s, e) / 1e6
        elif typ == "jdk.ThreadPark" and http:
            r["park"] += overlap(a, b, s, e) / 1e6
            if any("resource" in f.lower() or "pool" in f.lower() for f in fr): r["parkpool"] += overlap(a, b, s, e) / 1e6
        elif typ == "jdk.JavaMonitorEnter" and http: r["monitor"] += overlap(a, b, s, e) / 1e6
        elif typ == "jdk.ExecutionSample":
            if http: r["samples_http"] += 1
            else:
                key = re.sub(r"\d+", "#", t)
                r["samples_other"][key] = r["samples_other"].get(key, 0) + 1
    rows.append(r)
slow = [r for r in rows if r["ms"] > 2 * med]
fast = [r for r in rows if r["ms"] <= med]
def summ(name, group):
    n = len(group)
    if n == 0: print(name, "none"); return
    tot = sum(r["ms"] for r in group)
    print(f"{name}: n={n} mean {tot/n:.1f} ms | GC pause overlap: {sum(1 for r in group if r['gc']>0)} answers, {sum(r['gc'] for r in group)/tot*100:.1f} % of their time"
          f" | safepoint ops: {sum(r['vmop'] for r in group)/tot*100:.1f} % | own JDBC reads: {sum(r['db'] for r in group)/tot*100:.1f} % ({sum(1 for r in group if r['db']>0)} answers)"
          f" | parks on request thread: {sum(r['park'] for r in group)/tot*100:.1f} % (pool: {sum(r['parkpool'] for r in group)/tot*100:.1f} %)"
          f" | monitor enter: {sum(r['monitor'] for r in group)/tot*100:.1f} % | other threads' JDBC reads overlapping: {sum(1 for r in group if r['other_db']>0)} answers")
    other = {}
    for r in group:
        for k, c in r["samples_other"].items(): other[k] = other.get(k, 0) + c
    print("   CPU samples during them: request threads", sum(r["samples_http"] for r in group), "; other threads", sorted(other.items(), key=lambda x: -x[1])[:6])
print(f"answers {len(rows)}, median {med:.1f} ms, p95 {sorted(durs)[int(len(durs)*0.95+0.999)-1]:.1f} ms")
summ("slow (> 2x median)", slow)
summ("at or under the median", fast)
# the slowest ten, one line each
for r in sorted(rows, key=lambda r: -r["ms"])[:10]:
    print(f"  {r['ms']:.1f} ms: gc {r['gc']:.1f}, vmop {r['vmop']:.1f}, own db {r['db']:.1f}, park {r['park']:.1f} (pool {r['parkpool']:.1f}), monitor {r['monitor']:.1f}, other-db {r['other_db']:.1f}, other samples {r['samples_other']}")
# all GC pauses in the recording
gcs = [(e - s) / 1e6 for typ, s, e, t, fr, v in ev if typ == "jdk.GCPhasePause"]
print("GC pauses in the recording:", len(gcs), "total", round(sum(gcs), 1), "ms, max", round(max(gcs) if gcs else 0, 1))

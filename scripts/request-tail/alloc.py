# alloc.py RECORDING.jfr N: request-thread allocation per answer, without the allocations JFR's own socket events cause (InetAddress.toString in SocketChannelImpl.read).
import json, subprocess, sys
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "3", "--events", "jdk.ObjectAllocationSample", sys.argv[1]], capture_output=True, text=True).stdout
tot = art = 0
for e in json.loads(raw)["recording"]["events"]:
    v = e["values"]; t = (v.get("eventThread") or {}).get("javaName") or ""
    if not t.startswith("http-thread-pool"): continue
    fr = [f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
    if fr[:2] == ["InetAddress.toString", "SocketChannelImpl.read"]: art += v["weight"]
    else: tot += v["weight"]
n = int(sys.argv[2])
print(f"request threads: {tot/n/1024:.0f} KiB/answer (plus {art/n/1024:.0f} KiB/answer caused by JFR's socket events)")

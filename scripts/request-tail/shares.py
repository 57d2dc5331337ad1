# shares.py RECORDING.jfr: share of request-thread CPU samples (jdk.ExecutionSample) holding each part's frame, once per sample.
import json, subprocess, sys
PARTS = [("Soteria's JASPIC bridge", "HttpBridgeServerAuthModule"), ("- its mechanism look-up (CdiUtils)", "CdiUtils.getBeanReference"),
         ("- our BasicAuthentication", "BasicAuthentication.validateRequest"), ("Jersey (all)", "ServletContainer.service"),
         ("the resource method (Dashboard.json)", "Dashboard.json"), ("live connections: ConnectionOverview", "ConnectionOverview.current"),
         ("- pool MBeans (PoolStatistics)", "PoolStatistics."), ("- pooled connection + query (ConnectionActivity)", "ConnectionActivity."),
         ("writing the answer (Jersey writeResponse)", "ServerRuntime$Responder.writeResponse"), ("OpenTelemetry", "opentelemetry"),
         ("ReadSourceHeader", "ReadSourceHeader.filter"), ("SecurityHeaders", "SecurityHeaders."),
         ("Weld (all)", "org/jboss/weld")]
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "200", "--events", "jdk.ExecutionSample", sys.argv[1]], capture_output=True, text=True).stdout
n = 0; hits = {p: 0 for p, _ in PARTS}
for e in json.loads(raw)["recording"]["events"]:
    v = e["values"]; t = (v.get("sampledThread") or {}).get("javaName") or ""
    if not t.startswith("http-thread-pool"): continue
    n += 1
    fr = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
    for p, m in PARTS:
        if any(m in f for f in fr): hits[p] += 1
print(f"{n} request-thread samples")
for p, _ in PARTS: print(f"| {p} | {hits[p]/n*100:.1f} % |")

# client.py HOST PORT N [PATH]: sequential dashboard answers, 10 per keep-alive connection, Basic auth on each; prints epoch_start_ns end_ns status per answer.
# ADMIN_USER, ADMIN_PASSWORD: a dba.
import http.client, base64, sys, time, os
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else '/api/v1/database/dashboard'
auth = 'Basic ' + base64.b64encode((os.environ['ADMIN_USER'] + ':' + os.environ['ADMIN_PASSWORD']).encode()).decode()
out = []
for b in range(n // 10):
    c = http.client.HTTPConnection(host, port)
    for i in range(10):
        t0 = time.time_ns()
        c.request('GET', path, headers={'Authorization': auth})
        r = c.getresponse(); r.read()
        t1 = time.time_ns()
        out.append((t0, t1, r.status))
    c.close()
for t0, t1, s in out:
    print(t0, t1, s)

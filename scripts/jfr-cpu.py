#!/usr/bin/env python3
"""Usage: scripts/jfr-cpu.py FILE.jfr [RATE]. How docs/intake.md's "JVM CPU per request" was computed.
Mean JVM CPU (user+system, share of the whole machine) and machine total over a JFR file's jdk.CPULoad events.
With RATE (requests/s of the same part) prints JVM CPU ms per request = share x cores x 1000 / rate."""
import subprocess, sys, re, os
f = sys.argv[1]; rate = float(sys.argv[2]) if len(sys.argv) > 2 else None
out = subprocess.run(['jfr', 'print', '--events', 'jdk.CPULoad', f], capture_output=True, text=True).stdout
vals = {'jvmUser': [], 'jvmSystem': [], 'machineTotal': []}
for line in out.splitlines():
    m = re.match(r'\s*(jvmUser|jvmSystem|machineTotal)\s*=\s*([\d.]+)%', line)
    if m: vals[m.group(1)].append(float(m.group(2)))
n = len(vals['machineTotal'])
jvm = (sum(vals['jvmUser']) + sum(vals['jvmSystem'])) / n
mach = sum(vals['machineTotal']) / n
cores = os.cpu_count()
line = f'{f}: {n} samples, JVM {jvm:.1f} % of the machine, machine {mach:.1f} %'
if rate: line += f', JVM CPU per request {jvm/100*cores*1000/rate:.1f} ms at {rate:g}/s'
print(line)

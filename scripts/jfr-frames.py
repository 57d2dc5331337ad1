#!/usr/bin/env python3
"""Aggregate jdk.ExecutionSample stacks from `jfr print` text: inclusive share per frame (each frame
counted once per sample) and self share (top frame). How docs/intake.md's profile shares were read.
Usage: scripts/jfr-frames.py FILE.jfr [thread-substring, e.g. http-thread] [N] [frame-substring...]
With frame substrings it prints only the share of samples holding each of them."""
import subprocess, sys, re, collections
f = sys.argv[1]; thread = sys.argv[2] if len(sys.argv) > 2 else ''; n = int(sys.argv[3]) if len(sys.argv) > 3 else 40
pats = sys.argv[4:]
out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '300', f], capture_output=True, text=True).stdout
samples = []
cur = None
for line in out.splitlines():
    s = line.strip()
    if s.startswith('jdk.ExecutionSample'):
        cur = {'thread': '', 'frames': []}; samples.append(cur)
    elif cur is not None and s.startswith('sampledThread'):
        cur['thread'] = s
    elif cur is not None and re.match(r'^[\w$.<>/]+\(.*\)\s+line:', s):
        cur['frames'].append(re.sub(r'\s+line:.*', '', s))
    elif cur is not None and re.match(r'^[\w$.<>/]+\(.*\)', s):
        cur['frames'].append(s)
sel = [x for x in samples if thread in x['thread']]
total = len(sel)
print(f'samples {len(samples)}, selected ({thread!r}) {total}')
if pats:
    for p in pats:
        c = sum(1 for x in sel if any(p in fr for fr in x['frames']))
        print(f'{100*c/max(total,1):5.1f}%  {c:6d}  {p}')
    sys.exit()
inc = collections.Counter(); self_ = collections.Counter()
for x in sel:
    for fr in set(x['frames']):
        inc[fr] += 1
    if x['frames']:
        self_[x['frames'][0]] += 1
print('--- self (top frame)')
for fr, c in self_.most_common(n):
    print(f'{100*c/total:5.1f}%  {fr}')
print('--- inclusive, com.apintake / selected')
for fr, c in inc.most_common(400):
    if 'com.apintake' in fr or 'saxon' in fr.lower() or 'opentelemetry' in fr.lower() or 'weld' in fr.lower() or 'getConnection' in fr or 'soteria' in fr.lower():
        print(f'{100*c/total:5.1f}%  {fr}')

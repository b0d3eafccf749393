#!/usr/bin/python3
# poll-read.py FILE READYFILE STOPFILE: reads FILE (open, read, close) in a tight loop, as a
# resolver reloading resolv.conf would; creates READYFILE after the first read and stops when
# STOPFILE exists. Prints one line:
#   reads=N ok=N enotconn=N econnaborted=N other=N contents=N errors=NAMES
#   enotconn_first=T enotconn_last=T
# T: CLOCK_MONOTONIC seconds (time.monotonic(), the clock the journal's
# __MONOTONIC_TIMESTAMP uses), or "-"; contents: how many distinct contents were read.
import errno
import os
import sys
import time

path, ready, stop = sys.argv[1:4]
counts = {"reads": 0, "ok": 0, "enotconn": 0, "econnaborted": 0, "other": 0}
first = last = None
seen = set()
errors = set()
while True:
    if counts["reads"] == 1:
        open(ready, "w").close()
    if counts["reads"] % 32 == 0 and os.path.exists(stop):
        break
    counts["reads"] += 1
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            seen.add(os.read(fd, 65536))
        finally:
            os.close(fd)
        counts["ok"] += 1
    except OSError as e:
        if e.errno == errno.ENOTCONN:
            counts["enotconn"] += 1
            now = time.monotonic()
            first = now if first is None else first
            last = now
        elif e.errno == errno.ECONNABORTED:
            counts["econnaborted"] += 1
        else:
            counts["other"] += 1
            errors.add(errno.errorcode.get(e.errno, str(e.errno)))
fmt = lambda t: "-" if t is None else "%.6f" % t
print(
    " ".join("%s=%d" % kv for kv in counts.items()),
    "contents=%d errors=%s enotconn_first=%s enotconn_last=%s"
    % (len(seen), ",".join(sorted(errors)) or "-", fmt(first), fmt(last)),
)

"""Checks the kernel threads of every rank in a --stats JSON.

check_threads.py STATS RANKS [THREADS]: with THREADS, every rank must use
that many; without, each must use max(1, cores / RANKS), cores being the
CPUs this process may run on (what `nproc` prints).
"""
import json
import os
import sys

stats = json.load(open(sys.argv[1]))
ranks = int(sys.argv[2])
want = (int(sys.argv[3]) if len(sys.argv) > 3 else
        max(1, len(os.sched_getaffinity(0)) // ranks))
got = [r["threads"] for r in stats["ranks"]]
if len(got) != ranks or any(t != want for t in got):
    sys.exit(f"error: ranks use {got} threads, expected {ranks} x {want}")
print(f"threads {want} on each of {ranks} ranks")

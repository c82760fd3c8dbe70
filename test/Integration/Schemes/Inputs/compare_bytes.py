"""Compares measured per-peer traffic with the compiler's prediction.

compare_bytes.py PLAN.json STATS.json

PLAN.json is dl-compile's plan.json (`ranks[i].bytes_sent_to` /
`bytes_received_from`, predicted by dl-verify-comm); STATS.json is the
runtime's `--stats` file of one run (docs/runtime.md). Every rank's maps
must agree exactly (peers with zero bytes may be missing on either side).
Prints one line per rank and `bytes: OK` or `bytes: MISMATCH`; exits 1 on
any difference.
"""

import json
import sys


def nonzero(m):
    return {int(k): int(v) for k, v in (m or {}).items() if int(v) != 0}


plan = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[2]))
predicted = {r["rank"]: r for r in plan["ranks"]}
measured = {r["rank"]: r for r in stats["ranks"]}
ok = stats["world_size"] == plan["devices"]
if not ok:
    print("world size %d, plan devices %d" % (stats["world_size"],
                                             plan["devices"]))
total = 0
for rank in sorted(set(predicted) | set(measured)):
    p = predicted.get(rank, {})
    m = measured.get(rank, {})
    for key in ("bytes_sent_to", "bytes_received_from"):
        pv, mv = nonzero(p.get(key)), nonzero(m.get(key))
        if pv != mv:
            ok = False
            print("rank %d %s: predicted %s, measured %s" % (rank, key, pv, mv))
    sent = nonzero(m.get("bytes_sent_to"))
    total += sum(sent.values())
    print("rank %d sent_to %s" % (rank, dict(sorted(sent.items()))))
print("total bytes sent %d" % total)
print("bytes: OK" if ok else "bytes: MISMATCH")
sys.exit(0 if ok else 1)

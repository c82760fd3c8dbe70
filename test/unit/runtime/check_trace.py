#!/usr/bin/env python3
"""Validates the trace and stats JSON written by MpiTraceTest.

Usage: check_trace.py TRACE.json STATS.json NP
"""
import json
import sys

import check_trace_format

trace_path, stats_path, np_ = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []

trace = json.load(open(trace_path))
# Perfetto / chrome://tracing structure: one process per rank, metadata,
# proper nesting.
errors += check_trace_format.check(trace, np_)
events = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
pids = {e["pid"] for e in events}
if pids != set(range(np_)):
    errors.append(f"trace pids {sorted(pids)} != ranks 0..{np_ - 1}")
for rank in range(np_):
    mine = [e for e in events if e["pid"] == rank]
    names = [e["name"] for e in mine]
    for name, count in (("layer", 3), ("matmul", 3), ("all_reduce_sum", 3)):
        if names.count(name) != count:
            errors.append(f"rank {rank}: {names.count(name)} '{name}' spans")
    for e in mine:
        if e["dur"] < 0 or e["ts"] < 0:
            errors.append(f"rank {rank}: bad times in {e}")
    layers = [e for e in mine if e["name"] == "layer"]
    inner = [e for e in mine if e["name"] == "matmul"]
    for lay, mm in zip(layers, inner):
        if not (lay["ts"] <= mm["ts"] and
                mm["ts"] + mm["dur"] <= lay["ts"] + lay["dur"] + 1e-3):
            errors.append(f"rank {rank}: matmul not nested in layer")
    comm = [e for e in mine if e["name"] == "all_reduce_sum"]
    if comm and comm[0]["args"].get("bytes_sent", 0) <= 0:
        errors.append(f"rank {rank}: all_reduce span without bytes")

stats = json.load(open(stats_path))
ranks = stats["ranks"]
if stats["world_size"] != np_ or [r["rank"] for r in ranks] != list(range(np_)):
    errors.append("stats: wrong ranks")
chunk = lambda i: 256 // np_ + (1 if i < 256 % np_ else 0)
for r in ranks:
    me = r["rank"]
    if r["ops"].get("layer", {}).get("count") != 3:
        errors.append(f"stats rank {me}: layer count {r['ops'].get('layer')}")
    if r["peak_rss_bytes"] <= 0 or r["wall_s"] <= 0:
        errors.append(f"stats rank {me}: bad rss/wall")
    if r.get("threads", 0) < 1:
        errors.append(f"stats rank {me}: threads {r.get('threads')}")
    for q in range(np_):
        if q == me:
            continue
        # 3 all-reduces of 256 floats, plus 10 floats sent from 0 to 1.
        want = 3 * 4 * (chunk(q) + chunk(me))
        want += 40 if (me, q) == (0, 1) else 0
        got = r["bytes_sent_to"].get(str(q), 0)
        if got != want:
            errors.append(f"stats rank {me}: bytes_sent_to[{q}] {got} "
                          f"!= {want}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"check_trace: PASS ({len(events)} events)")

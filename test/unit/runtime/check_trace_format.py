#!/usr/bin/env python3
"""Checks that a dlrt --trace file loads in Perfetto and chrome://tracing.

Usage: check_trace_format.py TRACE.json NP [PLAN.json [REPEAT]]

The merged trace must be Chrome trace-event JSON (docs/runtime.md): an
object with `traceEvents`; one process per rank (pid 0..NP-1), each with
exactly one `process_name` ("rank K"), `process_sort_index` (K) and
`thread_name` metadata event; complete ("X") events with non-negative
`ts`/`dur` that nest properly on their thread with `args.depth` equal to
their nesting depth (Perfetto flags misnested slices); communication spans
carry their byte counts. With PLAN.json (dl-compile's plan.json), the bytes
each rank's communication spans sent must equal the predicted `bytes_sent`
times REPEAT (default 1). Prints `trace format: OK` or the problems and
exits 1.
"""
import json
import math
import sys

METADATA = ("process_name", "process_sort_index", "thread_name")


def check(trace, np_, plan=None, repeat=1):
    errors = []
    if not isinstance(trace, dict) or not isinstance(
            trace.get("traceEvents"), list):
        return ["not a trace-event object with a traceEvents list"]
    if trace.get("displayTimeUnit") not in ("ms", "ns"):
        errors.append("displayTimeUnit %r" % trace.get("displayTimeUnit"))
    events = trace["traceEvents"]
    meta = {}
    spans = {}
    for e in events:
        if not (isinstance(e, dict) and isinstance(e.get("name"), str) and
                isinstance(e.get("pid"), int) and
                isinstance(e.get("tid"), int)):
            errors.append("malformed event %r" % (e,))
            continue
        if e.get("ph") == "M":
            if e["name"] not in METADATA:
                errors.append("unknown metadata event %r" % e["name"])
            meta.setdefault(e["pid"], []).append(e)
        elif e.get("ph") == "X":
            ok = all(isinstance(e.get(k), (int, float)) and e[k] >= 0
                     for k in ("ts", "dur"))
            ok = ok and isinstance(e.get("cat"), str) and isinstance(
                e.get("args", {}).get("depth"), int)
            if e.get("cat") == "comm":
                ok = ok and all(
                    isinstance(e["args"].get(k), int) and e["args"][k] >= 0
                    for k in ("bytes_sent", "bytes_received"))
            if not ok:
                errors.append("malformed span %r" % (e,))
                continue
            spans.setdefault((e["pid"], e["tid"]), []).append(e)
        else:
            errors.append("unexpected phase %r" % e.get("ph"))

    pids = set(meta) | {pid for pid, _ in spans}
    if pids != set(range(np_)):
        errors.append("pids %s, expected one per rank 0..%d" %
                      (sorted(pids), np_ - 1))
    for pid in sorted(meta):
        names = sorted(m["name"] for m in meta[pid])
        if names != sorted(METADATA):
            errors.append("pid %d: metadata events %s" % (pid, names))
            continue
        by = {m["name"]: m["args"] for m in meta[pid]}
        if by["process_name"].get("name") != "rank %d" % pid:
            errors.append("pid %d: process_name %r" %
                          (pid, by["process_name"]))
        if by["process_sort_index"].get("sort_index") != pid:
            errors.append("pid %d: process_sort_index %r" %
                          (pid, by["process_sort_index"]))
    for pid in range(np_):
        if not any(p == pid for p, _ in spans):
            errors.append("pid %d: no spans" % pid)

    # Nesting: ts/dur are printed with 9 significant digits.
    for (pid, tid), lst in sorted(spans.items()):
        top = max(e["ts"] + e["dur"] for e in lst)
        tol = 2 * 10 ** (math.floor(math.log10(max(top, 1.0))) - 8)
        end = lambda e: e["ts"] + e["dur"]
        inside = lambda e, p: (end(e) <= end(p) + tol and
                               e["args"]["depth"] > p["args"]["depth"])
        stack = []
        for e in sorted(lst, key=lambda e: (e["ts"], -e["dur"],
                                            e["args"]["depth"])):
            while stack and not inside(e, stack[-1]):
                done = stack.pop()
                if e["ts"] < end(done) - tol:
                    errors.append("pid %d: '%s' at %g overlaps '%s' at %g "
                                  "without nesting in it" %
                                  (pid, e["name"], e["ts"], done["name"],
                                   done["ts"]))
            if e["args"]["depth"] != len(stack):
                errors.append("pid %d: '%s' at %g has depth %d, nested %d "
                              "deep" % (pid, e["name"], e["ts"],
                                        e["args"]["depth"], len(stack)))
            stack.append(e)

    if plan is not None:
        for r in plan["ranks"]:
            sent = sum(e["args"]["bytes_sent"]
                       for (pid, _), lst in spans.items() if pid == r["rank"]
                       for e in lst if e["cat"] == "comm")
            if sent != r["bytes_sent"] * repeat:
                errors.append("rank %d: comm spans sent %d B, plan.json "
                              "predicts %d B x %d" %
                              (r["rank"], sent, r["bytes_sent"], repeat))
    return errors


def main():
    trace = json.load(open(sys.argv[1]))
    np_ = int(sys.argv[2])
    plan = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else None
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    errors = check(trace, np_, plan, repeat)
    if errors:
        print("\n".join(errors))
        print("trace format: FAILED")
        sys.exit(1)
    n = sum(1 for e in trace["traceEvents"] if e.get("ph") == "X")
    print("trace format: OK (%d ranks, %d spans)" % (np_, n))


if __name__ == "__main__":
    main()

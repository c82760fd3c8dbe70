"""Checks the numbers a rendered report.html shows against plan.json.

check_report.py PLAN.json DOM.html LOG

DOM.html is the report's DOM after its script ran (chromium --dump-dom);
LOG is dl-compile's output (its weights section prints every rank's
parameter bytes). Checks that the Gantt chart ends at predicted_latency_s
and no bar passes its end, that every device has bars and a memory row
with its parameter bytes, that the bytes matrix equals every rank's
bytes_sent_to, and that the layer table lists plan.json's layers in order.
Prints `report numbers: OK` or the differences and exits 1.
"""
import html.parser
import json
import re
import sys


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


plan = json.load(open(sys.argv[1]))
dom = Dom()
dom.feed(open(sys.argv[2]).read())
log = open(sys.argv[3]).read()
errors = []
n = plan["devices"]

gantt = [a for t, a in dom.elements if a.get("id") == "gantt-svg"]
bars = [a for t, a in dom.elements if a.get("class") == "interval"]
if plan["predicted_latency_s"] is None or len(gantt) != 1:
    errors.append("no Gantt chart or no predicted latency")
else:
    end = float(gantt[0]["data-end-s"])
    if end != plan["predicted_latency_s"]:
        errors.append("Gantt ends at %r, predicted_latency_s is %r" %
                      (end, plan["predicted_latency_s"]))
    last = max(float(b["data-end-s"]) for b in bars)
    if not (abs(last - end) <= 1e-9 * end):
        errors.append("last bar ends at %r, the chart at %r" % (last, end))
    for b in bars:
        if not 0 <= float(b["data-start-s"]) <= float(b["data-end-s"]) <= end:
            errors.append("bar outside the chart: %r" % b)
for d in range(n):
    kinds = {b["data-kind"] for b in bars if b["data-device"] == str(d)}
    if "compute" not in kinds:
        errors.append("device %d: no compute bar (%s)" % (d, sorted(kinds)))

params = {int(r): int(b) for r, b in
          re.findall(r"rank(\d+): (\d+) parameter bytes", log)}
shown = {int(a["data-device"]): int(a["data-bytes"])
         for t, a in dom.elements if a.get("class") == "param-bar"}
if shown != params or len(shown) != n:
    errors.append("memory chart parameters %s, dl-compile wrote %s" %
                  (shown, params))

cells = {(int(a["data-from"]), int(a["data-to"])): int(a["data-bytes"])
         for t, a in dom.elements if "data-from" in a}
for r in plan["ranks"]:
    for to in range(n):
        want = int(r["bytes_sent_to"].get(str(to), 0))
        if cells.get((r["rank"], to)) != want:
            errors.append("bytes matrix [%d][%d] = %r, plan.json %d" %
                          (r["rank"], to, cells.get((r["rank"], to)), want))
moved = sum(cells.values())

rows = [a["data-name"] for t, a in dom.elements if a.get("class") == "layer"]
if rows != [l["name"] for l in plan["layers"]]:
    errors.append("layer table %s, plan.json %s" %
                  (rows, [l["name"] for l in plan["layers"]]))

if errors:
    print("\n".join(errors))
    print("report numbers: MISMATCH")
    sys.exit(1)
print("%d devices, %d bars, %d layers, %d bytes between devices" %
      (n, len(bars), len(rows), moved))
print("report numbers: OK")

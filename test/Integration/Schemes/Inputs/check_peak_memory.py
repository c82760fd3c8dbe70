"""Compares the predicted activation peak of every rank with the measured one.

  check_peak_memory.py PLAN.json RUN.log TOLERANCE [SLACK]

PLAN.json is dl-compile's plan (predicted_peak_activation_bytes, per rank);
RUN.log holds the ranks' `rankK: mean latency ... peak buffer memory N
bytes` lines (run.sh --repeat N prints them): the high-water mark of the
tensor buffers each rank program allocated. Prints one line per rank and
`peak memory: OK` if every rank's prediction is within TOLERANCE (a
fraction) of its measurement, or within SLACK bytes of it (default 0; the
runtime rounds every buffer up to 64 bytes, which the model does not, and
which matters only on ranks holding a few small buffers), else
`peak memory: FAILED` and exits 1.
"""

import json
import re
import sys

plan = json.load(open(sys.argv[1]))
tolerance = float(sys.argv[3])
slack = int(sys.argv[4]) if len(sys.argv) > 4 else 0
predicted = plan["predicted_peak_activation_bytes"]
measured = {}
for line in open(sys.argv[2]):
    m = re.search(r"rank(\d+): mean latency .* peak buffer memory (\d+) bytes",
                  line)
    if m:
        measured[int(m.group(1))] = int(m.group(2))
ok = predicted is not None and len(measured) == len(predicted)
for rank, pred in enumerate(predicted or []):
    meas = measured.get(rank)
    if meas is None:
        print("rank %d: no measurement" % rank)
        ok = False
        continue
    error = (pred - meas) / meas if meas else (0.0 if pred == 0 else 1.0)
    good = abs(error) <= tolerance or abs(pred - meas) <= slack
    ok = ok and good
    print("rank %d: predicted %d B, measured %d B, %+.1f %%%s" %
          (rank, pred, meas, error * 100, "" if good else "  <- off"))
print("peak memory: %s" % ("OK" if ok else "FAILED"))
sys.exit(0 if ok else 1)

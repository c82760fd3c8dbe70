"""Runs a command that must fail quickly: expect_failure.py LIMIT_S CMD...

Prints the command's combined output, then `exit status N after T s`.
Exits 0 only if the command exited non-zero within LIMIT_S seconds (it is
killed after 60 s).
"""

import subprocess
import sys
import time

limit = float(sys.argv[1])
start = time.monotonic()
try:
    proc = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    status, output = proc.returncode, proc.stdout
except subprocess.TimeoutExpired as e:
    status, output = "timeout", e.stdout or b""
elapsed = time.monotonic() - start
sys.stdout.write(output.decode(errors="replace"))
print("exit status %s after %.1f s" % (status, elapsed))
ok = status != 0 and status != "timeout" and elapsed <= limit
print("fault: OK" if ok else "fault: FAILED (limit %.0f s)" % limit)
sys.exit(0 if ok else 1)

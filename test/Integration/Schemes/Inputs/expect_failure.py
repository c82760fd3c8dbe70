"""Runs a command that must fail: expect_failure.py [--status N] LIMIT_S CMD...

Prints the command's combined output, then `exit status N after T s`.
Exits 0 only if the command exited non-zero (with status N where --status
is given) within LIMIT_S seconds. At LIMIT_S the command is taken for hung:
its process group is terminated (then killed) and the status printed is
`timeout`.
"""

import os
import signal
import subprocess
import sys
import time

args = sys.argv[1:]
want = None
if args[0] == "--status":
    want, args = int(args[1]), args[2:]
limit = float(args[0])
start = time.monotonic()
proc = subprocess.Popen(args[1:], stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, start_new_session=True)
try:
    output, _ = proc.communicate(timeout=limit)
    status = proc.returncode
except subprocess.TimeoutExpired:
    # SIGTERM first: mpirun then ends the ranks it started (they may not be
    # in its process group); SIGKILL if that does not end it.
    output = b""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            output, _ = proc.communicate(timeout=10)
            break
        except subprocess.TimeoutExpired:
            pass
    status = "timeout"
elapsed = time.monotonic() - start
sys.stdout.write(output.decode(errors="replace"))
print("exit status %s after %.1f s" % (status, elapsed))
ok = status != "timeout" and status != 0 and (want is None or status == want)
if ok:
    print("fault: OK")
elif want is not None and status not in ("timeout", 0):
    print("fault: FAILED (exit status %s, expected %d)" % (status, want))
else:
    print("fault: FAILED (limit %.0f s)" % limit)
sys.exit(0 if ok else 1)

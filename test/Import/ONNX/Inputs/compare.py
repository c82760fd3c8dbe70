"""compare.py GOT.npy WANT.npy [TOL]: prints max_rel_error (max absolute
difference relative to the largest magnitude of WANT) and exits 1 when it
exceeds TOL (default 1e-4) or the shapes differ."""

import sys

import numpy as np

got = np.load(sys.argv[1]).astype(np.float64)
want = np.load(sys.argv[2]).astype(np.float64)
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
if got.shape != want.shape:
    print("shape mismatch: got %s, want %s" % (got.shape, want.shape))
    sys.exit(1)
err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30)
print("max_rel_error %.3e %s" % (err, "ok" if err <= tol else "FAIL"))
sys.exit(0 if err <= tol else 1)

"""Writes a deterministic float32 .npy input: make_input.py OUT.npy D0 D1 ...

Values are drawn from U(-1, 1) with a fixed seed so that every test run
feeds the same input.
"""

import sys

import numpy as np

path = sys.argv[1]
shape = [int(d) for d in sys.argv[2:]]
rng = np.random.default_rng(1234)
np.save(path, rng.uniform(-1.0, 1.0, size=shape).astype(np.float32))

"""Input and numpy reference of dense-output-split.mlir."""

import sys

import numpy as np

out = sys.argv[1]
x = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.75, -0.5, -2.0]], np.float32)
w = (np.arange(24, dtype=np.float64).reshape(6, 4) * 0.1 - 1.0).astype(np.float32)
b = (np.arange(6, dtype=np.float64) * 0.25 - 0.5).astype(np.float32)
y = x.astype(np.float64) @ w.T.astype(np.float64) + b
e = np.exp(y - y.max(axis=1, keepdims=True))
np.save(out + "/x.npy", x)
np.save(out + "/ref.npy", (e / e.sum(axis=1, keepdims=True)).astype(np.float32))

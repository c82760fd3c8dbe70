"""Input and numpy reference of comm-ops.mlir."""

import sys

import numpy as np

out = sys.argv[1]
x = (np.arange(8, dtype=np.float32).reshape(2, 4) - 3.5) * 0.5
sig = 1 / (1 + np.exp(-x.astype(np.float64)))
parts = [np.maximum(x, 0), 2 * x, 2 * x[:, 0:2],
         np.concatenate([x[:, 0:2], sig[:, 0:2]], axis=0), sig]
ref = np.concatenate([p.reshape(1, -1) for p in parts], axis=1)
np.save(out + "/x.npy", x)
np.save(out + "/ref.npy", ref.astype(np.float32))

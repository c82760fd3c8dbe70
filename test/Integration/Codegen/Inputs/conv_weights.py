"""Input and replicated weight files of conv-spatial-halo.mlir."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dlw import write_dlw  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(7)
weights = [("conv.weight", rng.standard_normal((3, 2, 3, 3))),
           ("conv.bias", rng.standard_normal(3) * 0.1)]
for rank in (0, 1):
    write_dlw(os.path.join(out, "weights", "rank%d.dlw" % rank), weights)
np.save(os.path.join(out, "x.npy"),
        rng.standard_normal((1, 2, 8, 6)).astype(np.float32))

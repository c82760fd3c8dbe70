"""Initial weights and the PyTorch oracle of Inputs/layers.mlir.

  layers_oracle.py init PATH.dlw SEED     random weights of layers.mlir
  layers_oracle.py torch-step INIT AFTER X Y LR LOG TOL
      the SGD step (momentum 0) of the first 8 rows in PyTorch (float64):
      the gradients (INIT - AFTER) / LR of dl-train must match PyTorch's
      within TOL of each tensor's largest entry, the loss it printed in LOG
      within 1e-5
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_common as common  # noqa: E402

SHAPES = [
    ("conv1.weight", (4, 1, 3, 3)), ("conv1.bias", (4,)),
    ("conv2.weight", (6, 8, 3, 3)),
    ("proj.weight", (42, 12)),
    ("fc.weight", (10, 12)), ("fc.bias", (10,)),
]


def init(path, seed):
    # proj.weight is [K, N] (matmul's rhs): its fan-in is dim 0.
    def draw(rng, name, shape):
        if name == "proj.weight":
            return common.uniform(rng, shape, shape[0])
        return None
    common.init_weights(path, seed, SHAPES, draw)


def torch_model(w, x):
    import torch
    import torch.nn.functional as F
    b = x.shape[0]
    c1 = F.conv2d(x, w["conv1.weight"], w["conv1.bias"], padding=1)
    m = torch.sigmoid(c1) * torch.tanh(c1)
    c2 = F.conv2d(torch.cat([m, c1], 1), w["conv2.weight"], stride=2,
                  padding=1)
    g = F.gelu(c2)  # exact (erf) GELU
    f1 = torch.clamp(g, -0.1, 0.2).mean(dim=(2, 3))
    p = torch.bmm(c2.reshape(b, 6, 16), g.reshape(b, 16, 6)).reshape(b, 36)
    h = torch.cat([f1, p], 1)
    sm = torch.softmax(h @ w["proj.weight"], 1)
    return F.linear(sm, w["fc.weight"], w["fc.bias"])


def torch_step(init_path, after_path, x_path, y_path, lr, log_path, tol):
    return common.torch_step(torch_model, SHAPES, init_path, after_path,
                             x_path, y_path, lr, log_path, tol)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "init":
        init(sys.argv[2], int(sys.argv[3]))
    elif cmd == "torch-step":
        sys.exit(torch_step(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                            float(sys.argv[6]), sys.argv[7],
                            float(sys.argv[8])))
    else:
        sys.exit("unknown command " + cmd)

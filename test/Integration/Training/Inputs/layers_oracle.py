"""Initial weights and the PyTorch oracle of Inputs/layers.mlir.

  layers_oracle.py init PATH.dlw SEED     random weights of layers.mlir
  layers_oracle.py torch-step INIT AFTER X Y LR LOG TOL
      the SGD step (momentum 0) of the first 8 rows in PyTorch (float64):
      the gradients (INIT - AFTER) / LR of dl-train must match PyTorch's
      within TOL of each tensor's largest entry, the loss it printed in LOG
      within 1e-5
"""

import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Codegen", "Inputs"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Schemes", "Inputs"))
from dlw import write_dlw  # noqa: E402
from dlw_reader import read_dlw  # noqa: E402

SHAPES = [
    ("conv1.weight", (4, 1, 3, 3)), ("conv1.bias", (4,)),
    ("conv2.weight", (6, 8, 3, 3)),
    ("proj.weight", (42, 12)),
    ("fc.weight", (10, 12)), ("fc.bias", (10,)),
]


def init(path, seed):
    rng = np.random.default_rng(seed)
    tensors = []
    for name, shape in SHAPES:
        # proj.weight is [K, N] (matmul's rhs): its fan-in is dim 0.
        fan_in = (shape[0] if name == "proj.weight" else
                  np.prod(shape[1:]) if len(shape) > 1 else shape[0])
        bound = 1.0 / np.sqrt(fan_in)
        tensors.append((name, rng.uniform(-bound, bound, shape)))
    write_dlw(path, tensors)


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
    import torch
    m = re.search(r"epoch 1/\d+: steps 1 loss ([0-9.eE+-]+)",
                  open(log_path).read())
    if not m:
        print("FAIL: no loss in " + log_path)
        return 1
    dl_loss = float(m.group(1))
    w0 = read_dlw(init_path)
    w1 = read_dlw(after_path)
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in w0.items()}
    x = torch.tensor(np.load(x_path)[:8], dtype=torch.float64)
    y = torch.tensor(np.load(y_path)[:8], dtype=torch.int64)
    loss = torch.nn.functional.cross_entropy(torch_model(w, x), y)
    loss.backward()
    ok = True
    print("loss dl %.6f torch %.6f" % (dl_loss, loss.item()))
    if abs(dl_loss - loss.item()) > 1e-5 * max(1.0, abs(loss.item())):
        print("FAIL: loss differs")
        ok = False
    for name, _ in SHAPES:
        ours = (w0[name].astype(np.float64) - w1[name]) / lr
        ref = w[name].grad.numpy()
        err = np.abs(ours - ref).max() / np.abs(ref).max()
        print("%-13s max_rel_error %.3e" % (name, err))
        if not err <= tol:
            ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


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

"""What the PyTorch oracles of the training tests share (oracle.py,
layers_oracle.py, bn_lstm_oracle.py, fedavg_oracle.py import it; they put
their own folder first on sys.path, so it is found from any working
directory): the DLW1 reader and writer, random initial weights, the
relative error of a tensor and the one-step gradient check against PyTorch
(gradients and the loss dl-train logs).
"""

import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Codegen", "Inputs"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Schemes", "Inputs"))
from dlw import write_dlw  # noqa: E402,F401
from dlw_reader import read_dlw  # noqa: E402,F401


def uniform(rng, shape, fan_in=None):
    """PyTorch's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in));
    the fan-in defaults to the product of all dimensions but the first (the
    one dimension of a vector)."""
    if fan_in is None:
        fan_in = np.prod(shape[1:]) if len(shape) > 1 else shape[0]
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape)


def init_weights(path, seed, shapes, draw=None):
    """Writes random weights of the (name, shape) list `shapes` to `path`:
    `draw(rng, name, shape)` where it returns an array, `uniform` else (one
    draw from one generator per tensor, in list order)."""
    rng = np.random.default_rng(seed)
    tensors = []
    for name, shape in shapes:
        v = draw(rng, name, shape) if draw else None
        tensors.append((name, uniform(rng, shape) if v is None else v))
    write_dlw(path, tensors)


def relative_error(ours, ref):
    """max|ours - ref| / max|ref|."""
    return np.abs(ours - ref).max() / np.abs(ref).max()


def torch_step(model, shapes, init_path, after_path, x_path, y_path, lr,
               log_path, tol):
    """One SGD step (momentum 0) of `model(w, x)` on the first 8 rows in
    PyTorch (float64): dl-train's gradients (INIT - AFTER) / LR must match
    within `tol` of each tensor's largest entry, the loss it printed in
    `log_path` within 1e-5. Prints PASS or FAIL; returns the exit status."""
    import torch
    m = re.search(r"epoch 1/\d+: steps 1 loss ([0-9.eE+-]+)",
                  open(log_path).read())
    if not m:
        print("FAIL: no loss in " + log_path)
        return 1
    dl_loss = float(m.group(1))
    torch.manual_seed(0)
    w0 = read_dlw(init_path)
    w1 = read_dlw(after_path)
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in w0.items()}
    x = torch.tensor(np.load(x_path)[:8], dtype=torch.float64)
    y = torch.tensor(np.load(y_path)[:8], dtype=torch.int64)
    loss = torch.nn.functional.cross_entropy(model(w, x), y)
    loss.backward()
    ok = True
    print("loss dl %.6f torch %.6f" % (dl_loss, loss.item()))
    if abs(dl_loss - loss.item()) > 1e-5 * max(1.0, abs(loss.item())):
        print("FAIL: loss differs")
        ok = False
    for name, _ in shapes:
        ours = (w0[name].astype(np.float64) - w1[name]) / lr
        err = relative_error(ours, w[name].grad.numpy())
        print("%-13s max_rel_error %.3e" % (name, err))
        if not err <= tol:
            ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1

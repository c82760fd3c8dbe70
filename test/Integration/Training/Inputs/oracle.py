"""Data, initial weights and oracles of the training tests.

  oracle.py digits OUTDIR            scikit-learn's digits as .npy files
  oracle.py init PATH.dlw SEED       random weights of Inputs/cnn.mlir
  oracle.py torch-step INIT AFTER X Y LR LOG
      the SGD step (momentum 0) of the first 8 rows in PyTorch: the
      gradients (INIT - AFTER) / LR of dl-train and the loss it printed in
      LOG must match PyTorch's
  oracle.py compare A.dlw B.dlw TOL  every tensor: max|a-b|/max|b| <= TOL
  oracle.py ps-log LOG S             every parameter pull the server logged
      has clock gap <= S (S = inf: no bound); prints the largest gap
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_common as common  # noqa: E402
from oracle_common import read_dlw  # noqa: E402

SHAPES = [
    ("conv1.weight", (4, 1, 3, 3)), ("conv1.bias", (4,)),
    ("conv2.weight", (6, 4, 3, 3)),
    ("conv3.weight", (8, 3, 3, 3)), ("conv3.bias", (8,)),
    ("fc1.weight", (16, 32)), ("fc1.bias", (16,)),
    ("fc2.weight", (10, 16)), ("fc2.bias", (10,)),
]


def digits(out):
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.float32)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "train_x.npy"), x[:1500])
    np.save(os.path.join(out, "train_y.npy"), y[:1500])
    np.save(os.path.join(out, "test_x.npy"), x[1500:])
    np.save(os.path.join(out, "test_y.npy"), y[1500:])


def init(path, seed):
    common.init_weights(path, seed, SHAPES)


def torch_model(w, x):
    import torch
    import torch.nn.functional as F
    c1 = F.relu(F.conv2d(x, w["conv1.weight"], w["conv1.bias"], padding=1))
    p1 = F.max_pool2d(c1, 2, 2)
    c2 = F.conv2d(p1, w["conv2.weight"], padding=1)
    s2 = F.relu(c2) + c2
    p2 = F.avg_pool2d(s2, 3, 1, padding=1, count_include_pad=False)
    # padding [top, left, bottom, right] = [0, 0, 1, 1]
    c3 = F.conv2d(F.pad(p2, (0, 1, 0, 1)), w["conv3.weight"],
                  w["conv3.bias"], stride=2, groups=2)
    h = F.relu(F.linear(torch.flatten(c3, 1), w["fc1.weight"], w["fc1.bias"]))
    return F.linear(h, w["fc2.weight"], w["fc2.bias"])


def torch_step(init_path, after_path, x_path, y_path, lr, log_path):
    return common.torch_step(torch_model, SHAPES, init_path, after_path,
                             x_path, y_path, lr, log_path, 1e-4)


def compare(a_path, b_path, tol):
    a, b = read_dlw(a_path), read_dlw(b_path)
    if sorted(a) != sorted(b):
        print("FAIL: tensor names differ")
        return 1
    worst = 0.0
    for name in sorted(a):
        ref = np.abs(b[name]).max()
        err = np.abs(a[name] - b[name]).max() / (ref if ref > 0 else 1.0)
        worst = max(worst, err)
    print("max_rel_error %.3e over %d tensors" % (worst, len(a)))
    print("PASS" if worst <= tol else "FAIL")
    return 0 if worst <= tol else 1


def ps_log(path, bound):
    gaps = []
    for line in open(path):
        if line.startswith("#"):
            continue
        # pull worker W clock C slowest M gap G version V
        f = line.split()
        if len(f) != 11 or f[0] != "pull":
            print("FAIL: unexpected line: " + line.strip())
            return 1
        clock, slowest, gap = int(f[4]), int(f[6]), int(f[8])
        if gap != clock - slowest:
            print("FAIL: inconsistent line: " + line.strip())
            return 1
        gaps.append(gap)
    if not gaps:
        print("FAIL: no pulls logged")
        return 1
    worst = max(gaps)
    print("max clock gap %d over %d pulls (bound %s)" % (worst, len(gaps),
                                                     bound))
    ok = bound == "inf" or worst <= int(bound)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "digits":
        digits(sys.argv[2])
    elif cmd == "init":
        init(sys.argv[2], int(sys.argv[3]))
    elif cmd == "torch-step":
        sys.exit(torch_step(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                            float(sys.argv[6]), sys.argv[7]))
    elif cmd == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], float(sys.argv[4])))
    elif cmd == "ps-log":
        sys.exit(ps_log(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)

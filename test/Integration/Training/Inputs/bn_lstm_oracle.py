"""Data, initial weights and the PyTorch replay of the batch norm and LSTM
training tests (Inputs/bn_cnn.mlir, Inputs/lstm_seq.mlir).

  bn_lstm_oracle.py init MODEL PATH.dlw SEED   random weights of MODEL
      (bn: also random running statistics, so that their update is seen)
  bn_lstm_oracle.py sequence OUTDIR SEED       a random labelled sequence
      (x: [N, 1, 6] float32, y: labels in 0..3) as .npy files
  bn_lstm_oracle.py replay MODEL INIT AFTER X Y STEPS BATCH RANKS LR MOM TOL
      STEPS steps of PyTorch SGD (momentum MOM) in float64 on the global
      batches of BATCH rows in dataset order, each cut into RANKS slices as
      dl-train's data parallelism does (bn: batch statistics per slice,
      running statistics from slice 0; lstm: each slice is one sequence),
      the loss the mean over the slices; every tensor of AFTER (dl-train's
      --save) must match PyTorch's within TOL of its largest entry, and so
      must every change AFTER - INIT (within 10 TOL of the largest change;
      tensors that PyTorch leaves unchanged, such as a bias before a batch
      norm, whose gradient is zero, are only compared as weights).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import init_weights, read_dlw, relative_error  # noqa: E402

BN_SHAPES = [
    ("conv1.weight", (4, 1, 3, 3)),
    ("bn1.weight", (4,)), ("bn1.bias", (4,)),
    ("bn1.running_mean", (4,)), ("bn1.running_var", (4,)),
    ("conv2.weight", (6, 4, 3, 3)), ("conv2.bias", (6,)),
    ("fc1.weight", (16, 96)), ("fc1.bias", (16,)),
    ("bn2.weight", (16,)), ("bn2.bias", (16,)),
    ("bn2.running_mean", (16,)), ("bn2.running_var", (16,)),
    ("fc2.weight", (10, 16)), ("fc2.bias", (10,)),
]
BN_STATS = [n for n, _ in BN_SHAPES if "running" in n]

X, H, C = 6, 5, 4
LSTM_SHAPES = [
    ("lstm.w_ih", (4 * H, X)), ("lstm.w_hh", (4 * H, H)),
    ("lstm.bias", (4 * H,)),
    ("fc.weight", (C, H)), ("fc.bias", (C,)),
]


def shapes(model):
    return BN_SHAPES if model == "bn" else LSTM_SHAPES


def init(model, path, seed):
    def draw(rng, name, shape):
        if name.endswith("running_var"):
            return rng.uniform(0.5, 1.5, shape)
        if name.endswith("running_mean"):
            return rng.uniform(-0.5, 0.5, shape)
        if name.startswith("bn") and name.endswith("weight"):
            return rng.uniform(0.5, 1.5, shape)
        return None
    init_weights(path, seed, shapes(model), draw)


def sequence(out, seed):
    rng = np.random.default_rng(seed)
    n = 64
    x = rng.normal(size=(n, 1, X)).astype(np.float32)
    # A label that depends on the recent past: the class of the running sum.
    s = np.cumsum(x[:, 0, :2].sum(axis=1))
    y = (np.floor(s) % C).astype(np.float32)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "y.npy"), y)


def bn_forward(w, stats, x):
    import torch.nn.functional as F

    def bn(v, name):
        return F.batch_norm(v, stats[name + ".running_mean"],
                            stats[name + ".running_var"], w[name + ".weight"],
                            w[name + ".bias"], training=True, momentum=0.1,
                            eps=1e-5)
    c1 = F.conv2d(x, w["conv1.weight"], padding=1)
    p1 = F.max_pool2d(F.relu(bn(c1, "bn1")), 2, 2)
    c2 = F.conv2d(p1, w["conv2.weight"], w["conv2.bias"], padding=1)
    h = F.linear(c2.flatten(1), w["fc1.weight"], w["fc1.bias"])
    return F.linear(F.relu(bn(h, "bn2")), w["fc2.weight"], w["fc2.bias"])


def lstm_forward(w, stats, x):
    import torch
    import torch.nn.functional as F
    # x: [T, 1, X] (one sequence, time-major as dl.lstm). The kernel of
    # torch.nn.LSTM, called with our tensors: dl's one bias is PyTorch's
    # b_ih + b_hh, so b_hh stays zero.
    zero = torch.zeros(1, x.shape[1], H, dtype=torch.float64)
    flat = [w["lstm.w_ih"], w["lstm.w_hh"], w["lstm.bias"],
            torch.zeros(4 * H, dtype=torch.float64)]
    out, _, _ = torch._VF.lstm(x, (zero, zero), flat, True, 1, 0.0, True,
                               False, False)
    return F.linear(out.reshape(-1, H), w["fc.weight"], w["fc.bias"])


def replay(model, init_path, after_path, x_path, y_path, steps, batch, ranks,
           lr, momentum, tol):
    import torch
    import torch.nn.functional as F
    w0 = read_dlw(init_path)
    after = read_dlw(after_path)
    forward = bn_forward if model == "bn" else lstm_forward
    trained = [n for n, _ in shapes(model) if n not in BN_STATS]
    w = {n: torch.tensor(w0[n], dtype=torch.float64, requires_grad=True)
         for n in trained}
    stats = {n: torch.tensor(w0[n], dtype=torch.float64)
             for n in BN_STATS if model == "bn"}
    opt = torch.optim.SGD([w[n] for n in trained], lr=lr, momentum=momentum)
    xs = torch.tensor(np.load(x_path), dtype=torch.float64)
    ys = torch.tensor(np.load(y_path), dtype=torch.int64)
    per = batch // ranks
    for s in range(steps):
        opt.zero_grad()
        loss = 0
        for r in range(ranks):
            lo = s * batch + r * per
            # Slices other than the first update copies of the statistics:
            # each rank keeps its own, the saved ones are rank 0's.
            st = stats if r == 0 else {k: v.clone() for k, v in stats.items()}
            logits = forward(w, st, xs[lo:lo + per])
            loss = loss + F.cross_entropy(logits, ys[lo:lo + per]) / ranks
        loss.backward()
        opt.step()
        print("step %d loss %.6f" % (s + 1, loss.item()))
    ok = True
    final = {n: w[n].detach().numpy() for n in trained}
    final.update({n: v.numpy() for n, v in stats.items()})
    if sorted(after) != sorted(final):
        print("FAIL: tensor names differ: %s" % sorted(after))
        return 1
    for name, _ in shapes(model):
        ref, ours = final[name], after[name].astype(np.float64)
        err = relative_error(ours, ref)
        dref = ref - w0[name]
        if np.abs(dref).max() <= 1e-9 * np.abs(ref).max():
            # No gradient in exact arithmetic (a bias before a batch norm):
            # only the weights are compared.
            print("%-18s max_rel_error %.3e unchanged" % (name, err))
            ok = ok and err <= tol
            continue
        derr = relative_error(ours - w0[name], dref)
        print("%-18s max_rel_error %.3e change_rel_error %.3e"
              % (name, err, derr))
        if not (err <= tol and derr <= 10 * tol):
            ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "init":
        init(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "sequence":
        sequence(sys.argv[2], int(sys.argv[3]))
    elif cmd == "replay":
        a = sys.argv[2:]
        sys.exit(replay(a[0], a[1], a[2], a[3], a[4], int(a[5]), int(a[6]),
                        int(a[7]), float(a[8]), float(a[9]), float(a[10])))
    else:
        sys.exit("unknown command " + cmd)

"""Data and oracles of the federated averaging tests (Inputs/cnn.mlir).

  fedavg_oracle.py dp-order DATA OUT K B STEPS
      the first K*B*STEPS training samples reordered so that client c's
      contiguous IID shard (--partition iid --no-shuffle) holds, in order,
      the slices that data-parallel rank c takes of global batches 0..STEPS-1
  fedavg_oracle.py partition OUT N SIZES...
      a --partition file for N samples: the first SIZES[0] samples belong to
      client 1, the next SIZES[1] to client 2, ...; the rest are unused
  fedavg_oracle.py torch INIT FINAL DATA PARTITION LOG LR EPOCHS BATCH
      replays the rounds of LOG ("round r/R: clients a,b,...") in PyTorch
      (float64): every listed client runs EPOCHS passes of plain SGD over its
      shard in order, the server averages weighted by shard size; FINAL must
      match within 1e-4 relative, and an unweighted average must not
"""

import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle import SHAPES, torch_model  # noqa: E402
from oracle_common import read_dlw  # noqa: E402


def dp_order(data, out, k, b, steps):
    x = np.load(os.path.join(data, "train_x.npy"))
    y = np.load(os.path.join(data, "train_y.npy"))
    rows = [s * k * b + c * b + j
            for c in range(k) for s in range(steps) for j in range(b)]
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "train_x.npy"), x[rows])
    np.save(os.path.join(out, "train_y.npy"), y[rows])


def partition(out, n, sizes):
    client = np.zeros(n, dtype=np.float32)
    start = 0
    for c, size in enumerate(sizes):
        client[start:start + size] = c + 1
        start += size
    np.save(out, client)


def torch_rounds(init, final, data, part, log, lr, epochs, batch):
    import torch
    import torch.nn.functional as F
    x = torch.tensor(np.load(os.path.join(data, "train_x.npy")),
                     dtype=torch.float64)
    y = torch.tensor(np.load(os.path.join(data, "train_y.npy")),
                     dtype=torch.int64)
    owner = np.load(part)
    shards = {int(c): np.nonzero(owner == c)[0] for c in np.unique(owner)
              if c > 0}
    rounds = [[int(c) for c in m.group(1).split(",")] for m in
              re.finditer(r"^round \d+/\d+: clients ([0-9,]+) ", open(log)
                          .read(), re.M)]
    if not rounds:
        print("FAIL: no rounds in " + log)
        return 1

    def local(w0, rows):
        w = {k: v.clone().requires_grad_(True) for k, v in w0.items()}
        for _ in range(epochs):
            for s in range(len(rows) // batch):
                r = rows[s * batch:(s + 1) * batch]
                loss = F.cross_entropy(torch_model(w, x[r]), y[r])
                grads = torch.autograd.grad(loss, list(w.values()))
                with torch.no_grad():
                    for v, g in zip(w.values(), grads):
                        v -= lr * g
        return {k: v.detach() for k, v in w.items()}

    def run(weighted):
        w = {k: torch.tensor(v, dtype=torch.float64)
             for k, v in read_dlw(init).items()}
        for clients in rounds:
            updates = [local(w, shards[c]) for c in clients]
            sizes = [len(shards[c]) if weighted else 1 for c in clients]
            w = {k: sum(s * u[k] for s, u in zip(sizes, updates)) / sum(sizes)
                 for k in w}
        return w

    ours = read_dlw(final)

    def error(w):
        return max(np.abs(ours[n] - w[n].numpy()).max() /
                   np.abs(w[n].numpy()).max() for n, _ in SHAPES)

    weighted, unweighted = error(run(True)), error(run(False))
    print("rounds %d clients %s" % (len(rounds), rounds))
    print("weighted max_rel_error %.3e" % weighted)
    print("unweighted max_rel_error %.3e" % unweighted)
    ok = weighted <= 1e-4 and unweighted > 1e-3
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dp-order":
        dp_order(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif cmd == "partition":
        partition(args[0], int(args[1]), [int(a) for a in args[2:]])
    elif cmd == "torch":
        sys.exit(torch_rounds(args[0], args[1], args[2], args[3], args[4],
                              float(args[5]), int(args[6]), int(args[7])))
    else:
        sys.exit("unknown command " + cmd)

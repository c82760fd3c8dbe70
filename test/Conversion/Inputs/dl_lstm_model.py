"""An LSTM layer and the same layer as per-step gate/cell ops, lowered by
convert-dl-to-linalg, against PyTorch's nn.LSTM.

  dl_lstm_model.py gen DIR          writes DIR/model.mlir and DIR/expected.npy
  dl_lstm_model.py splice IN        appends the @main harness
  dl_lstm_model.py check DIR OUT    compares mlir-cpu-runner's output

The model returns the output sequence twice, concatenated on the time axis
([2T, N, H]): first from `dl.lstm` (the whole layer: one scf.for over the
steps), then from the step ops that dl-apply-partition emits for a hidden
split, written out here for two unit ranges on one program:
`dl.lstm_gates` on the rows of units [0, U) and [U, H) (gate-major blocks),
`dl.lstm_cell` per range, and the two halves of h concatenated.
"""
import numpy as np
import torch

from tosa_model import dense, run_cli, ttype

SEED = 1126
T, N, X, H = 5, 2, 3, 4
U = H // 2


def model():
    rng = np.random.default_rng(SEED)
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    return {"x": r(T, N, X), "wih": r(4 * H, X) * 0.5,
            "whh": r(4 * H, H) * 0.5, "b": r(4 * H) * 0.2}


def oracle(p):
    lstm = torch.nn.LSTM(X, H)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(p["wih"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(p["whh"]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(p["b"]))
        lstm.bias_hh_l0.zero_()
        y, _ = lstm(torch.from_numpy(p["x"]))
    y = y.numpy()
    return np.concatenate([y, y], axis=0)


def unit_rows(w, lo, hi):
    """Rows of units [lo, hi) of every gate, gate-major (i, f, g, o)."""
    return np.concatenate([w[k * H + lo:k * H + hi] for k in range(4)])


def mlir(p):
    s = "func.func @model(%%x: %s) -> %s {\n" % (ttype((T, N, X)),
                                                  ttype((2 * T, N, H)))
    for k in ("wih", "whh", "b"):
        s += '  %%%s = dl.param "%s" : %s = %s\n' % (
            k, k, ttype(p[k].shape), dense(p[k]))
    for part, (lo, hi) in enumerate([(0, U), (U, H)]):
        for k in ("wih", "whh", "b"):
            v = unit_rows(p[k], lo, hi)
            s += '  %%%s%d = dl.param "%s%d" : %s = %s\n' % (
                k, part, k, part, ttype(v.shape), dense(v))
    s += ("  %%seq = dl.lstm %%x, %%wih, %%whh, %%b {hidden_size = %d : i64}"
          " : (%s, %s, %s, %s) -> %s\n" % (
              H, ttype((T, N, X)), ttype((4 * H, X)), ttype((4 * H, H)),
              ttype((4 * H,)), ttype((T, N, H))))
    zero = lambda shape: "dense<0.0> : %s" % ttype(shape)
    s += "  %%h_0 = arith.constant %s\n" % zero((N, H))
    s += "  %%ca_0 = arith.constant %s\n" % zero((N, U))
    s += "  %%cb_0 = arith.constant %s\n" % zero((N, U))
    outs = []
    for t in range(T):
        s += ("  %%x3_%d = tensor.extract_slice %%x[%d, 0, 0] [1, %d, %d] "
              "[1, 1, 1] : %s to %s\n" % (t, t, N, X, ttype((T, N, X)),
                                           ttype((1, N, X))))
        s += "  %%xt_%d = dl.reshape %%x3_%d : %s -> %s\n" % (
            t, t, ttype((1, N, X)), ttype((N, X)))
        for part, name in enumerate(("a", "b")):
            s += ("  %%g%s_%d = dl.lstm_gates %%xt_%d, %%h_%d, %%wih%d, "
                  "%%whh%d, %%b%d : (%s, %s, %s, %s, %s) -> %s\n" % (
                      name, t, t, t, part, part, part, ttype((N, X)),
                      ttype((N, H)), ttype((4 * U, X)), ttype((4 * U, H)),
                      ttype((4 * U,)), ttype((N, 4 * U))))
            s += ("  %%h%s_%d, %%c%s_%d = dl.lstm_cell %%g%s_%d, %%c%s_%d : "
                  "%s, %s\n" % (name, t + 1, name, t + 1, name, t, name, t,
                                ttype((N, 4 * U)), ttype((N, U))))
        s += ("  %%h_%d = dl.concat %%ha_%d, %%hb_%d {axis = 1 : i64} : "
              "(%s, %s) -> %s\n" % (t + 1, t + 1, t + 1, ttype((N, U)),
                                    ttype((N, U)), ttype((N, H))))
        s += "  %%y_%d = dl.reshape %%h_%d : %s -> %s\n" % (
            t + 1, t + 1, ttype((N, H)), ttype((1, N, H)))
        outs.append("%%y_%d" % (t + 1))
    s += "  %%steps = dl.concat %s {axis = 0 : i64} : (%s) -> %s\n" % (
        ", ".join(outs), ", ".join([ttype((1, N, H))] * T), ttype((T, N, H)))
    s += ("  %%out = dl.concat %%seq, %%steps {axis = 0 : i64} : (%s, %s) -> "
          "%s\n" % (ttype((T, N, H)), ttype((T, N, H)), ttype((2 * T, N, H))))
    s += "  return %%out : %s\n}\n" % ttype((2 * T, N, H))
    return s


def main():
    run_cli(model(), mlir, oracle, (2 * T, N, H))


if __name__ == "__main__":
    main()

"""A small dl model with random inline weights covering the lowerings that
the TOSA CNN (tosa_model.py) does not reach, and a PyTorch oracle.

  dl_model.py gen DIR          writes DIR/model.mlir and DIR/expected.npy
  dl_model.py splice IN        appends the @main harness to a lowered module
  dl_model.py check DIR OUT    compares mlir-cpu-runner's output (OUT)

  x [1,4,6,6] -> conv 3x3 groups 2 pad 1 + fused ReLU -> batch_norm
  -> avg pool 3x3 s2 pad 1 counting the padding -> gelu
  -> concat(y, sigmoid(y)) on channels -> global average pool -> flatten
  -> dense 5 + fused ReLU -> matmul [5,4] -> softmax
"""
import numpy as np
import torch
import torch.nn.functional as F

from tosa_model import dense, run_cli, ttype

SEED = 1125


def model():
    rng = np.random.default_rng(SEED)
    r = lambda *s: rng.standard_normal(s).astype(np.float32)
    return {
        "x": r(1, 4, 6, 6), "w": r(6, 2, 3, 3) * 0.4, "b": r(6) * 0.1,
        "scale": 1 + r(6) * 0.1, "shift": r(6) * 0.1, "mean": r(6) * 0.1,
        "var": (1 + np.abs(r(6))).astype(np.float32),
        "fw": r(5, 12) * 0.5, "fb": r(5) * 0.1, "m": r(5, 4),
    }


def oracle(p):
    t = {k: torch.from_numpy(v) for k, v in p.items()}
    y = torch.relu(F.conv2d(t["x"], t["w"], t["b"], padding=1, groups=2))
    y = F.batch_norm(y, t["mean"], t["var"], t["scale"], t["shift"],
                     training=False, eps=1e-5)
    y = F.avg_pool2d(y, 3, 2, padding=1, count_include_pad=True)
    y = F.gelu(y)
    y = torch.cat([y, torch.sigmoid(y)], dim=1)
    y = y.mean(dim=(2, 3)).reshape(1, 12)
    y = torch.relu(F.linear(y, t["fw"], t["fb"]))
    y = torch.softmax(y @ t["m"], dim=1)
    return y.numpy()


def mlir(p):
    s = "func.func @model(%x: tensor<1x4x6x6xf32>) -> tensor<1x4xf32> {\n"
    for k in ("w", "b", "scale", "shift", "mean", "var", "fw", "fb", "m"):
        s += '  %%%s = dl.param "%s" : %s = %s\n' % (
            k, k, ttype(p[k].shape), dense(p[k]))
    s += """  %c = dl.conv2d %x, %w, %b {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, activation = #dl<activation relu>} : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x6x6xf32>
  %n = dl.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 1.0e-05 : f32} : (tensor<1x6x6x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x6x6xf32>
  %a = dl.pool2d avg %n {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x6x6x6xf32> -> tensor<1x6x3x3xf32>
  %g = dl.gelu %a : tensor<1x6x3x3xf32>
  %s = dl.sigmoid %g : tensor<1x6x3x3xf32>
  %cat = dl.concat %g, %s {axis = 1 : i64} : (tensor<1x6x3x3xf32>, tensor<1x6x3x3xf32>) -> tensor<1x12x3x3xf32>
  %gap = dl.global_avg_pool %cat : tensor<1x12x3x3xf32> -> tensor<1x12x1x1xf32>
  %f = dl.flatten %gap : tensor<1x12x1x1xf32> -> tensor<1x12xf32>
  %d = dl.dense %f, %fw, %fb {activation = #dl<activation relu>} : (tensor<1x12xf32>, tensor<5x12xf32>, tensor<5xf32>) -> tensor<1x5xf32>
  %mm = dl.matmul %d, %m : (tensor<1x5xf32>, tensor<5x4xf32>) -> tensor<1x4xf32>
  %y = dl.softmax %mm {axis = 1 : i64} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
"""
    return s


def main():
    run_cli(model(), mlir, oracle, (1, 4))


if __name__ == "__main__":
    main()

"""A small CNN in TOSA (MLIR 19) with random weights, its input, and a
PyTorch oracle; used by the end-to-end tests of convert-tosa-to-dl and
convert-dl-to-linalg.

  tosa_model.py gen DIR     writes DIR/model.mlir (TOSA, @model + @main)
                            and DIR/expected.npy
  tosa_model.py splice IN   appends the @main harness of DIR to a lowered
                            module (IN: a module printed by dl-opt or
                            mlir-opt) and prints it
  tosa_model.py check DIR OUT  compares the output printed by
                            mlir-cpu-runner (OUT) with DIR/expected.npy

The model (NCHW interface, NHWC inside as TOSA wants):
  x [1,3,9,9] -> transpose NHWC -> conv 3x3 stride 2, pads t1 b1 l0 r2, 6 ch
  -> clamp [0, inf) -> depthwise 3x3 (mult 1) pad 1 -> + per-channel const
  -> tanh -> clamp [-0.5, 0.5] -> max_pool 2x2 s1 -> avg_pool 2x2 s2 pad 1 (padding excluded)
  -> * sigmoid(itself) -> transpose NCHW -> reshape [1, 54]
  -> fully_connected 5 -> matmul with a [1,5,3] const
"""
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261125


def dense(a):
    return "dense<%s>" % np.array2string(
        np.asarray(a, dtype=np.float32), separator=", ", threshold=1 << 30,
        floatmode="unique", max_line_width=1 << 30).replace("\n", "")


def ttype(shape, et="f32"):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), et)


def const(name, a):
    t = ttype(a.shape)
    return ('  %%%s = "tosa.const"() <{value = %s : %s}> : () -> %s\n'
            % (name, dense(a), t, t))


def model():
    rng = np.random.default_rng(SEED)
    p = {
        "x": rng.standard_normal((1, 3, 9, 9)).astype(np.float32),
        "w1": rng.standard_normal((6, 3, 3, 3)).astype(np.float32) * 0.4,
        "b1": rng.standard_normal(6).astype(np.float32) * 0.1,
        "wd": rng.standard_normal((6, 1, 3, 3)).astype(np.float32) * 0.4,
        "bd": rng.standard_normal(6).astype(np.float32) * 0.1,
        "k": rng.standard_normal(6).astype(np.float32) * 0.5,
        "wf": rng.standard_normal((5, 54)).astype(np.float32) * 0.3,
        "bf": rng.standard_normal(5).astype(np.float32) * 0.1,
        "m": rng.standard_normal((1, 5, 3)).astype(np.float32),
    }
    return p


def oracle(p):
    t = {k: torch.from_numpy(v) for k, v in p.items()}
    x = F.pad(t["x"], (0, 2, 1, 1))  # (left, right, top, bottom)
    y = F.conv2d(x, t["w1"], t["b1"], stride=2)          # [1,6,5,5]
    y = torch.relu(y)
    y = F.conv2d(y, t["wd"], t["bd"], padding=1, groups=6)
    y = y + t["k"].view(1, 6, 1, 1)
    y = torch.clamp(torch.tanh(y), -0.5, 0.5)
    y = F.max_pool2d(y, 2, 1)                            # [1,6,4,4]
    y = F.avg_pool2d(y, 2, 2, padding=1, count_include_pad=False)  # [1,6,3,3]
    y = y * torch.sigmoid(y)
    y = y.reshape(1, 54)
    y = F.linear(y, t["wf"], t["bf"])                    # [1,5]
    y = torch.matmul(y.reshape(1, 1, 5), t["m"])         # [1,1,3]
    return y.numpy()


def tosa(p):
    s = "func.func @model(%x: tensor<1x3x9x9xf32>) -> tensor<1x1x3xf32> {\n"
    s += ('  %to_nhwc = "tosa.const"() <{value = dense<[0, 2, 3, 1]> : '
          'tensor<4xi32>}> : () -> tensor<4xi32>\n')
    s += ('  %to_nchw = "tosa.const"() <{value = dense<[0, 3, 1, 2]> : '
          'tensor<4xi32>}> : () -> tensor<4xi32>\n')
    s += const("w1", p["w1"].transpose(0, 2, 3, 1))      # OHWI
    s += const("b1", p["b1"])
    s += const("wd", p["wd"].reshape(6, 3, 3).transpose(1, 2, 0)
               .reshape(3, 3, 6, 1))                     # KH KW C M
    s += const("bd", p["bd"])
    s += const("k", p["k"].reshape(1, 1, 1, 6))
    s += const("wf", p["wf"])
    s += const("bf", p["bf"])
    s += const("m", p["m"])
    s += """  %xt = tosa.transpose %x, %to_nhwc : (tensor<1x3x9x9xf32>, tensor<4xi32>) -> tensor<1x9x9x3xf32>
  %c = tosa.conv2d %xt, %w1, %b1 {pad = array<i64: 1, 1, 0, 2>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x9x9x3xf32>, tensor<6x3x3x3xf32>, tensor<6xf32>) -> tensor<1x5x5x6xf32>
  %r = tosa.clamp %c {min_int = 0 : i64, max_int = 2147483647 : i64, min_fp = 0.0 : f32, max_fp = 3.40282347E+38 : f32} : (tensor<1x5x5x6xf32>) -> tensor<1x5x5x6xf32>
  %d = tosa.depthwise_conv2d %r, %wd, %bd {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x5x5x6xf32>, tensor<3x3x6x1xf32>, tensor<6xf32>) -> tensor<1x5x5x6xf32>
  %a = tosa.add %d, %k : (tensor<1x5x5x6xf32>, tensor<1x1x1x6xf32>) -> tensor<1x5x5x6xf32>
  %t = tosa.tanh %a : (tensor<1x5x5x6xf32>) -> tensor<1x5x5x6xf32>
  %cl = tosa.clamp %t {min_int = -1 : i64, max_int = 1 : i64, min_fp = -0.5 : f32, max_fp = 0.5 : f32} : (tensor<1x5x5x6xf32>) -> tensor<1x5x5x6xf32>
  %mp = tosa.max_pool2d %cl {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x5x5x6xf32>) -> tensor<1x4x4x6xf32>
  %ap = tosa.avg_pool2d %mp {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, acc_type = f32} : (tensor<1x4x4x6xf32>) -> tensor<1x3x3x6xf32>
  %sg = tosa.sigmoid %ap : (tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
  %sw = tosa.mul %ap, %sg {shift = 0 : i8} : (tensor<1x3x3x6xf32>, tensor<1x3x3x6xf32>) -> tensor<1x3x3x6xf32>
  %back = tosa.transpose %sw, %to_nchw : (tensor<1x3x3x6xf32>, tensor<4xi32>) -> tensor<1x6x3x3xf32>
  %flat = tosa.reshape %back {new_shape = array<i64: 1, 54>} : (tensor<1x6x3x3xf32>) -> tensor<1x54xf32>
  %fc = tosa.fully_connected %flat, %wf, %bf : (tensor<1x54xf32>, tensor<5x54xf32>, tensor<5xf32>) -> tensor<1x5xf32>
  %fc3 = tosa.reshape %fc {new_shape = array<i64: 1, 1, 5>} : (tensor<1x5xf32>) -> tensor<1x1x5xf32>
  %y = tosa.matmul %fc3, %m : (tensor<1x1x5xf32>, tensor<1x5x3xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}
"""
    return s


def harness(x, out_shape=(1, 1, 3)):
    """@main: calls @model on the constant input `x` and prints the result."""
    xt = ttype(x.shape)
    yt = ttype(out_shape)
    ym = "memref<%sxf32>" % "x".join(str(d) for d in out_shape)
    return (
        "func.func private @printMemrefF32(memref<*xf32>)\n"
        "func.func @main() {\n"
        "  %%x = arith.constant %s : %s\n"
        "  %%y = func.call @model(%%x) : (%s) -> %s\n"
        "  %%m = bufferization.to_memref %%y : %s\n"
        "  %%u = memref.cast %%m : %s to memref<*xf32>\n"
        "  func.call @printMemrefF32(%%u) : (memref<*xf32>) -> ()\n"
        "  return\n}\n" % (dense(x), xt, xt, yt, ym, ym))


def splice(path, x, out_shape):
    """Appends the harness to a lowered module (a file printed by an opt
    tool) and prints it."""
    text = open(path).read().rstrip()
    assert text.endswith("}"), "expected a module"
    print(text[:-1] + harness(x, out_shape) + "}")


def run_cli(params, mlir, oracle, out_shape):
    """The gen / splice / check commands of a model generator whose model
    takes the input params["x"] and returns a tensor of out_shape."""
    cmd = sys.argv[1]
    if cmd == "gen":
        with open(sys.argv[2] + "/model.mlir", "w") as f:
            f.write(mlir(params))
        np.save(sys.argv[2] + "/expected.npy", oracle(params))
    elif cmd == "splice":
        splice(sys.argv[2], params["x"], out_shape)
    elif cmd == "check":
        check(np.load(sys.argv[2] + "/expected.npy"), sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)


def check(expected, out_path):
    """Compares what printMemrefF32 printed with the oracle's values."""
    expected = expected.reshape(-1)
    text = open(out_path).read()
    body = text[text.index("data =") + len("data ="):]
    got = np.array([float(v) for v in
                    re.findall(r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?", body)],
                   dtype=np.float32)
    if got.shape != expected.shape:
        sys.exit("shape mismatch: got %s values, expected %s"
                 % (got.size, expected.size))
    err = np.max(np.abs(got - expected)) / max(
        1e-6, float(np.max(np.abs(expected))))
    print("max relative error %.3g" % err)
    print("got", got.tolist())
    print("expected", expected.tolist())
    if not err < 1e-4:
        sys.exit("MISMATCH")
    print("MATCH")


def main():
    cmd = sys.argv[1]
    p = model()
    if cmd == "gen":
        out = sys.argv[2]
        with open(out + "/model.mlir", "w") as f:
            f.write(tosa(p))
        np.save(out + "/expected.npy", oracle(p))
    elif cmd == "splice":
        splice(sys.argv[2], p["x"], (1, 1, 3))
    elif cmd == "check":
        check(np.load(sys.argv[2] + "/expected.npy"), sys.argv[3])


if __name__ == "__main__":
    main()

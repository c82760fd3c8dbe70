"""Writes small hand-made ONNX models with onnx.helper.

make_onnx.py CASE OUT.onnx

Cases: shape-fold (a Shape/Gather/Unsqueeze/Concat subgraph feeding a
Reshape), unsupported-op (Erf), lstm-bidirectional, dilated-maxpool,
dynamic-input (a symbolic batch dim), broadcast-computed (Add of two
computed tensors of different shapes), nonzero-lstm-state, nms (a
NonMaxSuppression after a convolution), custom-op (an op type no ONNX
opset defines), clip-inverted (min > max), clip-computed-max (a bound that is
a graph input), clip-opset6 (bounds as attributes, one absent),
gelu-shared-erf (the Erf GELU pattern with an intermediate used twice).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def init(name, *shape):
    return numpy_helper.from_array(
        rng.standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def save(nodes, inputs, outputs, inits, path, opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    case, path = sys.argv[1], sys.argv[2]
    if case == "shape-fold":
        nodes = [
            helper.make_node("Conv", ["x", "w"], ["c"], name="conv",
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
            helper.make_node("Shape", ["c"], ["s"], name="shape"),
            helper.make_node("Gather", ["s", "zero"], ["n"], name="gather",
                             axis=0),
            helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"],
                             name="unsqueeze"),
            helper.make_node("Concat", ["n1", "minus1"], ["shp"],
                             name="concat", axis=0),
            helper.make_node("Reshape", ["c", "shp"], ["flat"],
                             name="reshape"),
            helper.make_node("Gemm", ["flat", "fw", "fb"], ["y"], name="fc",
                             transB=1),
        ]
        inits = [init("w", 4, 2, 3, 3), ints("zero", 0), ints("axes0", [0]),
                 ints("minus1", [-1]), init("fw", 3, 4 * 5 * 5),
                 init("fb", 3)]
        save(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", [1, 3])], inits, path)
    elif case == "unsupported-op":
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node("Erf", ["r"], ["y"], name="the_erf")]
        save(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])], [], path)
    elif case == "lstm-bidirectional":
        nodes = [helper.make_node("LSTM", ["x", "W", "R"], ["y"],
                                  name="bilstm", hidden_size=2,
                                  direction="bidirectional")]
        save(nodes, [vi("x", [3, 1, 4])], [vi("y", [3, 2, 1, 2])],
             [init("W", 2, 8, 4), init("R", 2, 8, 2)], path)
    elif case == "nonzero-lstm-state":
        nodes = [helper.make_node("LSTM", ["x", "W", "R", "", "", "h0"],
                                  ["y"], name="lstm", hidden_size=2)]
        save(nodes, [vi("x", [3, 1, 4])], [vi("y", [3, 1, 1, 2])],
             [init("W", 1, 8, 4), init("R", 1, 8, 2), init("h0", 1, 1, 2)],
             path)
    elif case == "dilated-maxpool":
        nodes = [helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                                  kernel_shape=[2, 2], dilations=[2, 2])]
        save(nodes, [vi("x", [1, 1, 6, 6])], [vi("y", [1, 1, 4, 4])], [],
             path)
    elif case == "dynamic-input":
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
        save(nodes, [vi("x", ["batch", 4])], [vi("y", ["batch", 4])], [],
             path)
    elif case == "broadcast-computed":
        nodes = [helper.make_node("Relu", ["a"], ["ra"], name="ra"),
                 helper.make_node("Relu", ["b"], ["rb"], name="rb"),
                 helper.make_node("Add", ["ra", "rb"], ["y"], name="badd")]
        save(nodes, [vi("a", [2, 4]), vi("b", [1, 4])], [vi("y", [2, 4])],
             [], path)
    elif case == "squeeze-axis-range":
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node("Squeeze", ["r", "axes"], ["y"],
                                  name="squeeze")]
        save(nodes, [vi("x", [1, 4])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [ints("axes", [5])], path)
    elif case == "unsqueeze-axis-twice":
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node("Unsqueeze", ["r", "axes"], ["y"],
                                  name="unsqueeze")]
        save(nodes, [vi("x", [1, 4])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [ints("axes", [0, -4])], path)
    elif case.startswith("window-"):
        # 2-D window attributes out of range (found by dl-fuzz-onnx for
        # Conv strides; the others by auditing the importer).
        op, attrs, x, w = {
            "window-pool-strides": ("MaxPool", dict(kernel_shape=[2, 2],
                                                    strides=[1]), 4, None),
            "window-pool-stride-zero": ("AveragePool",
                                        dict(kernel_shape=[2, 2],
                                             strides=[0, 0],
                                             auto_pad="SAME_UPPER"), 4, None),
            "window-pool-negative-pad": ("MaxPool",
                                         dict(kernel_shape=[2, 2],
                                              pads=[-3, 0, 0, 0]), 4, None),
            "window-conv-too-large": ("Conv", dict(kernel_shape=[3, 3]), 2,
                                      [1, 1, 3, 3]),
            "window-conv-dilations": ("Conv", dict(dilations=[2]), 4,
                                      [1, 1, 1, 1]),
        }[case]
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node(op, ["r"] + (["w"] if w else []), ["y"],
                                  name="window", **attrs)]
        save(nodes, [vi("x", [1, 1, x, x])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [init("w", *w)] if w else [], path)
    elif case == "flatten-axis":
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node("Flatten", ["r"], ["y"], name="flatten",
                                  axis=7)]
        save(nodes, [vi("x", [2, 3])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [], path)
    elif case == "gemm-int-bias":
        nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc",
                                  transB=1)]
        save(nodes, [vi("x", [1, 4])], [vi("y", [1, 3])],
             [init("w", 3, 4), ints("b", [1, 2, 3])], path)
    elif case == "zero-stride":
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                  kernel_shape=[1, 1], strides=[1, 0])]
        save(nodes, [vi("x", [1, 1, 4, 4])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [init("w", 1, 1, 1, 1)], path)
    elif case == "future-opset":
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
        save(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])], [], path,
             opset=59)
    elif case == "huge-constant":
        nodes = [helper.make_node("ConstantOfShape", ["shp"], ["c"],
                                  name="fill"),
                 helper.make_node("Add", ["x", "c"], ["y"], name="add")]
        save(nodes, [vi("x", [1, 4])],
             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
             [ints("shp", [1 << 20, 1 << 20])], path)
    elif case == "nms":
        nodes = [
            helper.make_node("Conv", ["x", "w"], ["boxes"], name="conv",
                             kernel_shape=[1, 1]),
            helper.make_node("Reshape", ["boxes", "bshape"], ["b3"],
                             name="reshape"),
            helper.make_node("Relu", ["b3"], ["scores"], name="relu"),
            helper.make_node("Reshape", ["scores", "sshape"], ["s3"],
                             name="reshape_scores"),
            helper.make_node("NonMaxSuppression", ["b3", "s3"], ["y"],
                             name="/head/nms"),
        ]
        save(nodes, [vi("x", [1, 4, 2, 3])],
             [helper.make_tensor_value_info("y", TensorProto.INT64,
                                            [None, 3])],
             [init("w", 4, 4, 1, 1), ints("bshape", [1, 6, 4]),
              ints("sshape", [1, 1, 24])], path)
    elif case == "custom-op":
        # Not checked by the ONNX checker: the op exists in no opset.
        nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
                 helper.make_node("FancyActivation", ["r"], ["y"],
                                  name="fancy")]
        graph = helper.make_graph(nodes, "g", [vi("x", [1, 4])],
                                  [vi("y", [1, 4])])
        model = helper.make_model(graph, opset_imports=[
            helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.save(model, path)
    elif case == "clip-inverted":
        nodes = [helper.make_node("Clip", ["x", "lo", "hi"], ["y"],
                                  name="clip")]
        save(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])],
             [numpy_helper.from_array(np.array(6, np.float32), "lo"),
              numpy_helper.from_array(np.array(0, np.float32), "hi")], path)
    elif case == "clip-computed-max":
        nodes = [helper.make_node("Clip", ["x", "", "m"], ["y"],
                                  name="clip")]
        save(nodes, [vi("x", [1, 4]), vi("m", [])], [vi("y", [1, 4])], [],
             path)
    elif case == "clip-opset6":
        nodes = [helper.make_node("Clip", ["x"], ["y"], name="clip",
                                  min=-0.5)]
        save(nodes, [vi("x", [2, 3])], [vi("y", [2, 3])], [], path,
             opset=6)
    elif case == "gelu-shared-erf":
        nodes = [
            helper.make_node("Relu", ["x"], ["r"], name="relu"),
            helper.make_node("Div", ["r", "sqrt2"], ["d"], name="div"),
            helper.make_node("Erf", ["d"], ["e"], name="erf"),
            helper.make_node("Add", ["e", "one"], ["a"], name="add"),
            helper.make_node("Mul", ["r", "a"], ["m"], name="mul"),
            helper.make_node("Mul", ["m", "half"], ["g"], name="mul_half"),
            helper.make_node("Add", ["g", "e"], ["y"], name="uses_erf"),
        ]
        scalar = lambda n, v: numpy_helper.from_array(np.array(v, np.float32),
                                                      n)
        save(nodes, [vi("x", [1, 4])], [vi("y", [1, 4])],
             [scalar("sqrt2", np.sqrt(2)), scalar("one", 1),
              scalar("half", 0.5)], path)
    else:
        raise SystemExit("unknown case " + case)


if __name__ == "__main__":
    main()

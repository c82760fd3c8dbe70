#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes bench/models/resnet18.mlir: ResNet-18 in the dl dialect.

The network follows torchvision.models.resnet18 in eval mode exactly:
conv7x7/2 (no bias) + batch_norm + relu, maxpool 3x3/2 pad 1, four stages
of two BasicBlocks (conv3x3 + bn + relu, conv3x3 + bn, residual dl.add,
relu; a 1x1/2 conv + bn downsample on the shortcut of the first block of
stages 2-4), global average pooling, flatten and a 512 -> 1000 dense
layer. Parameter names are torchvision's state_dict keys (running_mean /
running_var included), so a DLW1 file maps 1:1 onto the PyTorch model.

Usage: gen_resnet18.py [-o OUT] [--batch N]
"""

import argparse
import os


class Emitter:
    def __init__(self, batch):
        self.lines = []
        self.n = 0
        self.batch = batch

    def ty(self, shape):
        return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"

    def fresh(self, hint):
        self.n += 1
        return "%%%s_%d" % (hint, self.n)

    def param(self, name, shape):
        v = self.fresh("p")
        self.lines.append('    %s = dl.param "%s" : %s' %
                          (v, name, self.ty(shape)))
        return v

    def conv(self, x, xshape, name, oc, k, stride, pad):
        n, c, h, w = xshape
        oh = (h + 2 * pad - k) // stride + 1
        ow = (w + 2 * pad - k) // stride + 1
        wshape = [oc, c, k, k]
        wv = self.param(name + ".weight", wshape)
        out = [n, oc, oh, ow]
        v = self.fresh("conv")
        attrs = []
        if stride != 1:
            attrs.append("strides = array<i64: %d, %d>" % (stride, stride))
        if pad:
            attrs.append("padding = array<i64: %d, %d, %d, %d>" %
                         (pad, pad, pad, pad))
        attr = (" {" + ", ".join(attrs) + "}") if attrs else ""
        self.lines.append(
            '    %s = dl.conv2d %s, %s%s : (%s, %s) -> %s loc("%s")' %
            (v, x, wv, attr, self.ty(xshape), self.ty(wshape), self.ty(out),
             name))
        return v, out

    def bn(self, x, shape, name):
        c = shape[1]
        ps = [self.param(name + "." + p, [c])
              for p in ("weight", "bias", "running_mean", "running_var")]
        v = self.fresh("bn")
        t = self.ty(shape)
        self.lines.append(
            '    %s = dl.batch_norm %s, %s {epsilon = 1.0e-05 : f32} : '
            '(%s, %s, %s, %s, %s) -> %s loc("%s")' %
            (v, x, ", ".join(ps), t, *([self.ty([c])] * 4), t, name))
        return v

    def relu(self, x, shape, name):
        v = self.fresh("relu")
        self.lines.append('    %s = dl.relu %s : %s loc("%s")' %
                          (v, x, self.ty(shape), name))
        return v

    def add(self, a, b, shape, name):
        v = self.fresh("add")
        self.lines.append('    %s = dl.add %s, %s : %s loc("%s")' %
                          (v, a, b, self.ty(shape), name))
        return v

    def basic_block(self, x, shape, name, planes, stride):
        c1, s1 = self.conv(x, shape, name + ".conv1", planes, 3, stride, 1)
        b1 = self.bn(c1, s1, name + ".bn1")
        r1 = self.relu(b1, s1, name + ".relu1")
        c2, s2 = self.conv(r1, s1, name + ".conv2", planes, 3, 1, 1)
        b2 = self.bn(c2, s2, name + ".bn2")
        shortcut = x
        if stride != 1 or shape[1] != planes:
            d, ds = self.conv(x, shape, name + ".downsample.0", planes, 1,
                              stride, 0)
            shortcut = self.bn(d, ds, name + ".downsample.1")
        a = self.add(b2, shortcut, s2, name + ".add")
        return self.relu(a, s2, name + ".relu2"), s2


def generate(batch):
    e = Emitter(batch)
    in_shape = [batch, 3, 224, 224]
    x = "%input"
    c, s = e.conv(x, in_shape, "conv1", 64, 7, 2, 3)
    b = e.bn(c, s, "bn1")
    r = e.relu(b, s, "relu")
    n, ch, h, w = s
    ps = [n, ch, (h + 2 - 3) // 2 + 1, (w + 2 - 3) // 2 + 1]
    pv = e.fresh("pool")
    e.lines.append(
        '    %s = dl.pool2d max %s {kernel = array<i64: 3, 3>, strides = '
        'array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : %s -> %s '
        'loc("maxpool")' % (pv, r, e.ty(s), e.ty(ps)))
    x, s = pv, ps
    for stage, planes in enumerate([64, 128, 256, 512], start=1):
        for blk in range(2):
            stride = 2 if (stage > 1 and blk == 0) else 1
            x, s = e.basic_block(x, s, "layer%d.%d" % (stage, blk), planes,
                                 stride)
    gs = [batch, 512, 1, 1]
    g = e.fresh("gap")
    e.lines.append('    %s = dl.global_avg_pool %s : %s -> %s loc("avgpool")'
                   % (g, x, e.ty(s), e.ty(gs)))
    f = e.fresh("flat")
    e.lines.append('    %s = dl.flatten %s : %s -> %s loc("flatten")' %
                   (f, g, e.ty(gs), e.ty([batch, 512])))
    wv = e.param("fc.weight", [1000, 512])
    bv = e.param("fc.bias", [1000])
    o = e.fresh("fc")
    e.lines.append(
        '    %s = dl.dense %s, %s, %s : (%s, %s, %s) -> %s loc("fc")' %
        (o, f, wv, bv, e.ty([batch, 512]), e.ty([1000, 512]), e.ty([1000]),
         e.ty([batch, 1000])))
    head = [
        "// ResNet-18 (torchvision.models.resnet18, eval mode) in the dl",
        "// dialect. Generated by bench/models/gen_resnet18.py; do not edit.",
        "// Parameter names are torchvision's state_dict keys.",
        "module {",
        "  func.func @main(%%input: %s) -> %s {" %
        (e.ty(in_shape), e.ty([batch, 1000])),
    ]
    tail = ["    return %s : %s" % (o, e.ty([batch, 1000])), "  }", "}", ""]
    return "\n".join(head + e.lines + tail)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output",
                    default=os.path.join(here, "resnet18.mlir"))
    ap.add_argument("--batch", type=int, default=1)
    args = ap.parse_args()
    text = generate(args.batch)
    if args.output == "-":
        print(text, end="")
    else:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

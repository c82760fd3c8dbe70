#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Search time of dl-search-partition versus layers and devices.

Generates conv chains of 10..2000 layers and a ResNet-152-sized residual
DAG, runs `dl-opt --dl-search-partition` on local-P presets and prints a
Markdown table of wall times (the whole dl-opt run: parse, candidates,
search, print).

    bench/search_scaling.py --dl-opt build/bin/dl-opt [--quick]
"""
import argparse
import os
import subprocess
import tempfile
import time

TIMEOUT = 60


def t(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def conv(lines, params, x, shape, cout, name):
    w = [cout, shape[1], 3, 3]
    out = [shape[0], cout, shape[2], shape[3]]
    params.append(f'    %{name}_w = dl.param "{name}.w" : {t(w)}')
    lines.append(
        f"    %{name} = dl.conv2d {x}, %{name}_w "
        f"{{padding = array<i64: 1, 1, 1, 1>}} : ({t(shape)}, {t(w)}) "
        f"-> {t(out)}")
    return f"%{name}", out


def chain(n):
    shape = [1, 16, 32, 32]
    lines, params, x = [], [], "%x"
    for i in range(n):
        if i % 2 == 0:
            x, shape = conv(lines, params, x, shape, 16, f"c{i}")
        else:
            lines.append(f"    %r{i} = dl.relu {x} : {t(shape)}")
            x = f"%r{i}"
    return wrap(lines, params, [1, 16, 32, 32], x, shape)


def resnet(blocks):
    """Bottleneck-free residual blocks: conv, relu, conv, add, relu (5
    layers per block; 100 blocks = 501 layers, 201 convs)."""
    shape = [1, 16, 16, 16]
    lines, params = [], []
    x, shape = conv(lines, params, "%x", shape, 16, "stem")
    for b in range(blocks):
        y, _ = conv(lines, params, x, shape, 16, f"b{b}a")
        lines.append(f"    %b{b}r = dl.relu {y} : {t(shape)}")
        z, _ = conv(lines, params, f"%b{b}r", shape, 16, f"b{b}b")
        lines.append(f"    %b{b}s = dl.add {z}, {x} : {t(shape)}")
        lines.append(f"    %b{b}o = dl.relu %b{b}s : {t(shape)}")
        x = f"%b{b}o"
    return wrap(lines, params, [1, 16, 16, 16], x, shape)


def wrap(lines, params, inshape, x, shape):
    return ("module {\n  func.func @main(%x: " + t(inshape) + ") -> " +
            t(shape) + " {\n" + "\n".join(params + lines) +
            f"\n    return {x} : {t(shape)}\n  }}\n}}\n")


def run(dlopt, text, devices):
    with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        start = time.perf_counter()
        try:
            subprocess.run([dlopt, path,
                            f"--dl-search-partition=cluster=local-{devices}",
                            "-o", os.devnull], check=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return None
        return time.perf_counter() - start
    finally:
        os.unlink(path)


def fmt(s):
    return f"> {TIMEOUT} s" if s is None else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dl-opt", default="build/bin/dl-opt")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    layers = [10, 100, 300] if args.quick else [10, 100, 500, 1000, 2000]
    devices = [2, 8, 64] if args.quick else [2, 4, 8, 16, 64]
    print("| model | layers | " + " | ".join(f"P={p}" for p in devices) +
          " |")
    print("|---|---|" + "---|" * len(devices))
    for n in layers:
        text = chain(n)
        times = [run(args.dl_opt, text, p) for p in devices]
        print(f"| conv chain | {n} | " +
              " | ".join(fmt(s) for s in times) + " |")
    text = resnet(20 if args.quick else 100)
    times = [run(args.dl_opt, text, p) for p in devices]
    print(f"| residual DAG ({20 if args.quick else 100} blocks) | "
          f"{101 if args.quick else 501} | " +
          " | ".join(fmt(s) for s in times) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""torchvision ResNet-18 with the weights of a DLW1 file: check and time.

Loads torchvision.models.resnet18(weights=None), replaces every parameter
and batch-norm buffer by the tensor of the same name in a DLW1 weight file
(docs/weights-format.md; the names of bench/models/resnet18.mlir are
torchvision's state_dict keys), runs the model in eval mode on an .npy
input and

  * with --compare OUT.npy, prints the maximum relative error
    max|ours - torch| / max|torch| and exits 1 above --tolerance;
  * with --threads T --warmup W --repeat N, prints
    `torch: threads T mean latency X ms over N run(s)`.

No network access: nothing is downloaded.
"""

import argparse
import struct
import sys
import time

import numpy as np


def read_dlw(path):
    """Returns {name: float32 ndarray} of a DLW1 file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 16 or data[:4] != b"DLW1":
        sys.exit("%s: not a DLW1 file" % path)
    version, count = struct.unpack_from("<IQ", data, 4)
    if version != 1:
        sys.exit("%s: unsupported DLW version %d" % (path, version))
    pos = 16
    tensors = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<I", data, pos)
        pos += 4
        name = data[pos:pos + name_len].decode("utf-8")
        pos += name_len
        dtype, rank = struct.unpack_from("<II", data, pos)
        pos += 8
        dims = struct.unpack_from("<%dq" % rank, data, pos)
        pos += 8 * rank
        offset, nbytes, _checksum = struct.unpack_from("<QQQ", data, pos)
        pos += 24
        if dtype != 0:
            sys.exit("%s: tensor '%s' has dtype %d" % (path, name, dtype))
        arr = np.frombuffer(data, dtype="<f4", count=nbytes // 4,
                            offset=offset)
        tensors[name] = arr.reshape(dims).copy()
    return tensors


def build_model(weights_path):
    import torch
    import torchvision

    model = torchvision.models.resnet18(weights=None)
    model.eval()
    store = read_dlw(weights_path)
    state = model.state_dict()
    new_state = {}
    for key, ref in state.items():
        if key.endswith("num_batches_tracked"):
            new_state[key] = ref
            continue
        if key not in store:
            sys.exit("weight file has no tensor '%s'" % key)
        t = torch.from_numpy(store[key])
        if tuple(t.shape) != tuple(ref.shape):
            sys.exit("tensor '%s' has shape %s, torchvision expects %s" %
                     (key, tuple(t.shape), tuple(ref.shape)))
        new_state[key] = t
    unused = set(store) - set(state)
    if unused:
        sys.exit("weight file tensors unknown to torchvision: %s" %
                 ", ".join(sorted(unused)))
    model.load_state_dict(new_state)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, help="DLW1 weight file")
    ap.add_argument("--input", required=True, help="float32 .npy input")
    ap.add_argument("--compare", help="our output (.npy) to check")
    ap.add_argument("--tolerance", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=0,
                    help="time with this many threads (0: no timing)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    import torch

    model = build_model(args.weights)
    x = torch.from_numpy(np.load(args.input).astype(np.float32))
    status = 0
    if args.compare:
        with torch.no_grad():
            ref = model(x).numpy()
        ours = np.load(args.compare)
        if ours.shape != ref.shape:
            sys.exit("output shape %s, torch gives %s" %
                     (ours.shape, ref.shape))
        err = float(np.max(np.abs(ours - ref)) / max(np.max(np.abs(ref)),
                                                     1e-30))
        ok = err <= args.tolerance
        print("check: max rel err %.3e (tolerance %.0e) %s" %
              (err, args.tolerance, "OK" if ok else "FAILED"))
        status = 0 if ok else 1
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        with torch.inference_mode():
            for _ in range(args.warmup):
                model(x)
            total = 0.0
            for _ in range(args.repeat):
                start = time.perf_counter()
                model(x)
                total += time.perf_counter() - start
        print("torch: threads %d mean latency %.3f ms over %d run(s)" %
              (args.threads, total / args.repeat * 1e3, args.repeat))
    return status


if __name__ == "__main__":
    sys.exit(main())

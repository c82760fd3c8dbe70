"""Reads DLW1 weight files (docs/weights-format.md) into numpy arrays."""

import struct

import numpy as np


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_dlw(path, verify=True):
    """Returns {name: float32 array}; raises ValueError on a malformed file."""
    blob = open(path, "rb").read()
    if len(blob) < 16 or blob[:4] != b"DLW1":
        raise ValueError("%s: not a DLW1 file" % path)
    version, count = struct.unpack_from("<IQ", blob, 4)
    if version != 1:
        raise ValueError("%s: unsupported version %d" % (path, version))
    pos = 16
    tensors = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<I", blob, pos)
        pos += 4
        name = blob[pos:pos + name_len].decode("utf-8")
        pos += name_len
        dtype, rank = struct.unpack_from("<II", blob, pos)
        pos += 8
        if dtype != 0 or rank > 64:
            raise ValueError("%s: tensor '%s': bad dtype/rank" % (path, name))
        dims = struct.unpack_from("<%dq" % rank, blob, pos)
        pos += 8 * rank
        offset, nbytes, checksum = struct.unpack_from("<QQQ", blob, pos)
        pos += 24
        elements = int(np.prod(dims)) if rank else 1
        if nbytes != elements * 4 or offset % 64 or offset + nbytes > len(blob):
            raise ValueError("%s: tensor '%s': bad extent" % (path, name))
        data = blob[offset:offset + nbytes]
        if verify and fnv1a64(data) != checksum:
            raise ValueError("%s: tensor '%s': checksum mismatch" % (path, name))
        if name in tensors:
            raise ValueError("%s: duplicate tensor '%s'" % (path, name))
        tensors[name] = np.frombuffer(data, dtype="<f4").reshape(dims).copy()
    return tensors

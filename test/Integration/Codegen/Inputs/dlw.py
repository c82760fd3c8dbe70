"""Writes DLW1 weight files (docs/weights-format.md) from numpy arrays."""

import struct

import numpy as np


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_dlw(path, tensors):
    """tensors: list of (name, array) pairs, written in order as float32."""
    arrays = [(n, np.ascontiguousarray(a, dtype=np.float32)) for n, a in tensors]
    header_size = 16
    for name, a in arrays:
        header_size += 4 + len(name.encode()) + 4 + 4 + 8 * a.ndim + 24
    offset = (header_size + 63) // 64 * 64
    header = bytearray(b"DLW1" + struct.pack("<IQ", 1, len(arrays)))
    blobs = []
    for name, a in arrays:
        data = a.tobytes()
        encoded = name.encode()
        header += struct.pack("<I", len(encoded)) + encoded
        header += struct.pack("<II", 0, a.ndim)
        header += struct.pack("<%dq" % a.ndim, *a.shape)
        header += struct.pack("<QQQ", offset, len(data), fnv1a64(data))
        blobs.append((offset, data))
        offset = (offset + len(data) + 63) // 64 * 64
    assert len(header) == header_size
    with open(path, "wb") as f:
        f.write(header)
        for off, data in blobs:
            f.write(b"\0" * (off - f.tell()))
            f.write(data)

"""Prints every tensor of a DLW1 weight store (docs/weights-format.md):
`name [dims] [values]`, in file order."""
import struct
import sys

import numpy as np

with open(sys.argv[1], "rb") as f:
    blob = f.read()
assert blob[:4] == b"DLW1", "bad magic"
version, count = struct.unpack_from("<IQ", blob, 4)
assert version == 1
pos = 16
for _ in range(count):
    (name_len,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    name = blob[pos:pos + name_len].decode()
    pos += name_len
    dtype, rank = struct.unpack_from("<II", blob, pos)
    pos += 8
    dims = list(struct.unpack_from("<%dq" % rank, blob, pos))
    pos += 8 * rank
    offset, nbytes, _checksum = struct.unpack_from("<QQQ", blob, pos)
    pos += 24
    assert dtype == 0
    values = np.frombuffer(blob, dtype="<f4", count=nbytes // 4, offset=offset)
    print(name, dims, [float(v) for v in values])

"""Damages a DLW1 weight shard: damage_shard.py truncate|flip PATH

truncate: cuts the file in the middle of its last tensor's data;
flip: inverts one byte inside the first non-empty tensor's data (the
checksum then no longer matches).
"""

import struct
import sys

mode, path = sys.argv[1], sys.argv[2]
blob = bytearray(open(path, "rb").read())
(count,) = struct.unpack_from("<Q", blob, 8)
pos, spans = 16, []
for _ in range(count):
    (name_len,) = struct.unpack_from("<I", blob, pos)
    pos += 4 + name_len
    _dtype, rank = struct.unpack_from("<II", blob, pos)
    pos += 8 + 8 * rank
    offset, nbytes, _checksum = struct.unpack_from("<QQQ", blob, pos)
    pos += 24
    if nbytes:
        spans.append((offset, nbytes))
if not spans:
    sys.exit("%s: no tensor data to damage" % path)
if mode == "truncate":
    offset, nbytes = max(spans)
    del blob[offset + nbytes // 2:]
elif mode == "flip":
    offset, nbytes = spans[0]
    blob[offset + nbytes // 2] ^= 0xFF
else:
    sys.exit("unknown mode " + mode)
open(path, "wb").write(bytes(blob))

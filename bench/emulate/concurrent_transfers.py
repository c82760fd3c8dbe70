#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Ranks 1..N-1 each send SIZE bytes to rank 0 over TCP at the same time
(after a common start signal); each prints how long its transfer took and
its throughput. Under dl-emulate it shows how concurrent transfers share a
link or medium:

  dl-emulate run CLUSTER -- mpirun -np 3 /usr/bin/python3 \\
      bench/emulate/concurrent_transfers.py 10.77.0.1 [SIZE]
"""
import os
import socket
import sys
import time

rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
size = int(os.environ["OMPI_COMM_WORLD_SIZE"])
host = sys.argv[1]
nbytes = int(float(sys.argv[2])) if len(sys.argv) > 2 else 2 << 20
PORT = 5600

if rank == 0:
    srv = socket.create_server(("0.0.0.0", PORT), backlog=size)
    conns = [srv.accept()[0] for _ in range(size - 1)]
    for c in conns:  # start together
        c.sendall(b"s")
    for c in conns:
        got = 0
        while got < nbytes:
            data = c.recv(1 << 16)
            if not data:
                break
            got += len(data)
        c.sendall(b"d")
    sys.exit(0)

for _ in range(100):
    try:
        s = socket.create_connection((host, PORT))
        break
    except OSError:
        time.sleep(0.1)
s.recv(1)
t = time.time()
s.sendall(b"x" * nbytes)
s.recv(1)
elapsed = time.time() - t
print("rank %d: %d bytes in %.3f s, %.3g MB/s" % (rank, nbytes, elapsed,
                                                   nbytes / elapsed / 1e6),
      flush=True)

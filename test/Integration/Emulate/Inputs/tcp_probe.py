# SPDX-License-Identifier: Apache-2.0
"""Run as two mpirun ranks under dl-emulate: rank 1 serves, rank 0 measures
TCP round trips and a bulk transfer to it over the emulated link and prints
lower-bound checks (which a loaded machine cannot make fail: load only adds
time) next to its own namespace, address and cgroup."""
import os
import socket
import sys
import time

rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
peer, port = sys.argv[1], int(sys.argv[2])
latency, bandwidth = float(sys.argv[3]), float(sys.argv[4])
bulk = 1 << 20

cgroup = [l.split(":")[-1] for l in open("/proc/self/cgroup").read().split()
          if l.split(":")[1] in ("cpu", "cpu,cpuacct", "")]
addrs = os.popen("ip -4 -o addr show eth0").read().split()
print("rank %d host %s addr %s cgroup %s" % (
    rank, socket.gethostname(), addrs[3] if len(addrs) > 3 else "none",
    cgroup[0]), flush=True)
# The CPU dl-emulate assigned this rank's host (the last column of its
# cgroups file) is the only one the rank may run on: neither unpinned nor
# rebound by Open MPI.
prefix = socket.gethostname().rsplit("-", 1)[0]
assigned = [l.split()[-1] for l in
            open("/run/dl-emulate/%s/cgroups" % prefix).read().splitlines()
            if l.split()[0] == socket.gethostname()]
print("rank %d on its assigned CPU only: %s" % (
    rank, [str(c) for c in sorted(os.sched_getaffinity(0))] == assigned),
    flush=True)

if rank == 1:
    srv = socket.create_server(("0.0.0.0", port))
    conn, _ = srv.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(5):
        conn.recv(1)
        conn.sendall(b"p")
    while conn.recv(1 << 16):
        pass
    conn.sendall(b"d")
    sys.exit(0)

for _ in range(100):
    try:
        s = socket.create_connection((peer, port))
        break
    except OSError:
        time.sleep(0.1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
rtts = []
for _ in range(5):
    t = time.time()
    s.sendall(b"p")
    s.recv(1)
    rtts.append(time.time() - t)
t = time.time()
s.sendall(b"x" * bulk)
s.shutdown(socket.SHUT_WR)
s.recv(1)
elapsed = time.time() - t
print("round trip >= 2 x latency:", min(rtts) >= 2 * latency * 0.95)
print("1 MiB takes >= size / bandwidth:", elapsed >= bulk / bandwidth * 0.95)

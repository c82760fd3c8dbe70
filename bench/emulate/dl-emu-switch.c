// SPDX-License-Identifier: Apache-2.0
//
// dl-emu-switch: the network of a dl-emulate cluster, a user-space Ethernet
// switch between TAP devices that delays and rate-limits the frames between
// ranks.
//
// It creates N + 1 TAP devices dlt0 .. dltN in the network namespace it is
// started in (dlt0 .. dlt{N-1} for the ranks, dltN for the control
// namespace); dl-emulate then moves each into its namespace. Port p owns the
// MAC address 02:d1:00:00:00:p (the control port 02:d1:00:00:00:fe), so the
// destination port of a frame is read off its destination MAC. Frames to or
// from the control port, broadcasts and multicasts are forwarded at once;
// a frame between two ranks joins a FIFO queue that models a link:
//
//   start   = max(now, queue free)         (the link serializes frames)
//   free    = start + frame bytes / rate
//   deliver = free + latency
//
// With `shared` every rank-to-rank frame uses one queue (one medium: all
// transfers serialize); otherwise each ordered pair (i, j) has its own queue
// with its own rate and latency (independent full-duplex links). A queue
// holding more than its limit of bytes drops the frame (TCP retransmits it).
//
// With `serial-latency 1` the shared medium is also busy for the latency:
// a frame that starts a transfer (no earlier frame of its sender-receiver
// pair still in flight) holds the medium for latency + bytes / rate and
// arrives when it releases it; the frames that follow it in the same
// transfer hold it for bytes / rate. Frames without payload (TCP
// acknowledgements) hold it for their bytes only and arrive a latency
// later. Concurrent small messages then take the sum of their latencies,
// which is what the cost model's `shared` topology assumes.
//
// The configuration comes on stdin, one item per line:
//   ports N
//   shared RATE LATENCY          (bytes/s, seconds)
//   serial-latency 1             (the shared medium is busy for the latency)
//   link I J RATE LATENCY        (the directed pair I -> J)
// The switch prints "ready" once its TAP devices exist and runs until
// SIGTERM or SIGINT.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 127
#define MAX_FRAME 65600

struct frame {
  struct frame *next;
  double deliver;
  int len;
  unsigned char data[];
};

struct queue {
  double rate, latency, free_at;
  long bytes, limit;
  struct queue *owner; // whose byte count the queued frames add to
  struct frame *head, *tail;
  long sent, dropped;
};

static int nports; // rank ports; the control port is nports
static int fds[MAX_PORTS + 1];
static struct queue *pair_queue[MAX_PORTS][MAX_PORTS];
static struct queue *shared_queue;
static int serial_latency;
static struct queue *ack_queue; // serial-latency: payload-less frames
// Per sender-receiver pair: when its last frame arrives (serial-latency).
static double pair_busy[MAX_PORTS][MAX_PORTS];
static volatile sig_atomic_t stop;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static struct queue *new_queue(double rate, double latency) {
  struct queue *q = calloc(1, sizeof(*q));
  if (!q) {
    perror("dl-emu-switch: calloc");
    exit(1);
  }
  q->rate = rate;
  q->latency = latency;
  // Room for 200 ms at the link's rate, at least 256 KiB.
  q->limit = (long)(rate * 0.2);
  if (q->limit < (256 << 10))
    q->limit = 256 << 10;
  return q;
}

static int open_tap(int port) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    perror("dl-emu-switch: /dev/net/tun");
    exit(1);
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "dlt%d", port);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    fprintf(stderr, "dl-emu-switch: cannot create %s: %s\n", ifr.ifr_name,
            strerror(errno));
    exit(1);
  }
  return fd;
}

/// The port owning a unicast MAC address, -1 for others.
static int port_of(const unsigned char *mac) {
  if (mac[0] != 0x02 || mac[1] != 0xd1 || mac[2] || mac[3] || mac[4])
    return -1;
  if (mac[5] == 0xfe)
    return nports;
  return mac[5] < nports ? mac[5] : -1;
}

static void deliver(int port, const unsigned char *data, int len) {
  // A full TAP queue drops the frame, as a full NIC ring would.
  if (write(fds[port], data, len) < 0 && errno != EAGAIN && errno != EIO)
    perror("dl-emu-switch: write");
}

/// Whether an Ethernet frame carries data: anything but an IPv4 TCP segment
/// without payload.
static int has_payload(const unsigned char *d, int len) {
  if (len < 34 || d[12] != 0x08 || d[13] != 0x00 || d[23] != 6)
    return 1;
  int ihl = (d[14] & 0x0f) * 4;
  int total = (d[16] << 8) | d[17];
  if (len < 14 + ihl + 13)
    return 1;
  int doff = (d[14 + ihl + 12] >> 4) * 4;
  return total - ihl - doff > 0;
}

static void forward(int in, const unsigned char *data, int len, double t) {
  if (len < 14)
    return;
  int out = (data[0] & 1) ? -1 : port_of(data);
  if (out == in)
    return;
  if (out < 0 || in == nports || out == nports) {
    // Broadcast, unknown or control traffic: unshaped.
    for (int p = 0; p <= nports; ++p)
      if (p != in && (out < 0 || p == out))
        deliver(p, data, len);
    return;
  }
  struct queue *q = shared_queue ? shared_queue : pair_queue[in][out];
  if (!q) {
    deliver(out, data, len);
    return;
  }
  if (q->bytes + len > q->limit) {
    ++q->dropped;
    return;
  }
  struct frame *f = malloc(sizeof(*f) + (size_t)len);
  if (!f)
    return;
  double start = t > q->free_at ? t : q->free_at;
  q->free_at = start + (double)len / q->rate;
  f->deliver = q->free_at + q->latency;
  struct queue *fifo = q;
  if (q == shared_queue && serial_latency) {
    if (!has_payload(data, len)) {
      // Acknowledgements: their bytes only; they arrive a latency later,
      // through their own FIFO so that no data frame waits behind them.
      fifo = ack_queue;
    } else {
      if (t >= pair_busy[in][out])
        q->free_at += q->latency; // a new transfer: access and latency
      f->deliver = q->free_at;
      pair_busy[in][out] = f->deliver;
    }
  }
  f->len = len;
  f->next = NULL;
  memcpy(f->data, data, (size_t)len);
  if (fifo->tail)
    fifo->tail->next = f;
  else
    fifo->head = f;
  fifo->tail = f;
  q->bytes += len;
  fifo->owner = q;
}

/// Delivers the due frames of q; returns the time its next frame is due.
static double drain(struct queue *q, double t) {
  while (q->head && q->head->deliver <= t) {
    struct frame *f = q->head;
    q->head = f->next;
    if (!q->head)
      q->tail = NULL;
    q->owner->bytes -= f->len;
    ++q->sent;
    deliver(port_of(f->data), f->data, f->len);
    free(f);
  }
  return q->head ? q->head->deliver : 1e300;
}

static void read_config(void) {
  char line[256];
  while (fgets(line, sizeof(line), stdin)) {
    int i, j;
    double rate, latency;
    if (sscanf(line, "ports %d", &i) == 1) {
      if (i < 2 || i > MAX_PORTS - 1) {
        fprintf(stderr, "dl-emu-switch: ports must be in 2..%d\n",
                MAX_PORTS - 1);
        exit(2);
      }
      nports = i;
    } else if (sscanf(line, "serial-latency %d", &i) == 1) {
      serial_latency = i;
    } else if (sscanf(line, "shared %lf %lf", &rate, &latency) == 2) {
      shared_queue = new_queue(rate, latency);
    } else if (sscanf(line, "link %d %d %lf %lf", &i, &j, &rate, &latency) ==
               4) {
      if (i < 0 || j < 0 || i >= nports || j >= nports || i == j ||
          rate <= 0 || latency < 0) {
        fprintf(stderr, "dl-emu-switch: bad link line: %s", line);
        exit(2);
      }
      pair_queue[i][j] = new_queue(rate, latency);
    } else if (line[0] != '\n' && line[0] != '#') {
      fprintf(stderr, "dl-emu-switch: bad line: %s", line);
      exit(2);
    }
  }
  if (!nports) {
    fprintf(stderr, "dl-emu-switch: no 'ports N' line\n");
    exit(2);
  }
  if (serial_latency && shared_queue) {
    ack_queue = new_queue(shared_queue->rate, shared_queue->latency);
    ack_queue->owner = shared_queue;
  }
}

int main(void) {
  read_config();
  // Timers as exact as the kernel allows; a real-time priority keeps the
  // forwarding prompt on a loaded machine (it sleeps in ppoll otherwise).
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  struct sched_param sp = {.sched_priority = 10};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
    fprintf(stderr, "dl-emu-switch: warning: no real-time priority (%s)\n",
            strerror(errno));
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  for (int p = 0; p <= nports; ++p)
    fds[p] = open_tap(p);
  printf("ready\n");
  fflush(stdout);

  struct pollfd pfd[MAX_PORTS + 1];
  static unsigned char buf[MAX_FRAME];
  while (!stop) {
    double t = now(), next = 1e300;
    if (shared_queue) {
      next = drain(shared_queue, t);
      if (ack_queue) {
        double d = drain(ack_queue, t);
        if (d < next)
          next = d;
      }
    } else {
      for (int i = 0; i < nports; ++i)
        for (int j = 0; j < nports; ++j)
          if (pair_queue[i][j]) {
            double d = drain(pair_queue[i][j], t);
            if (d < next)
              next = d;
          }
    }
    struct timespec timeout, *tp = NULL;
    if (next < 1e299) {
      double wait = next - now();
      if (wait < 0)
        wait = 0;
      timeout.tv_sec = (time_t)wait;
      timeout.tv_nsec = (long)((wait - (double)timeout.tv_sec) * 1e9);
      tp = &timeout;
    }
    for (int p = 0; p <= nports; ++p) {
      pfd[p].fd = fds[p];
      pfd[p].events = POLLIN;
      pfd[p].revents = 0;
    }
    int n = ppoll(pfd, (nfds_t)nports + 1, tp, NULL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      perror("dl-emu-switch: ppoll");
      return 1;
    }
    for (int p = 0; n > 0 && p <= nports; ++p) {
      if (!(pfd[p].revents & POLLIN))
        continue;
      // Read what is there now; frames keep their arrival order per port.
      for (int k = 0; k < 64; ++k) {
        ssize_t len = read(fds[p], buf, sizeof(buf));
        if (len <= 0)
          break;
        forward(p, buf, (int)len, now());
      }
    }
  }
  long dropped = 0;
  if (shared_queue)
    dropped = shared_queue->dropped;
  for (int i = 0; i < nports; ++i)
    for (int j = 0; j < nports; ++j)
      if (pair_queue[i][j])
        dropped += pair_queue[i][j]->dropped;
  fprintf(stderr, "dl-emu-switch: stopped; %ld frame(s) dropped by full "
                  "queues\n", dropped);
  return 0;
}

//===- Trace.cpp - Spans, Chrome traces and statistics ----------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Records spans (dlrt_trace_begin/end and communication operations),
/// aggregates per-name counts and times, and at finalize gathers them on
/// rank 0 to write a Chrome/Perfetto trace (--trace) and a statistics JSON
/// file (--stats).
///
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "dlrt/dlrt.h"

#include <cstdio>
#include <string>
#include <sys/resource.h>
#include <unordered_map>
#include <vector>

using namespace dlrt::detail;

namespace {

struct Event {
  int nameId;
  int depth;
  double begin;
  double end;
  const char *category;
  int64_t sent;
  int64_t recv;
};

struct OpenSpan {
  int nameId;
  double begin;
};

struct TraceState {
  bool recordEvents = false;
  double origin = 0;
  std::unordered_map<std::string, int> nameIds;
  std::vector<std::string> names;
  std::vector<int64_t> counts;
  std::vector<double> times;
  std::vector<OpenSpan> stack;
  std::vector<Event> events;
} T;

int intern(const char *name) {
  auto it = T.nameIds.find(name);
  if (it != T.nameIds.end())
    return it->second;
  int id = static_cast<int>(T.names.size());
  T.nameIds.emplace(name, id);
  T.names.push_back(name);
  T.counts.push_back(0);
  T.times.push_back(0);
  return id;
}

std::string jsonEscape(const std::string &s) {
  std::string o;
  for (char c : s) {
    switch (c) {
    case '"':
      o += "\\\"";
      break;
    case '\\':
      o += "\\\\";
      break;
    case '\n':
      o += "\\n";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        o += buf;
      } else {
        o += c;
      }
    }
  }
  return o;
}

std::string fmtDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

int64_t peakRssBytes() {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return static_cast<int64_t>(ru.ru_maxrss) * 1024; // KiB on Linux.
}

std::string peerMap(const std::vector<int64_t> &v) {
  std::string s = "{";
  bool first = true;
  for (size_t p = 0; p < v.size(); ++p) {
    if (!v[p])
      continue;
    if (!first)
      s += ",";
    first = false;
    s += "\"" + std::to_string(p) + "\":" + std::to_string(v[p]);
  }
  return s + "}";
}

/// This rank's statistics as one compact JSON object.
std::string statsJson() {
  std::string s = "{\"rank\":" + std::to_string(worldRank());
  s += ",\"threads\":" + std::to_string(kernelsThreads());
  s += ",\"wall_s\":" + fmtDouble(now() - T.origin);
  s += ",\"ops\":{";
  for (size_t i = 0; i < T.names.size(); ++i) {
    if (i)
      s += ",";
    s += "\"" + jsonEscape(T.names[i]) +
         "\":{\"count\":" + std::to_string(T.counts[i]) +
         ",\"time_s\":" + fmtDouble(T.times[i]) + "}";
  }
  s += "},\"bytes_sent_to\":" + peerMap(bytesSentVector());
  s += ",\"bytes_received_from\":" + peerMap(bytesReceivedVector());
  s += ",\"peak_rss_bytes\":" + std::to_string(peakRssBytes()) + "}";
  return s;
}

/// This rank's trace events as comma-separated Chrome JSON objects.
std::string traceJson() {
  int rank = worldRank();
  std::string pid = std::to_string(rank);
  // Metadata: Perfetto and chrome://tracing name the process "rank K",
  // order the processes by rank and name the thread.
  std::string meta = "\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":0,\"args\":";
  std::string s = "{\"name\":\"process_name\"," + meta + "{\"name\":\"rank " +
                  pid + "\"}},{\"name\":\"process_sort_index\"," + meta +
                  "{\"sort_index\":" + pid + "}},{\"name\":\"thread_name\"," +
                  meta + "{\"name\":\"main\"}}";
  for (const Event &e : T.events) {
    s += ",{\"name\":\"" + jsonEscape(T.names[e.nameId]) + "\",\"cat\":\"" +
         e.category +
         "\",\"ph\":\"X\",\"ts\":" + fmtDouble((e.begin - T.origin) * 1e6) +
         ",\"dur\":" + fmtDouble((e.end - e.begin) * 1e6) + ",\"pid\":" + pid +
         ",\"tid\":0,\"args\":{\"depth\":" + std::to_string(e.depth);
    if (e.category[0] == 'c')
      s += ",\"bytes_sent\":" + std::to_string(e.sent) +
           ",\"bytes_received\":" + std::to_string(e.recv);
    s += "}}";
  }
  return s;
}

bool writeFile(const std::string &path, const std::string &text) {
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f)
    return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

} // namespace

//===----------------------------------------------------------------------===//
// Internal interface
//===----------------------------------------------------------------------===//

void dlrt::detail::traceInit(bool recordEvents) {
  T.recordEvents = recordEvents;
  T.origin = now();
}

void dlrt::detail::spanBegin(const char *name) {
  T.stack.push_back({intern(name ? name : "(null)"), now()});
}

void dlrt::detail::spanEnd(const char *category, int64_t sent, int64_t recv) {
  if (T.stack.empty())
    fatal("dlrt_trace_end without a matching dlrt_trace_begin");
  double end = now();
  OpenSpan s = T.stack.back();
  T.stack.pop_back();
  T.counts[s.nameId] += 1;
  T.times[s.nameId] += end - s.begin;
  if (T.recordEvents)
    T.events.push_back({s.nameId, static_cast<int>(T.stack.size()), s.begin,
                        end, category, sent, recv});
}

void dlrt::detail::traceFinalize(const std::string &tracePath,
                                 const std::string &statsPath) {
  if (!T.stack.empty())
    std::fprintf(stderr,
                 "dlrt: rank %d: warning: %zu trace span(s) still "
                 "open at finalize\n",
                 worldRank(), T.stack.size());
  // Both gathers are collective; every rank knows the paths from argv.
  if (!tracePath.empty()) {
    std::vector<std::string> all =
        gatherStrings(traceJson(), "finalize (gathering the trace)");
    if (worldRank() == 0) {
      std::string text = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
      for (size_t i = 0; i < all.size(); ++i)
        text += (i ? ",\n" : "") + all[i];
      text += "\n]}\n";
      if (!writeFile(tracePath, text))
        fatal("cannot write trace file '%s'", tracePath.c_str());
    }
  }
  if (!statsPath.empty()) {
    std::vector<std::string> all =
        gatherStrings(statsJson(), "finalize (gathering the stats)");
    if (worldRank() == 0) {
      std::string text =
          "{\"world_size\":" + std::to_string(worldSize()) + ",\"ranks\":[\n";
      for (size_t i = 0; i < all.size(); ++i)
        text += (i ? ",\n" : "") + all[i];
      text += "\n]}\n";
      if (!writeFile(statsPath, text))
        fatal("cannot write stats file '%s'", statsPath.c_str());
    }
  }
}

//===----------------------------------------------------------------------===//
// C ABI
//===----------------------------------------------------------------------===//

extern "C" void dlrt_trace_begin(const char *name) { spanBegin(name); }

extern "C" void dlrt_trace_end(void) { spanEnd("op", 0, 0); }

extern "C" void dlrt_print_stats_line(void) {
  std::string s = statsJson();
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

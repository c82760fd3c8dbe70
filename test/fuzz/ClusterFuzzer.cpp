//===- ClusterFuzzer.cpp - Fuzz the cluster YAML reader -------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Parses the input as a YAML cluster file. A rejected file must come with
// a `NAME:LINE:COL: error:` message; an accepted one must validate, survive
// the round trip through `#dl.cluster`, and answer every route query.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"
#include "lib/Cluster/ClusterModel.h"
#include <cmath>

using namespace mlir;
using namespace mlir::dl;

[[noreturn]] static void fail(const char *what, const std::string &detail) {
  dl_fuzz::fail("cluster", what, detail);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  std::string error;
  std::optional<Cluster> cluster = parseClusterYaml(text, "fuzz.yaml", error);
  if (!cluster) {
    if (llvm::StringRef(error).find("fuzz.yaml:") == llvm::StringRef::npos ||
        error.find("error:") == std::string::npos)
      fail("rejected without a located error", error);
    return 0;
  }
  std::string invalid = cluster->validate();
  if (!invalid.empty())
    fail("accepted a cluster that does not validate", invalid);
  // Route queries are quadratic; the reader caps nothing, keep this bounded.
  if (cluster->size() <= 64) {
    for (int64_t i = 0; i < cluster->size(); ++i)
      for (int64_t j = 0; j < cluster->size(); ++j) {
        ClusterRoute r = cluster->route(i, j);
        if (r.hops < 0 || std::isnan(r.bandwidth) || std::isnan(r.latency) ||
            (i != j && r.hops == 0))
          fail("bad route", std::to_string(i) + " -> " + std::to_string(j));
      }
  }
  Cluster back = Cluster::fromAttr(cluster->toAttr(&dl_fuzz::context()));
  if (back.size() != cluster->size() ||
      back.links.size() != cluster->links.size())
    fail("#dl.cluster round trip changed the cluster", cluster->name);
  return 0;
}

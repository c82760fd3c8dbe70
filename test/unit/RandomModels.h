//===- RandomModels.h - Random layer graphs for tests -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Random small layer graphs and clusters shared by the search property test
// (driven by a seeded std::mt19937) and the search fuzz target (driven by
// the fuzzer's bytes): every choice goes through a Chooser.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TEST_UNIT_RANDOMMODELS_H
#define DL_TEST_UNIT_RANDOMMODELS_H

#include "lib/Cluster/ClusterModel.h"
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace dl_test {

/// Where the random choices come from.
class Chooser {
public:
  virtual ~Chooser() = default;
  /// An integer in [lo, hi].
  virtual int64_t pick(int64_t lo, int64_t hi) = 0;
  /// A real in [lo, hi).
  virtual double uniform(double lo, double hi) = 0;
};

/// Choices from a pseudo-random generator.
class RngChooser : public Chooser {
public:
  explicit RngChooser(std::mt19937 &rng) : rng(rng) {}
  int64_t pick(int64_t lo, int64_t hi) override {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  double uniform(double lo, double hi) override {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }

private:
  std::mt19937 &rng;
};

inline std::string typeOf(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + "f32>";
}

/// A random model (a chain, or with `dag` a graph with residual adds and
/// concat branches) of `minLayers`-`maxLayers` dense or conv/pool layers:
/// returns its MLIR text.
inline std::string randomModel(Chooser &choose, bool dag, int64_t minLayers = 2,
                               int64_t maxLayers = 4) {
  auto pick = [&](int64_t lo, int64_t hi) { return choose.pick(lo, hi); };
  std::string body, params;
  int64_t layers = pick(minLayers, maxLayers);
  bool maps = pick(0, 1);
  std::vector<int64_t> shape;
  if (maps)
    shape = {1, pick(1, 2) * 2, 8, 8};
  else
    shape = {pick(1, 2) * 2, pick(2, 4) * 2};
  std::vector<std::pair<std::string, std::vector<int64_t>>> values = {
      {"%x", shape}};
  std::string argType = typeOf(shape);
  int paramId = 0;
  for (int64_t i = 0; i < layers; ++i) {
    auto [cur, s] = values.back();
    std::string res = "%v" + std::to_string(i);
    std::vector<int64_t> out = s;
    int64_t kind = pick(0, dag ? 3 : 1);
    // Residual/concat partners: an earlier value (not the current one).
    if (kind >= 2 && values.size() >= 2) {
      auto partner = values[pick(0, values.size() - 2)];
      if (kind == 2 && partner.second == s) {
        body += "    " + res + " = dl.add " + cur + ", " + partner.first +
                " : " + typeOf(s) + "\n";
        values.push_back({res, out});
        continue;
      }
      if (kind == 3 && partner.second.size() == s.size() &&
          s[1] + partner.second[1] <= 64) {
        bool same = true;
        for (size_t d = 0; d < s.size(); ++d)
          if (d != 1 && partner.second[d] != s[d])
            same = false;
        if (same) {
          out[1] = s[1] + partner.second[1];
          body += "    " + res + " = dl.concat " + cur + ", " + partner.first +
                  " {axis = 1 : i64} : (" + typeOf(s) + ", " +
                  typeOf(partner.second) + ") -> " + typeOf(out) + "\n";
          values.push_back({res, out});
          continue;
        }
      }
    }
    if (kind == 1 || kind >= 2) {
      if (maps && s[2] >= 4 && pick(0, 1)) {
        out[2] /= 2;
        out[3] /= 2;
        body += "    " + res + " = dl.pool2d max " + cur +
                " {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : " +
                typeOf(s) + " -> " + typeOf(out) + "\n";
      } else {
        body += "    " + res + " = dl.relu " + cur + " : " + typeOf(s) + "\n";
      }
      values.push_back({res, out});
      continue;
    }
    std::string w = "%w" + std::to_string(paramId);
    std::string b = "%b" + std::to_string(paramId);
    std::string pname = "p" + std::to_string(paramId++);
    if (maps) {
      out[1] = pick(1, 3) * 2;
      std::vector<int64_t> ws = {out[1], s[1], 3, 3};
      params +=
          "    " + w + " = dl.param \"" + pname + ".w\" : " + typeOf(ws) + "\n";
      params += "    " + b + " = dl.param \"" + pname +
                ".b\" : " + typeOf({out[1]}) + "\n";
      body += "    " + res + " = dl.conv2d " + cur + ", " + w + ", " + b +
              " {padding = array<i64: 1, 1, 1, 1>} : (" + typeOf(s) + ", " +
              typeOf(ws) + ", " + typeOf({out[1]}) + ") -> " + typeOf(out) +
              "\n";
    } else {
      out[1] = pick(1, 4) * 2;
      std::vector<int64_t> ws = {out[1], s[1]};
      params +=
          "    " + w + " = dl.param \"" + pname + ".w\" : " + typeOf(ws) + "\n";
      params += "    " + b + " = dl.param \"" + pname +
                ".b\" : " + typeOf({out[1]}) + "\n";
      body += "    " + res + " = dl.dense " + cur + ", " + w + ", " + b +
              " : (" + typeOf(s) + ", " + typeOf(ws) + ", " + typeOf({out[1]}) +
              ") -> " + typeOf(out) + "\n";
    }
    values.push_back({res, out});
  }
  auto [last, lastShape] = values.back();
  return "module {\n  func.func @main(%x: " + argType + ") -> " +
         typeOf(lastShape) + " {\n" + params + body + "    return " + last +
         " : " + typeOf(lastShape) + "\n  }\n}\n";
}

/// A cluster of `n` devices of random speeds on a switched or shared
/// network.
inline mlir::dl::Cluster randomCluster(Chooser &choose, int64_t n) {
  using namespace mlir::dl;
  auto uni = [&](double lo, double hi) { return choose.uniform(lo, hi); };
  Cluster c;
  c.name = "random";
  c.topology = uni(0, 1) < 0.5 ? Topology::full : Topology::shared;
  c.bandwidth = std::pow(10.0, uni(5, 9));
  c.latency = std::pow(10.0, uni(-6, -3));
  for (int64_t i = 0; i < n; ++i) {
    ClusterDevice d;
    d.name = "d" + std::to_string(i);
    d.flops = std::pow(10.0, uni(6, 9));
    d.memBw = std::pow(10.0, uni(7, 10));
    d.memory = 1 << 30;
    d.powerActive = uni(2, 8);
    d.powerIdle = uni(0.5, 2);
    c.devices.push_back(d);
  }
  return c;
}

/// A random candidate for every node of a search problem (one per fused
/// group: -1 inside it).
template <typename Problem>
std::vector<int> randomChoice(const Problem &problem, std::mt19937 &rng) {
  std::vector<int> choice(problem.nodes.size(), -1);
  for (size_t i = 0; i < choice.size();) {
    int k = std::uniform_int_distribution<int>(
        0, problem.nodes[i].cands.size() - 1)(rng);
    choice[i] = k;
    i += problem.nodes[i].cands[k].span;
  }
  return choice;
}

} // namespace dl_test

#endif // DL_TEST_UNIT_RANDOMMODELS_H

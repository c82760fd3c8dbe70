//===- SortedSmallMap.h - A small map kept as a sorted vector -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The per-device byte and message counts of a communication step have a
// handful of keys (the devices of one collective). A std::map allocates a
// node per key; this keeps the entries sorted by key in a SmallVector, so a
// step of up to N devices allocates nothing, while iteration order, lookup
// and `m[k] += v` behave as with std::map. (llvm::SmallMapVector iterates in
// insertion order, which would change the order sums are taken in.)
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_COST_SORTEDSMALLMAP_H
#define DL_LIB_COST_SORTEDSMALLMAP_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"
#include <utility>

namespace mlir::dl::cost {

template <typename K, typename V, unsigned N = 4>
class SortedSmallMap {
public:
  using value_type = std::pair<K, V>;
  using Storage = llvm::SmallVector<value_type, N>;
  using iterator = typename Storage::iterator;
  using const_iterator = typename Storage::const_iterator;

  SortedSmallMap() = default;
  SortedSmallMap(const SortedSmallMap &) = default;
  SortedSmallMap &operator=(const SortedSmallMap &) = default;
  // Moves do not throw (SmallVector's move allocates nothing), so a
  // std::vector of steps moves them when it grows instead of copying.
  SortedSmallMap(SortedSmallMap &&o) noexcept : entries(std::move(o.entries)) {}
  SortedSmallMap &operator=(SortedSmallMap &&o) noexcept {
    entries = std::move(o.entries);
    return *this;
  }

  iterator begin() { return entries.begin(); }
  iterator end() { return entries.end(); }
  const_iterator begin() const { return entries.begin(); }
  const_iterator end() const { return entries.end(); }
  size_t size() const { return entries.size(); }
  bool empty() const { return entries.empty(); }

  iterator find(const K &key) {
    iterator it = lowerBound(key);
    return it != end() && it->first == key ? it : end();
  }
  const_iterator find(const K &key) const {
    const_iterator it = lowerBound(key);
    return it != end() && it->first == key ? it : end();
  }
  size_t count(const K &key) const { return find(key) != end(); }

  /// The value of `key`, value-initialised on first use (as std::map).
  V &operator[](const K &key) {
    iterator it = lowerBound(key);
    if (it == end() || it->first != key)
      it = entries.insert(it, value_type(key, V()));
    return it->second;
  }

  /// The value of `key`, which must be present.
  const V &at(const K &key) const {
    const_iterator it = find(key);
    if (it == end())
      llvm::report_fatal_error("SortedSmallMap::at: no such key");
    return it->second;
  }

  /// Removes `key`; returns how many entries went (0 or 1).
  size_t erase(const K &key) {
    iterator it = find(key);
    if (it == end())
      return 0;
    entries.erase(it);
    return 1;
  }

private:
  /// The first entry whose key is not below `key`, in `e` (const or not).
  template <typename StorageT>
  static auto lowerBoundIn(StorageT &e, const K &key) {
    return llvm::lower_bound(
        e, key, [](const value_type &v, const K &k) { return v.first < k; });
  }
  iterator lowerBound(const K &key) { return lowerBoundIn(entries, key); }
  const_iterator lowerBound(const K &key) const {
    return lowerBoundIn(entries, key);
  }

  Storage entries;
};

} // namespace mlir::dl::cost

#endif // DL_LIB_COST_SORTEDSMALLMAP_H

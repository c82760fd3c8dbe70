//===- Format.h - Weight-file and .npy formats for dlrt ---------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// C++ API of the `dlrt_format` library: the DLW1 weight-file writer and
/// reader (docs/weights-format.md) and a float32 .npy reader/writer. This
/// library depends on nothing but the C++ standard library and POSIX, so the
/// compiler can link it to write weight shards.
///
//===----------------------------------------------------------------------===//

#ifndef DLRT_RUNTIME_FORMAT_H
#define DLRT_RUNTIME_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dlrt {
namespace format {

/// Magic bytes at the start of a weight file.
constexpr char kWeightMagic[4] = {'D', 'L', 'W', '1'};
/// Current weight-file version.
constexpr uint32_t kWeightVersion = 1;
/// Alignment of every tensor's data, in bytes.
constexpr uint64_t kWeightAlignment = 64;
/// dtype code of float32.
constexpr uint32_t kDTypeF32 = 0;

/// FNV-1a 64-bit hash of `size` bytes.
uint64_t fnv1a64(const void *data, size_t size);

/// Collects tensors and writes them as one DLW1 file.
class WeightWriter {
public:
  /// Adds a float32 tensor; `data` holds product(shape) floats and is
  /// copied.
  void add(const std::string &name, const std::vector<int64_t> &shape,
           const float *data);

  /// Writes the file. Returns false and sets `error` on failure (duplicate
  /// or empty names, negative dims, I/O errors).
  bool write(const std::string &path, std::string &error) const;

  size_t size() const { return tensors.size(); }

private:
  struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> data;
  };
  std::vector<Tensor> tensors;
};

/// Describes one tensor of an opened weight file.
struct WeightTensor {
  std::string name;
  uint32_t dtype = kDTypeF32;
  std::vector<int64_t> shape;
  uint64_t offset = 0;
  uint64_t nbytes = 0;
  uint64_t checksum = 0;
  const float *data = nullptr;
};

/// Read-only, memory-mapped view of a DLW1 file.
class WeightReader {
public:
  WeightReader() = default;
  ~WeightReader();
  WeightReader(const WeightReader &) = delete;
  WeightReader &operator=(const WeightReader &) = delete;

  /// Maps and validates `path` (magic, version, bounds, alignment, sizes
  /// against shapes and, if verifyChecksums, FNV-1a checksums). Returns
  /// false and sets `error` (naming the file and tensor) on failure.
  bool open(const std::string &path, std::string &error,
            bool verifyChecksums = true);

  /// Unmaps the file.
  void close();

  /// Returns the tensor called `name` or nullptr.
  const WeightTensor *find(const std::string &name) const;

  const std::vector<WeightTensor> &tensors() const { return entries; }
  const std::string &path() const { return filePath; }

private:
  std::string filePath;
  void *mapping = nullptr;
  size_t mappingSize = 0;
  std::vector<WeightTensor> entries;
};

/// A float32 array loaded from a .npy file.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Reads a little-endian float32 ('<f4'), C-order .npy file (versions 1.0,
/// 2.0 and 3.0). Returns false and sets `error` on failure.
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// Writes a version 1.0 '<f4' C-order .npy file. Returns false and sets
/// `error` on failure.
bool writeNpy(const std::string &path, const float *data,
              const std::vector<int64_t> &shape, std::string &error);

/// Number of elements of `shape` (1 for rank 0); -1 on a negative dim or
/// overflow.
int64_t numElements(const std::vector<int64_t> &shape);

} // namespace format
} // namespace dlrt

#endif // DLRT_RUNTIME_FORMAT_H

//===- Weights.cpp - DLW1 weight-file writer and reader ---------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Implements dlrt::format::WeightWriter and WeightReader. The layout is
/// described in docs/weights-format.md. All integers are little-endian.
///
//===----------------------------------------------------------------------===//

#include "Format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace dlrt::format;

uint64_t dlrt::format::fnv1a64(const void *data, size_t size) {
  const unsigned char *p = static_cast<const unsigned char *>(data);
  uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a 64 offset basis.
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL; // FNV-1a 64 prime.
  }
  return h;
}

int64_t dlrt::format::numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return -1;
    n *= d;
  }
  return n;
}

namespace {
template <typename T>
void put(std::string &buf, T v) {
  buf.append(reinterpret_cast<const char *>(&v), sizeof(T));
}

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/// Bounds-checked little-endian cursor over the mapped header.
struct Cursor {
  const unsigned char *base;
  uint64_t size;
  uint64_t pos = 0;
  bool ok = true;
  template <typename T>
  T get() {
    T v{};
    if (!ok || size - pos < sizeof(T) || pos > size) {
      ok = false;
      return v;
    }
    std::memcpy(&v, base + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
};
} // namespace

void WeightWriter::add(const std::string &name,
                       const std::vector<int64_t> &shape, const float *data) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  int64_t n = numElements(shape);
  if (n > 0)
    t.data.assign(data, data + n);
  tensors.push_back(std::move(t));
}

bool WeightWriter::write(const std::string &path, std::string &error) const {
  std::set<std::string> names;
  for (const Tensor &t : tensors) {
    if (t.name.empty()) {
      error = "weight tensor with an empty name";
      return false;
    }
    if (!names.insert(t.name).second) {
      error = "duplicate weight tensor name '" + t.name + "'";
      return false;
    }
    if (numElements(t.shape) < 0) {
      error = "invalid shape for weight tensor '" + t.name + "'";
      return false;
    }
  }
  // Header size first, so that data offsets can be assigned.
  uint64_t headerSize = 4 + 4 + 8;
  for (const Tensor &t : tensors)
    headerSize += 4 + t.name.size() + 4 + 4 + 8 * t.shape.size() + 8 * 3;
  std::vector<uint64_t> offsets;
  uint64_t cursor = alignUp(headerSize, kWeightAlignment);
  for (const Tensor &t : tensors) {
    offsets.push_back(cursor);
    cursor = alignUp(cursor + t.data.size() * sizeof(float), kWeightAlignment);
  }

  std::string header;
  header.append(kWeightMagic, 4);
  put<uint32_t>(header, kWeightVersion);
  put<uint64_t>(header, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor &t = tensors[i];
    put<uint32_t>(header, static_cast<uint32_t>(t.name.size()));
    header.append(t.name);
    put<uint32_t>(header, kDTypeF32);
    put<uint32_t>(header, static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape)
      put<int64_t>(header, d);
    uint64_t nbytes = t.data.size() * sizeof(float);
    put<uint64_t>(header, offsets[i]);
    put<uint64_t>(header, nbytes);
    put<uint64_t>(header, fnv1a64(t.data.data(), nbytes));
  }

  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  uint64_t written = header.size();
  static const char zeros[kWeightAlignment] = {};
  for (size_t i = 0; ok && i < tensors.size(); ++i) {
    uint64_t pad = offsets[i] - written;
    ok = std::fwrite(zeros, 1, pad, f) == pad;
    uint64_t nbytes = tensors[i].data.size() * sizeof(float);
    if (ok && nbytes)
      ok = std::fwrite(tensors[i].data.data(), 1, nbytes, f) == nbytes;
    written = offsets[i] + nbytes;
  }
  if (std::fclose(f) != 0)
    ok = false;
  if (!ok) {
    error = "error writing '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

WeightReader::~WeightReader() { close(); }

void WeightReader::close() {
  if (mapping)
    munmap(mapping, mappingSize);
  mapping = nullptr;
  mappingSize = 0;
  entries.clear();
}

bool WeightReader::open(const std::string &path, std::string &error,
                        bool verifyChecksums) {
  close();
  filePath = path;
  auto fail = [&](const std::string &msg) {
    error = "weight file '" + path + "': " + msg;
    close();
    return false;
  };
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return fail(std::string("cannot stat: ") + std::strerror(errno));
  }
  uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  if (fileSize < 16) {
    ::close(fd);
    return fail("file too small (" + std::to_string(fileSize) +
                " bytes) for a DLW1 header");
  }
  void *m = mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED)
    return fail(std::string("mmap failed: ") + std::strerror(errno));
  mapping = m;
  mappingSize = fileSize;

  Cursor cur{static_cast<const unsigned char *>(m), fileSize};
  if (std::memcmp(m, kWeightMagic, 4) != 0)
    return fail("bad magic (expected 'DLW1')");
  cur.pos = 4;
  uint32_t version = cur.get<uint32_t>();
  if (version != kWeightVersion)
    return fail("unsupported version " + std::to_string(version));
  uint64_t count = cur.get<uint64_t>();
  // Each entry needs at least 36 bytes.
  if (count > fileSize / 36)
    return fail("tensor count " + std::to_string(count) +
                " does not fit the file size");
  std::set<std::string> names;
  for (uint64_t i = 0; i < count; ++i) {
    WeightTensor t;
    std::string which = "tensor #" + std::to_string(i);
    uint32_t nameLen = cur.get<uint32_t>();
    if (!cur.ok || nameLen > fileSize - cur.pos)
      return fail("truncated header at " + which);
    t.name.assign(reinterpret_cast<const char *>(cur.base + cur.pos), nameLen);
    cur.pos += nameLen;
    which = "tensor '" + t.name + "'";
    t.dtype = cur.get<uint32_t>();
    uint32_t rank = cur.get<uint32_t>();
    if (!cur.ok || rank > 64)
      return fail("bad rank in " + which);
    for (uint32_t r = 0; r < rank; ++r)
      t.shape.push_back(cur.get<int64_t>());
    t.offset = cur.get<uint64_t>();
    t.nbytes = cur.get<uint64_t>();
    t.checksum = cur.get<uint64_t>();
    if (!cur.ok)
      return fail("truncated header at " + which);
    if (!names.insert(t.name).second)
      return fail("duplicate " + which);
    if (t.dtype != kDTypeF32)
      return fail("unsupported dtype " + std::to_string(t.dtype) + " in " +
                  which);
    int64_t elems = numElements(t.shape);
    if (elems < 0 || static_cast<uint64_t>(elems) * sizeof(float) != t.nbytes)
      return fail("byte size " + std::to_string(t.nbytes) +
                  " does not match the shape of " + which);
    if (t.offset % kWeightAlignment != 0)
      return fail("data offset " + std::to_string(t.offset) + " of " + which +
                  " is not 64-byte aligned");
    if (t.offset > fileSize || t.nbytes > fileSize - t.offset)
      return fail("data of " + which + " (offset " + std::to_string(t.offset) +
                  ", " + std::to_string(t.nbytes) +
                  " bytes) extends past the end of the file (" +
                  std::to_string(fileSize) + " bytes)");
    t.data = reinterpret_cast<const float *>(cur.base + t.offset);
    entries.push_back(std::move(t));
  }
  for (const WeightTensor &t : entries) {
    if (t.offset < cur.pos && t.nbytes != 0)
      return fail("data of tensor '" + t.name + "' overlaps the header");
    if (verifyChecksums && fnv1a64(t.data, t.nbytes) != t.checksum)
      return fail("checksum mismatch in tensor '" + t.name +
                  "' (file corrupt?)");
  }
  return true;
}

const WeightTensor *WeightReader::find(const std::string &name) const {
  for (const WeightTensor &t : entries)
    if (t.name == name)
      return &t;
  return nullptr;
}

//===- Npy.cpp - float32 .npy reader and writer -----------------*- C++ -*-===//
//
// Part of the dl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Implements dlrt::format::readNpy / writeNpy for little-endian float32
/// C-order arrays (the NumPy .npy format, versions 1.0 to 3.0 on read,
/// 1.0 on write).
///
//===----------------------------------------------------------------------===//

#include "Format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace dlrt::format;

namespace {
struct FileCloser {
  void operator()(FILE *f) const {
    if (f)
      std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

/// Returns the text after `'key':` in the header dict, or npos.
size_t findKey(const std::string &header, const std::string &key) {
  for (const char *q : {"'", "\""}) {
    size_t p = header.find(q + key + q);
    if (p == std::string::npos)
      continue;
    p = header.find(':', p);
    if (p == std::string::npos)
      return p;
    ++p;
    while (p < header.size() && header[p] == ' ')
      ++p;
    return p;
  }
  return std::string::npos;
}
} // namespace

bool dlrt::format::readNpy(const std::string &path, NpyArray &out,
                           std::string &error) {
  auto fail = [&](const std::string &msg) {
    error = "npy file '" + path + "': " + msg;
    return false;
  };
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  unsigned char pre[8];
  if (std::fread(pre, 1, 8, f.get()) != 8 ||
      std::memcmp(pre, "\x93NUMPY", 6) != 0)
    return fail("bad magic (not a .npy file)");
  uint8_t major = pre[6];
  uint64_t headerLen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (std::fread(b, 1, 2, f.get()) != 2)
      return fail("truncated header");
    headerLen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (std::fread(b, 1, 4, f.get()) != 4)
      return fail("truncated header");
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint64_t(b[3]) << 24);
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (headerLen > (1u << 24))
    return fail("header too large");
  std::string header(headerLen, '\0');
  if (std::fread(&header[0], 1, headerLen, f.get()) != headerLen)
    return fail("truncated header");

  size_t p = findKey(header, "descr");
  if (p == std::string::npos)
    return fail("header has no 'descr'");
  std::string descr = header.substr(p, 5);
  if (descr != "'<f4'" && descr != "\"<f4\"")
    return fail("unsupported dtype " + header.substr(p, 6) +
                " (only little-endian float32 '<f4' is supported)");
  p = findKey(header, "fortran_order");
  if (p == std::string::npos)
    return fail("header has no 'fortran_order'");
  if (header.compare(p, 5, "False") != 0)
    return fail("Fortran-order arrays are not supported");
  p = findKey(header, "shape");
  if (p == std::string::npos || header[p] != '(')
    return fail("header has no 'shape' tuple");
  size_t end = header.find(')', p);
  if (end == std::string::npos)
    return fail("malformed 'shape'");
  out.shape.clear();
  std::string tuple = header.substr(p + 1, end - p - 1);
  size_t i = 0;
  while (i < tuple.size()) {
    while (i < tuple.size() && (tuple[i] == ' ' || tuple[i] == ','))
      ++i;
    if (i >= tuple.size())
      break;
    char *endp = nullptr;
    long long v = std::strtoll(tuple.c_str() + i, &endp, 10);
    if (endp == tuple.c_str() + i || v < 0)
      return fail("malformed 'shape' (" + tuple + ")");
    out.shape.push_back(v);
    i = endp - tuple.c_str();
    while (i < tuple.size() && tuple[i] == 'L')
      ++i;
  }
  int64_t n = numElements(out.shape);
  if (n < 0)
    return fail("invalid shape");
  long dataStart = std::ftell(f.get());
  std::fseek(f.get(), 0, SEEK_END);
  long fileSize = std::ftell(f.get());
  std::fseek(f.get(), dataStart, SEEK_SET);
  if (static_cast<uint64_t>(fileSize - dataStart) <
      static_cast<uint64_t>(n) * sizeof(float))
    return fail("file is too short for shape (" + tuple + ")");
  out.data.resize(n);
  if (n && std::fread(out.data.data(), sizeof(float), n, f.get()) !=
               static_cast<size_t>(n))
    return fail("short read");
  return true;
}

bool dlrt::format::writeNpy(const std::string &path, const float *data,
                            const std::vector<int64_t> &shape,
                            std::string &error) {
  int64_t n = numElements(shape);
  if (n < 0) {
    error = "npy file '" + path + "': invalid shape";
    return false;
  }
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size())
      dict += ",";
    if (i + 1 < shape.size())
      dict += " ";
  }
  dict += "), }";
  // Pad so that magic(6) + version(2) + len(2) + header is a multiple of 64;
  // the header ends with '\n'.
  size_t total = 10 + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  if (dict.size() > 65535) {
    error = "npy file '" + path + "': header too long for version 1.0";
    return false;
  }
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) {
    error = "npy file '" + path +
            "': cannot open for writing: " + std::strerror(errno);
    return false;
  }
  unsigned char pre[10] = {0x93,
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           static_cast<unsigned char>(dict.size() & 0xff),
                           static_cast<unsigned char>(dict.size() >> 8)};
  bool ok = std::fwrite(pre, 1, 10, f.get()) == 10 &&
            std::fwrite(dict.data(), 1, dict.size(), f.get()) == dict.size();
  if (ok && n)
    ok = std::fwrite(data, sizeof(float), n, f.get()) == static_cast<size_t>(n);
  FILE *raw = f.release();
  if (std::fclose(raw) != 0)
    ok = false;
  if (!ok) {
    error = "npy file '" + path + "': write failed: " + std::strerror(errno);
    return false;
  }
  return true;
}

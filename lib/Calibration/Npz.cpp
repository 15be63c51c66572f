//===- Npz.cpp - reading NumPy .npz calibration sets ----------------------===//
//
// A .npz is a zip archive of .npy files (NumPy's format 1.0-3.0). np.savez stores them
// (method 0), np.savez_compressed deflates them (method 8); NumPy writes zip64 extra
// fields (force_zip64), so sizes and offsets are read from them when present.
//
//===----------------------------------------------------------------------===//
#include "qcc/Calibration/Calibration.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <zlib.h>

using namespace mlir;
using namespace mlir::qcc;

namespace {

uint16_t le16(const unsigned char *p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char *p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
uint64_t le64(const unsigned char *p) { return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32); }

/// Parses one .npy file's bytes.
bool parseNpy(llvm::StringRef name, llvm::StringRef bytes, NpyArray &out, std::string &error) {
  auto fail = [&](const llvm::Twine &why) {
    error = ("array '" + name + "': " + why).str();
    return false;
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fail("not a .npy file");
  auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
  unsigned major = p[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = le16(p + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    headerLen = le32(p + 8);
    headerStart = 12;
  } else {
    return fail("unknown .npy version " + llvm::Twine(major));
  }
  if (headerStart + headerLen > bytes.size())
    return fail("truncated header");
  llvm::StringRef header = bytes.substr(headerStart, headerLen);
  auto valueOf = [&](llvm::StringRef key) -> llvm::StringRef {
    size_t k = header.find(("'" + key + "'").str());
    if (k == llvm::StringRef::npos)
      return {};
    llvm::StringRef rest = header.substr(k + key.size() + 2).ltrim();
    if (!rest.consume_front(":"))
      return {};
    return rest.ltrim();
  };
  llvm::StringRef descr = valueOf("descr");
  if (!descr.consume_front("'"))
    return fail("no dtype in the header");
  descr = descr.take_until([](char c) { return c == '\''; });
  if (valueOf("fortran_order").starts_with("True"))
    return fail("Fortran-ordered arrays are not supported (use np.ascontiguousarray)");
  llvm::StringRef shape = valueOf("shape");
  if (!shape.consume_front("("))
    return fail("no shape in the header");
  shape = shape.take_until([](char c) { return c == ')'; });
  out.shape.clear();
  llvm::SmallVector<llvm::StringRef> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef d : dims) {
    d = d.trim();
    if (d.empty())
      continue;
    int64_t v;
    if (d.getAsInteger(10, v) || v < 0)
      return fail("bad shape '" + shape + "'");
    out.shape.push_back(v);
  }
  // The element count, without overflow: it cannot exceed the bytes there are.
  int64_t count = 1;
  if (llvm::is_contained(out.shape, 0))
    count = 0;
  else
    for (int64_t v : out.shape) {
      if (count > static_cast<int64_t>(bytes.size()) / v)
        return fail("holds fewer bytes than its shape needs");
      count *= v;
    }
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return fail("dtype '" + descr + "' is not little-endian; supported: float32, float64, "
                                    "(u)int8/16/32/64");
  char kind = descr[1];
  unsigned size;
  if (descr.substr(2).getAsInteger(10, size) || !(kind == 'f' || kind == 'i' || kind == 'u') ||
      !(size == 1 || size == 2 || size == 4 || size == 8) || (kind == 'f' && size < 4))
    return fail("dtype '" + descr + "' is not supported; supported: float32, float64, "
                                    "(u)int8/16/32/64");
  const unsigned char *data = p + headerStart + headerLen;
  if (static_cast<uint64_t>(count) * size > bytes.size() - headerStart - headerLen)
    return fail("holds fewer bytes than its shape needs");
  out.data.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    const unsigned char *e = data + i * size;
    double v = 0;
    if (kind == 'f') {
      if (size == 4) {
        float f;
        std::memcpy(&f, e, 4);
        v = f;
      } else {
        std::memcpy(&v, e, 8);
      }
    } else {
      uint64_t u = size == 1 ? e[0] : size == 2 ? le16(e) : size == 4 ? le32(e) : le64(e);
      if (kind == 'i') {
        int64_t s = static_cast<int64_t>(u << (64 - 8 * size)) >> (64 - 8 * size);
        v = static_cast<double>(s);
      } else {
        v = static_cast<double>(u);
      }
    }
    out.data[i] = static_cast<float>(v);
  }
  return true;
}

} // namespace

bool mlir::qcc::readNpz(llvm::StringRef path, std::map<std::string, NpyArray> &arrays,
                        std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file) {
    error = "cannot read '" + path.str() + "': " + file.getError().message();
    return false;
  }
  return readNpzBuffer((*file)->getBuffer(), path, arrays, error);
}

bool mlir::qcc::readNpzBuffer(llvm::StringRef zip, llvm::StringRef path,
                              std::map<std::string, NpyArray> &arrays, std::string &error) {
  auto *base = reinterpret_cast<const unsigned char *>(zip.data());
  auto fail = [&](const llvm::Twine &why) {
    error = ("'" + path + "' is not a NumPy .npz archive: " + why).str();
    return false;
  };
  // [offset, offset + length) lies in the file (no overflow for any 64-bit field).
  auto fits = [&](uint64_t offset, uint64_t length) {
    return offset <= zip.size() && length <= zip.size() - offset;
  };
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  if (zip.size() < 22)
    return fail("too short");
  size_t eocd = llvm::StringRef::npos;
  for (size_t i = zip.size() - 22 + 1; i-- > 0 && zip.size() - i <= 65557;)
    if (le32(base + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == llvm::StringRef::npos)
    return fail("no zip end-of-central-directory record");
  uint64_t entries = le16(base + eocd + 10);
  uint64_t cdOffset = le32(base + eocd + 16);
  if (cdOffset == 0xFFFFFFFFu || entries == 0xFFFF) {
    // zip64: the locator just before the EOCD points at the zip64 EOCD record.
    if (eocd < 20 || le32(base + eocd - 20) != 0x07064b50)
      return fail("zip64 locator missing");
    uint64_t z64 = le64(base + eocd - 20 + 8);
    if (!fits(z64, 56) || le32(base + z64) != 0x06064b50)
      return fail("bad zip64 end-of-central-directory record");
    entries = le64(base + z64 + 32);
    cdOffset = le64(base + z64 + 48);
  }
  size_t pos = cdOffset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (!fits(pos, 46) || le32(base + pos) != 0x02014b50)
      return fail("bad central directory");
    unsigned method = le16(base + pos + 10);
    uint64_t compressed = le32(base + pos + 20), uncompressed = le32(base + pos + 24);
    unsigned nameLen = le16(base + pos + 28), extraLen = le16(base + pos + 30),
             commentLen = le16(base + pos + 32);
    uint64_t local = le32(base + pos + 42);
    if (!fits(pos, 46 + uint64_t(nameLen) + extraLen))
      return fail("bad central directory");
    std::string name(zip.substr(pos + 46, nameLen));
    // zip64 extra field: the 0xFFFFFFFF fields, in order.
    const unsigned char *x = base + pos + 46 + nameLen, *xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      unsigned id = le16(x), len = le16(x + 2);
      if (id == 0x0001) {
        const unsigned char *f = x + 4;
        if (uncompressed == 0xFFFFFFFFu && f + 8 <= x + 4 + len)
          uncompressed = le64(f), f += 8;
        if (compressed == 0xFFFFFFFFu && f + 8 <= x + 4 + len)
          compressed = le64(f), f += 8;
        if (local == 0xFFFFFFFFu && f + 8 <= x + 4 + len)
          local = le64(f), f += 8;
      }
      x += 4 + len;
    }
    pos += 46 + nameLen + extraLen + commentLen;
    if (!fits(local, 30) || le32(base + local) != 0x04034b50)
      return fail("bad local header of '" + name + "'");
    uint64_t dataStart = local + 30 + le16(base + local + 26) + le16(base + local + 28);
    if (!fits(dataStart, compressed))
      return fail("'" + name + "' runs past the end of the file");
    std::string bytes;
    if (method == 0) {
      bytes.assign(zip.data() + dataStart, compressed);
    } else if (method == 8) {
      // Deflate expands at most ~1032:1; a larger claim is a corrupt (or hostile) header.
      if (uncompressed > compressed * 1032 + 1024)
        return fail("'" + name + "' claims an impossible uncompressed size");
      bytes.resize(uncompressed);
      z_stream zs{};
      if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return fail("zlib failed");
      zs.next_in = const_cast<unsigned char *>(base + dataStart);
      zs.avail_in = static_cast<uInt>(compressed);
      zs.next_out = reinterpret_cast<unsigned char *>(bytes.data());
      zs.avail_out = static_cast<uInt>(uncompressed);
      int rc = inflate(&zs, Z_FINISH);
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || zs.total_out != uncompressed)
        return fail("'" + name + "' does not inflate");
    } else {
      return fail("'" + name + "' uses zip compression method " + llvm::Twine(method) +
                  " (stored and deflate are supported)");
    }
    llvm::StringRef key(name);
    key.consume_back(".npy");
    NpyArray array;
    if (!parseNpy(key, bytes, array, error))
      return false;
    arrays[key.str()] = std::move(array);
  }
  return true;
}

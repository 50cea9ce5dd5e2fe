#include "dfs/datanode/chunk_format.h"

#include <charconv>

#include "common/coding.h"

namespace mr::dfs {

namespace {
constexpr std::string_view kMagic = "MRCM";

bool ParseInt64(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size() && *v >= 0;
}
}  // namespace

std::string EncodeChunkMeta(const ChunkMeta& meta) {
  std::string out(kMagic);
  PutFixed32(&out, kChunkMetaVersion);
  PutFixed64(&out, meta.length);
  PutFixed32(&out, kChunkSliceBytes);
  for (uint64_t c : meta.checksums) PutFixed64(&out, c);
  return out;
}

Status DecodeChunkMeta(std::string_view bytes, const std::string& what, ChunkMeta* meta) {
  if (bytes.size() < kChunkMetaHeaderBytes || bytes.substr(0, 4) != kMagic) {
    return Status::Corruption(what + ": bad chunk meta header");
  }
  const char* p = bytes.data() + 4;
  if (DecodeFixed32(p) != kChunkMetaVersion) {
    return Status::Corruption(what + ": unknown chunk meta version");
  }
  meta->length = DecodeFixed64(p + 4);
  if (DecodeFixed32(p + 12) != kChunkSliceBytes) {
    return Status::Corruption(what + ": unsupported slice size");
  }
  uint64_t slices = SliceCount(meta->length);
  if ((bytes.size() - kChunkMetaHeaderBytes) / 8 != slices ||
      (bytes.size() - kChunkMetaHeaderBytes) % 8 != 0) {
    return Status::Corruption(what + ": checksum count does not match length");
  }
  meta->checksums.resize(slices);
  for (uint64_t i = 0; i < slices; ++i) {
    meta->checksums[i] = DecodeFixed64(bytes.data() + kChunkMetaHeaderBytes + 8 * i);
  }
  return Status::OK();
}

std::string ChunkDataName(int64_t chunk_id, int64_t generation) {
  return std::to_string(chunk_id) + "_" + std::to_string(generation) + ".data";
}

std::string ChunkMetaName(int64_t chunk_id, int64_t generation) {
  return std::to_string(chunk_id) + "_" + std::to_string(generation) + ".meta";
}

bool ParseChunkFileName(std::string_view name, int64_t* chunk_id, int64_t* generation,
                        ChunkFileKind* kind) {
  size_t dot = name.rfind('.');
  size_t sep = name.find('_');
  if (dot == std::string_view::npos || sep == std::string_view::npos || sep > dot) return false;
  std::string_view ext = name.substr(dot);
  if (ext == ".data") {
    *kind = ChunkFileKind::kData;
  } else if (ext == ".meta") {
    *kind = ChunkFileKind::kMeta;
  } else {
    return false;
  }
  return ParseInt64(name.substr(0, sep), chunk_id) &&
         ParseInt64(name.substr(sep + 1, dot - sep - 1), generation);
}

std::string ChunkName(int64_t chunk_id, int64_t generation) {
  return "chunk " + std::to_string(chunk_id) + " gen " + std::to_string(generation);
}

}  // namespace mr::dfs

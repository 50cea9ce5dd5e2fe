#include "dfs/datanode/chunk_reader.h"

#include <algorithm>

#include "common/hash.h"

namespace mr::dfs {

Result<std::unique_ptr<ChunkReader>> ChunkReader::Open(const ChunkInfo& info,
                                                       const std::string& data_path,
                                                       const std::string& meta_path) {
  std::string name = ChunkName(info.chunk_id, info.generation);
  ASSIGN_OR_RETURN(std::string meta_bytes, ReadFileToString(meta_path));
  ChunkMeta meta;
  RETURN_NOT_OK_PREPEND(DecodeChunkMeta(meta_bytes, meta_path, &meta), name);
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> data, RandomAccessFile::Open(data_path));
  if (meta.length != data->size()) {
    return Status::Corruption(name + ": data file has " + std::to_string(data->size()) +
                              " bytes, meta says " + std::to_string(meta.length));
  }
  ChunkInfo actual = info;
  actual.length = meta.length;
  return std::unique_ptr<ChunkReader>(new ChunkReader(actual, std::move(meta), std::move(data)));
}

Status ChunkReader::Corrupt(const std::string& why) const {
  return Status::Corruption(ChunkName(info_.chunk_id, info_.generation) + ": " + why);
}

Status ChunkReader::Read(uint64_t offset, uint64_t length, std::string* out) const {
  Status s = ReadInto(offset, length, out);
  if (!s.ok()) out->clear();
  return s;
}

Status ChunkReader::ReadInto(uint64_t offset, uint64_t length, std::string* out) const {
  if (offset > info_.length || length > info_.length - offset) {
    return Status::InvalidArgument(ChunkName(info_.chunk_id, info_.generation) +
                                   ": read past end of " + std::to_string(info_.length) +
                                   " bytes");
  }
  if (length == 0) {
    out->clear();
    return Status::OK();
  }
  // Read whole slices so that each can be checked, then trim to the range.
  uint64_t first = offset / kChunkSliceBytes;
  uint64_t last = (offset + length - 1) / kChunkSliceBytes;
  uint64_t begin = first * kChunkSliceBytes;
  uint64_t end = std::min<uint64_t>((last + 1) * kChunkSliceBytes, info_.length);
  // No clear() first: a caller reading piece after piece into one string
  // (read_handler) gets the same size back and no zero-filling of it.
  out->resize(end - begin);
  size_t got = 0;
  RETURN_NOT_OK(data_->Read(begin, end - begin, out->data(), &got));
  if (got != end - begin) return Corrupt("data file truncated");
  for (uint64_t s = first; s <= last; ++s) {
    size_t pos = (s - first) * kChunkSliceBytes;
    size_t n = std::min<uint64_t>(kChunkSliceBytes, end - begin - pos);
    if (Hash64(std::string_view(out->data() + pos, n)) != meta_.checksums[s]) {
      return Corrupt("checksum mismatch in slice " + std::to_string(s));
    }
  }
  out->erase(0, offset - begin);
  out->resize(length);
  return Status::OK();
}

}  // namespace mr::dfs

// Verified reads of one finalized chunk replica.
//
// Open() loads the whole .meta (8 bytes per 64 KiB slice) and keeps both
// files open, so a reader stays valid even if the replica is deleted or
// replaced meanwhile (POSIX keeps unlinked files readable).
// Thread-safety: immutable after Open(); Read() may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "common/file.h"
#include "common/status.h"
#include "dfs/datanode/chunk_format.h"

namespace mr::dfs {

class ChunkReader {
 public:
  // `data_path` and `meta_path` are the replica's final file names.
  static Result<std::unique_ptr<ChunkReader>> Open(const ChunkInfo& info,
                                                   const std::string& data_path,
                                                   const std::string& meta_path);

  // Replaces *out with bytes [offset, offset + length), after checking the
  // checksum of every slice the range touches. Corruption (naming the chunk)
  // on a mismatch; InvalidArgument if the range is past the end.
  Status Read(uint64_t offset, uint64_t length, std::string* out) const;

  const ChunkInfo& info() const { return info_; }

 private:
  ChunkReader(ChunkInfo info, ChunkMeta meta, std::unique_ptr<RandomAccessFile> data)
      : info_(info), meta_(std::move(meta)), data_(std::move(data)) {}

  Status Corrupt(const std::string& why) const;
  // Read() without clearing *out on failure.
  Status ReadInto(uint64_t offset, uint64_t length, std::string* out) const;

  const ChunkInfo info_;
  const ChunkMeta meta_;
  const std::unique_ptr<RandomAccessFile> data_;
};

}  // namespace mr::dfs

// Checksummed, optionally LZ4-compressed block streams: the on-disk format of
// spill files and map outputs (docs/FORMATS.md). A stream is a sequence of
// blocks; each holds whole records, because the writer only cuts between
// Append() calls. A record larger than the block size gets a block of its own.
//
// Block layout (all integers little-endian):
//   magic u32 "MRB1" | codec u8 (0 raw, 1 lz4) | 3 zero bytes |
//   raw_len u32 | stored_len u32 | checksum u64 | payload[stored_len]
// checksum = XXH3_64(payload, seed = XXH3_64(first 16 header bytes)), so a
// flipped bit in the header or the payload is caught.
//
// Thread-safety: writers and readers belong to one thread each.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/file.h"
#include "common/status.h"

namespace mr {

inline constexpr size_t kBlockHeaderBytes = 24;
// Largest raw block we write or accept (LZ4's own input limit is ~2 GiB).
inline constexpr uint32_t kMaxBlockBytes = 0x7E000000;

struct BlockStreamOptions {
  size_t block_bytes = 64 << 10;
  bool compress = true;
};

// Appends blocks to a WritableFile it does not own.
class BlockWriter {
 public:
  BlockWriter(WritableFile* file, BlockStreamOptions options);
  // Buffers `unit`; a block boundary never falls inside one unit.
  Status Append(std::string_view unit);
  // Writes the last partial block. The writer may be reused afterwards.
  Status Finish();
  // Raw (uncompressed) bytes appended since construction.
  uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  Status WriteBlock();

  WritableFile* file_;
  BlockStreamOptions options_;
  std::string raw_;
  std::string compressed_;
  uint64_t raw_bytes_ = 0;
};

// Reads the blocks stored in [offset, offset + length) of a file it does not
// own, verifying each checksum.
class BlockReader {
 public:
  BlockReader(const RandomAccessFile* file, uint64_t offset, uint64_t length);
  // Sets *block to the next block's raw bytes, valid until the next call.
  // Returns OK with *done = true at the end of the range; Corruption on a bad
  // checksum, header or truncation.
  Status Next(std::string_view* block, bool* done);

 private:
  const RandomAccessFile* file_;
  uint64_t pos_;
  uint64_t end_;
  std::string stored_;
  std::string raw_;
};

}  // namespace mr

#include "common/block_stream.h"

#include <lz4.h>

#include <cstring>

#include "common/coding.h"
#include "common/hash.h"

namespace mr {

namespace {
constexpr uint32_t kBlockMagic = 0x3142524d;  // "MRB1" little-endian.
constexpr uint8_t kCodecRaw = 0;
constexpr uint8_t kCodecLz4 = 1;

uint64_t BlockChecksum(const char* header16, std::string_view payload) {
  return Hash64(payload, Hash64(std::string_view(header16, 16)));
}
}  // namespace

BlockWriter::BlockWriter(WritableFile* file, BlockStreamOptions options)
    : file_(file), options_(options) {
  raw_.reserve(options_.block_bytes);
}

Status BlockWriter::Append(std::string_view unit) {
  if (unit.size() > kMaxBlockBytes) {
    return Status::InvalidArgument("record of " + std::to_string(unit.size()) +
                                   " bytes exceeds the 2 GiB record limit");
  }
  if (!raw_.empty() && raw_.size() + unit.size() > options_.block_bytes) {
    RETURN_NOT_OK(WriteBlock());
  }
  raw_.append(unit);
  raw_bytes_ += unit.size();
  if (raw_.size() >= options_.block_bytes) RETURN_NOT_OK(WriteBlock());
  return Status::OK();
}

Status BlockWriter::Finish() {
  if (!raw_.empty()) RETURN_NOT_OK(WriteBlock());
  return Status::OK();
}

Status BlockWriter::WriteBlock() {
  char header[kBlockHeaderBytes] = {};
  std::string_view payload = raw_;
  uint8_t codec = kCodecRaw;
  if (options_.compress) {
    int bound = LZ4_compressBound(static_cast<int>(raw_.size()));
    compressed_.resize(bound);
    int n = LZ4_compress_default(raw_.data(), compressed_.data(), static_cast<int>(raw_.size()),
                                 bound);
    // Keep incompressible blocks raw: reading them back is then a copy.
    if (n > 0 && static_cast<size_t>(n) < raw_.size()) {
      payload = std::string_view(compressed_.data(), n);
      codec = kCodecLz4;
    }
  }
  EncodeFixed32(header, kBlockMagic);
  header[4] = static_cast<char>(codec);
  EncodeFixed32(header + 8, static_cast<uint32_t>(raw_.size()));
  EncodeFixed32(header + 12, static_cast<uint32_t>(payload.size()));
  EncodeFixed64(header + 16, BlockChecksum(header, payload));
  RETURN_NOT_OK(file_->Append(std::string_view(header, kBlockHeaderBytes)));
  RETURN_NOT_OK(file_->Append(payload));
  raw_.clear();
  return Status::OK();
}

BlockReader::BlockReader(const RandomAccessFile* file, uint64_t offset, uint64_t length)
    : file_(file), pos_(offset), end_(offset + length) {}

Status BlockReader::Next(std::string_view* block, bool* done) {
  if (pos_ >= end_) {
    *done = true;
    return Status::OK();
  }
  *done = false;
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(file_->path() + " at offset " + std::to_string(pos_) + ": " + why);
  };
  if (end_ - pos_ < kBlockHeaderBytes) return corrupt("truncated block header");
  char header[kBlockHeaderBytes];
  size_t n = 0;
  RETURN_NOT_OK(file_->Read(pos_, kBlockHeaderBytes, header, &n));
  if (n != kBlockHeaderBytes) return corrupt("truncated block header");
  uint8_t codec = static_cast<uint8_t>(header[4]);
  uint32_t raw_len = DecodeFixed32(header + 8);
  uint32_t stored_len = DecodeFixed32(header + 12);
  if (DecodeFixed32(header) != kBlockMagic || codec > kCodecLz4 || raw_len > kMaxBlockBytes ||
      stored_len > kMaxBlockBytes) {
    return corrupt("bad block header");
  }
  if (end_ - pos_ - kBlockHeaderBytes < stored_len) return corrupt("truncated block");
  stored_.resize(stored_len);
  RETURN_NOT_OK(file_->Read(pos_ + kBlockHeaderBytes, stored_len, stored_.data(), &n));
  if (n != stored_len) return corrupt("truncated block");
  if (BlockChecksum(header, stored_) != DecodeFixed64(header + 16)) {
    return corrupt("checksum mismatch");
  }
  pos_ += kBlockHeaderBytes + stored_len;
  if (codec == kCodecRaw) {
    if (raw_len != stored_len) return corrupt("bad raw block length");
    *block = stored_;
    return Status::OK();
  }
  raw_.resize(raw_len);
  int got = LZ4_decompress_safe(stored_.data(), raw_.data(), static_cast<int>(stored_len),
                                static_cast<int>(raw_len));
  if (got < 0 || static_cast<uint32_t>(got) != raw_len) return corrupt("bad LZ4 data");
  *block = raw_;
  return Status::OK();
}

}  // namespace mr

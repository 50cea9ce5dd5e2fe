#include "dfs/master/record_framing.h"

#include <algorithm>

#include "common/coding.h"
#include "common/hash.h"

namespace mr::dfs {

namespace {
bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}
}  // namespace

void AppendFramedRecord(std::string* dst, std::string_view payload) {
  PutFixed32(dst, static_cast<uint32_t>(payload.size()));
  PutFixed64(dst, Hash64(payload));
  dst->append(payload);
}

ParsedRecords ParseFramedRecords(std::string_view data) {
  ParsedRecords out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t at = pos;
    auto stop = [&](const std::string& why) { out.tail_problem = why + " at offset " + std::to_string(at); };
    std::string_view header = data.substr(pos, kRecordHeaderBytes);
    if (AllZero(header)) {
      // Padding; the records end here if nothing follows but zeros.
      size_t nonzero = data.find_first_not_of('\0', pos + header.size());
      if (nonzero != std::string_view::npos) {
        stop("zero padding followed by data at offset " + std::to_string(nonzero));
      }
      break;
    }
    if (header.size() < kRecordHeaderBytes) {
      stop("torn record header");
      break;
    }
    uint32_t length = DecodeFixed32(data.data() + pos);
    uint64_t checksum = DecodeFixed64(data.data() + pos + 4);
    if (length > kMaxRecordBytes) {
      stop("record length " + std::to_string(length) + " too large");
      break;
    }
    if (data.size() - pos - kRecordHeaderBytes < length) {
      stop("torn record");
      break;
    }
    std::string_view payload = data.substr(pos + kRecordHeaderBytes, length);
    if (Hash64(payload) != checksum) {
      stop("record checksum mismatch");
      break;
    }
    out.payloads.push_back(payload);
    pos += kRecordHeaderBytes + length;
  }
  out.valid_bytes = pos;
  return out;
}

}  // namespace mr::dfs

// Checksummed record framing of the master's op log and checkpoint files:
//
//   record := u32 length (LE) | u64 xxh3(payload) (LE) | payload[length]
//
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mr::dfs {

inline constexpr size_t kRecordHeaderBytes = 12;
inline constexpr uint32_t kMaxRecordBytes = 256u << 20;

void AppendFramedRecord(std::string* dst, std::string_view payload);

struct ParsedRecords {
  std::vector<std::string_view> payloads;  // Views into the parsed buffer.
  size_t valid_bytes = 0;                  // Prefix made of whole, intact records.
  std::string tail_problem;                // Why parsing stopped early; empty at a clean end.
};

// Parses records front to back, stopping at the first torn (cut short) or
// corrupt (bad checksum, oversize length) one.
ParsedRecords ParseFramedRecords(std::string_view data);

}  // namespace mr::dfs

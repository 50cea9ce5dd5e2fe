// Checksummed record framing of the master's op log and checkpoint files:
//
//   record := u32 length (LE) | u64 xxh3(payload) (LE) | payload[length]
//
// A file may end in zero padding (op logs are preallocated with zeros, see
// op_log.h): a record header of 12 zero bytes can never be a record (the
// xxh3 of an empty payload is not 0), so it marks the end of the records.
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
  // Why parsing stopped early; empty at a clean end: the end of the data,
  // or zero padding that runs to the end of it (then valid_bytes is less
  // than the data's size).
  std::string tail_problem;
};

// Parses records front to back, stopping at the first torn (cut short) or
// corrupt (bad checksum, oversize length) one, or at a zero header. Zero
// padding is a clean end only if every byte after it is zero as well: a
// non-zero byte there is a problem (a write lost before a later one landed,
// or damage), reported like a torn record.
ParsedRecords ParseFramedRecords(std::string_view data);

}  // namespace mr::dfs

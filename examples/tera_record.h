// The record format shared by teragen, terasort and teravalidate.
//
// Like the sort benchmark's `gensort -a` (ASCII) records, every record is
// exactly 100 bytes:
//
//   bytes  0..9   key: 10 printable ASCII bytes (0x20..0x7E)
//   bytes 10..11  two spaces
//   bytes 12..43  the record's row number: 32 upper-case hex digits
//   bytes 44..45  two spaces
//   bytes 46..97  filler: 13 runs of 4 equal letters 'A'..'Z'
//   bytes 98..99  "\r\n"
//
// Nothing but the last two bytes is '\r' or '\n', so line tools (GNU sort
// with LC_ALL=C, head, wc -l) see one record per line. Records compare by
// their key bytes (memcmp order); ties are broken by nothing in particular.
//
// Record `row` of a run is a pure function of (seed, skew, row): a counter-
// based hash (XXH3 of the row number, seeded) gives its bits, so any range of
// rows can be generated independently, in parallel, and identically again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/hash.h"

namespace mr::tera {

inline constexpr size_t kRecordBytes = 100;
inline constexpr size_t kKeyBytes = 10;

// With --skew=F a fraction F of the rows get one of these three keys, so that
// range partitioning must cope with heavy duplicates.
inline constexpr std::string_view kHotKeys[3] = {"HOTKEY-000", "HOTKEY-001", "PPPPPPPPPP"};

// Writes record `row` to out[0, kRecordBytes). `skew` is in [0, 1].
void MakeRecord(uint64_t seed, double skew, uint64_t row, char* out);

// The per-record term of teravalidate's order-independent checksum (summed
// mod 2^64 over all records).
inline uint64_t RecordChecksum(const char* record) {
  return Hash64(std::string_view(record, kRecordBytes));
}

}  // namespace mr::tera

#include "tera_record.h"

#include <cstring>

namespace mr::tera {

namespace {

constexpr int kPrintableCount = 0x7E - 0x20 + 1;  // 95 key byte values.

// Independent 64-bit streams for one row: XXH3 of (row, lane), seeded.
uint64_t RowHash(uint64_t seed, uint64_t row, uint64_t lane) {
  uint64_t words[2] = {row, lane};
  return Hash64(std::string_view(reinterpret_cast<const char*>(words), sizeof(words)), seed);
}

// Writes n base-95 digits of h as printable bytes. 95^5 < 2^64 / 2^30, so
// taking digits of a uniform 64-bit value is uniform to within 1e-9.
void PutPrintable(uint64_t h, int n, char* out) {
  for (int i = 0; i < n; ++i) {
    out[i] = static_cast<char>(0x20 + h % kPrintableCount);
    h /= kPrintableCount;
  }
}

}  // namespace

void MakeRecord(uint64_t seed, double skew, uint64_t row, char* out) {
  uint64_t mix = RowHash(seed, row, 2);
  // The top 53 bits of `mix` as a uniform double in [0, 1).
  double u = static_cast<double>(mix >> 11) * 0x1.0p-53;
  if (u < skew) {
    std::memcpy(out, kHotKeys[mix % 3].data(), kKeyBytes);
  } else {
    PutPrintable(RowHash(seed, row, 0), 5, out);
    PutPrintable(RowHash(seed, row, 1), 5, out + 5);
  }
  std::memcpy(out + 10, "  ", 2);
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int i = 0; i < 32; ++i) {
    // Digit i counts from the most significant; rows fit in the last 16.
    int shift = (31 - i) * 4;
    out[12 + i] = shift >= 64 ? '0' : kHex[(row >> shift) & 0xF];
  }
  std::memcpy(out + 44, "  ", 2);
  for (int run = 0; run < 13; ++run) {
    std::memset(out + 46 + run * 4, 'A' + (mix >> (run * 4)) % 26, 4);
  }
  std::memcpy(out + 98, "\r\n", 2);
}

}  // namespace mr::tera

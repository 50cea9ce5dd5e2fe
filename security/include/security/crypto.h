// The few cryptographic primitives the cluster uses, from OpenSSL's libcrypto.
// Thread-safety: stateless (OpenSSL 3 initialises itself).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::security {

inline constexpr size_t kKeyBytes = 32;

// HMAC-SHA256 of `data` under `key`: 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA256 under one key, keyed once: Mac(data) == HmacSha256(key,
// data), without OpenSSL's per-call lookup and key setup (about 6 us of a
// one-shot call here; membership tags every datagram). Thread-safe: each
// Mac() works on its own copy of the keyed state.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  std::string Mac(std::string_view data) const;

 private:
  struct State;
  State* state_;  // Owned; the keyed inner and outer digests.
};

// Equality in time independent of where the inputs differ (for MACs).
bool TimingSafeEquals(std::string_view a, std::string_view b);

// `n` bytes from OpenSSL's CSPRNG (CHECK-fails only if it cannot seed).
std::string RandomBytes(size_t n);

std::string HexEncode(std::string_view bytes);
// InvalidArgument unless `hex` is an even count of hex digits.
Result<std::string> HexDecode(std::string_view hex);

}  // namespace mr::security

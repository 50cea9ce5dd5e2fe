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

// Equality in time independent of where the inputs differ (for MACs).
bool TimingSafeEquals(std::string_view a, std::string_view b);

// `n` bytes from OpenSSL's CSPRNG (CHECK-fails only if it cannot seed).
std::string RandomBytes(size_t n);

std::string HexEncode(std::string_view bytes);
// InvalidArgument unless `hex` is an even count of hex digits.
Result<std::string> HexDecode(std::string_view hex);

}  // namespace mr::security

// Keyring: the cluster's secret keys, as memberlist's keyring: the first
// (primary) key signs and derives; every key verifies, so a key can be
// rotated in (added second, then made primary) and out (removed) without
// a cluster-wide flag day.
//
// File: one key per line as 64 hex digits, `#` comments and blank lines
// ignored; at least one key; mode 0600 (a keyring others can read is
// refused, as ssh refuses such a private key).
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::security {

class Keyring {
 public:
  // One fresh random key.
  static Keyring Generate();
  static Result<Keyring> Load(const std::string& path);
  // `keys` raw, kKeyBytes each, primary first (CHECK-fails on a wrong size).
  explicit Keyring(std::vector<std::string> keys);

  // Writes the file with mode 0600, replacing any (atomically).
  Status Save(const std::string& path) const;

  const std::string& primary() const { return keys_.front(); }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  std::vector<std::string> keys_;  // Never empty.
};

}  // namespace mr::security

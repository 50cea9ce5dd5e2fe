// The cluster key on membership envelopes (issue 16): every datagram and
// every sync frame carries an HMAC-SHA256 tag under the cluster keyring, as
// memberlist's keyring, so that nobody without the key can speak for a
// member (docs/MEMBERSHIP.md, "Authentication").
//
// Scheme 1: the tag is the first 16 bytes of HMAC-SHA256(k, covered), where
// k = HMAC-SHA256(ring key, "mr membership envelope v1") -- a key of its own
// for membership, so that no membership tag can ever stand for a token's
// password or anything else the ring signs. Signs with the primary key;
// accepts a tag made with any key of the ring (rotation: add a key second,
// make it primary, remove the old one).
//
// Thread-safety: every method may be called from any thread; Replace()
// takes effect for the next Tag() or Verify().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "membership/codec.h"
#include "security/crypto.h"
#include "security/keyring.h"

namespace mr::membership {

class KeyringAuthenticator final : public Authenticator {
 public:
  static constexpr uint8_t kScheme = 1;
  // 128 bits, as RFC 4868's HMAC-SHA-256-128 and AES-GCM's tag in
  // memberlist: a forger's chance per datagram is 2^-128, and a datagram
  // keeps 16 more of its 1400 bytes for updates than with the full 32.
  static constexpr size_t kTagBytes = 16;

  explicit KeyringAuthenticator(const security::Keyring& keyring);

  uint8_t scheme() const override { return kScheme; }
  size_t tag_bytes() const override { return kTagBytes; }
  std::string Tag(std::string_view covered) const override;
  bool Verify(std::string_view covered, std::string_view tag) const override;

  // Rotation at run time: from now on sign with `keyring`'s primary and
  // accept a tag made with any of its keys.
  void Replace(const security::Keyring& keyring);
  // How many keys are accepted now.
  size_t key_count() const;

 private:
  // Primary first; each keyed once (a datagram costs no key setup).
  using DerivedKeys = std::vector<std::unique_ptr<const security::HmacSha256Key>>;
  static std::shared_ptr<const DerivedKeys> Derive(const security::Keyring& keyring);
  std::shared_ptr<const DerivedKeys> keys() const;

  mutable std::mutex mu_;
  std::shared_ptr<const DerivedKeys> keys_;  // Guarded by mu_; never empty.
};

// The keyring in the file at `path` (security::Keyring::Load: mode 0600)
// as an authenticator.
Result<std::shared_ptr<KeyringAuthenticator>> LoadKeyringAuthenticator(const std::string& path);

}  // namespace mr::membership

#include "membership/keyring_authenticator.h"

#include "security/crypto.h"

namespace mr::membership {
namespace {

constexpr std::string_view kKeyPurpose = "mr membership envelope v1";

std::string TagUnder(const security::HmacSha256Key& key, std::string_view covered) {
  std::string mac = key.Mac(covered);
  mac.resize(KeyringAuthenticator::kTagBytes);
  return mac;
}

}  // namespace

KeyringAuthenticator::KeyringAuthenticator(const security::Keyring& keyring)
    : keys_(Derive(keyring)) {}

std::shared_ptr<const KeyringAuthenticator::DerivedKeys> KeyringAuthenticator::Derive(
    const security::Keyring& keyring) {
  auto keys = std::make_shared<DerivedKeys>();
  for (const std::string& key : keyring.keys()) {
    keys->push_back(
        std::make_unique<security::HmacSha256Key>(security::HmacSha256(key, kKeyPurpose)));
  }
  return keys;
}

std::shared_ptr<const KeyringAuthenticator::DerivedKeys> KeyringAuthenticator::keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}

void KeyringAuthenticator::Replace(const security::Keyring& keyring) {
  std::shared_ptr<const DerivedKeys> keys = Derive(keyring);
  std::lock_guard<std::mutex> lock(mu_);
  keys_ = std::move(keys);
}

size_t KeyringAuthenticator::key_count() const { return keys()->size(); }

std::string KeyringAuthenticator::Tag(std::string_view covered) const {
  return TagUnder(*keys()->front(), covered);
}

bool KeyringAuthenticator::Verify(std::string_view covered, std::string_view tag) const {
  if (tag.size() != kTagBytes) return false;
  for (const auto& key : *keys()) {
    if (security::TimingSafeEquals(TagUnder(*key, covered), tag)) return true;
  }
  return false;
}

Result<std::shared_ptr<KeyringAuthenticator>> LoadKeyringAuthenticator(const std::string& path) {
  ASSIGN_OR_RETURN(security::Keyring keyring, security::Keyring::Load(path));
  return std::make_shared<KeyringAuthenticator>(keyring);
}

}  // namespace mr::membership

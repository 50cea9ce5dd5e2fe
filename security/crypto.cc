#include "security/crypto.h"

#include <algorithm>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <glog/logging.h>

namespace mr::security {

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  CHECK(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len))
      << "HMAC-SHA256 failed";
  return std::string(reinterpret_cast<char*>(out), out_len);
}

// HMAC as RFC 2104 defines it, with SHA-256's state after the padded key
// kept for the inner and the outer hash, so that a MAC costs two digest
// copies and the hashing of the data.
struct HmacSha256Key::State {
  EVP_MD_CTX* inner = EVP_MD_CTX_new();
  EVP_MD_CTX* outer = EVP_MD_CTX_new();
  ~State() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

HmacSha256Key::HmacSha256Key(std::string_view key) : state_(new State) {
  constexpr size_t kBlockBytes = 64;  // SHA-256's.
  unsigned char block[kBlockBytes] = {};
  if (key.size() > kBlockBytes) {
    unsigned int n = 0;
    CHECK(EVP_Digest(key.data(), key.size(), block, &n, EVP_sha256(), nullptr));
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char pad[kBlockBytes];
  for (size_t i = 0; i < kBlockBytes; ++i) pad[i] = block[i] ^ 0x36;
  CHECK(EVP_DigestInit_ex(state_->inner, EVP_sha256(), nullptr) &&
        EVP_DigestUpdate(state_->inner, pad, kBlockBytes))
      << "SHA-256 failed";
  for (size_t i = 0; i < kBlockBytes; ++i) pad[i] = block[i] ^ 0x5c;
  CHECK(EVP_DigestInit_ex(state_->outer, EVP_sha256(), nullptr) &&
        EVP_DigestUpdate(state_->outer, pad, kBlockBytes))
      << "SHA-256 failed";
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

HmacSha256Key::~HmacSha256Key() { delete state_; }

std::string HmacSha256Key::Mac(std::string_view data) const {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> work(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  unsigned char inner[EVP_MAX_MD_SIZE];
  unsigned int inner_len = 0;
  std::string out(32, '\0');
  unsigned int out_len = 0;
  EVP_MD_CTX* w = work.get();
  CHECK(EVP_MD_CTX_copy_ex(w, state_->inner) && EVP_DigestUpdate(w, data.data(), data.size()) &&
        EVP_DigestFinal_ex(w, inner, &inner_len) && EVP_MD_CTX_copy_ex(w, state_->outer) &&
        EVP_DigestUpdate(w, inner, inner_len) &&
        EVP_DigestFinal_ex(w, reinterpret_cast<unsigned char*>(out.data()), &out_len))
      << "HMAC-SHA256 failed";
  return out;
}

bool TimingSafeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  CHECK_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)), 1)
      << "RAND_bytes failed";
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return Status::InvalidArgument("odd number of hex digits");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("not a hex digit");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace mr::security

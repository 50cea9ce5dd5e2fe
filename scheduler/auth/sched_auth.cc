#include "scheduler/auth/sched_auth.h"

#include <atomic>

#include <glog/logging.h>

#include "rpc/thrift_codec.h"
#include "security/crypto.h"
#include "security/process_security.h"

namespace mr::sched::auth {

namespace {

std::atomic<int64_t> refusals{0};

std::string Describe(const security::Identity& who) {
  if (!who.app_id.empty()) return "the job " + who.app_id + " of user " + who.user;
  return "user " + who.user;
}

}  // namespace

bool SecurityOn() { return security::ProcessServerSecurity() != nullptr; }

Status Refuse(const std::string& message) {
  int64_t n = ++refusals;
  if (n <= 10 || n % 100 == 0) {
    LOG(WARNING) << "refused (" << n << " so far): " << message;
  }
  return Status::PermissionDenied(message);
}

int64_t RefusalCount() { return refusals.load(); }

bool MayActFor(const security::Identity& who, const std::string& owner,
               const std::string& app_id) {
  if (who.superuser) return true;
  if (!who.app_id.empty()) return who.app_id == app_id && who.user == owner;
  return !who.user.empty() && who.user == owner;
}

Status CheckMayActFor(const std::string& action, const std::string& owner,
                      const std::string& app_id) {
  if (!SecurityOn()) return Status::OK();
  const security::Identity& who = security::CurrentIdentity();
  if (MayActFor(who, owner, app_id)) return Status::OK();
  return Refuse(action + ": " + Describe(who) + " may not act for " + app_id + " (owned by " +
                owner + ")");
}

Status CheckDaemon(const std::string& action) {
  if (!SecurityOn()) return Status::OK();
  const security::Identity& who = security::CurrentIdentity();
  if (who.superuser) return Status::OK();
  return Refuse(action + " is for the cluster's daemons, not " + Describe(who));
}

std::string SignContainerToken(const security::TokenSigner& signer,
                               const wire::ContainerTokenId& id, int64_t expires_ms) {
  return signer.Sign(kContainerTokenKind, EncodeThrift(id), expires_ms);
}

Result<wire::ContainerTokenId> VerifyContainerToken(const security::TokenSigner& signer,
                                                    std::string_view token, int64_t now_ms) {
  if (token.empty()) return Status::PermissionDenied("no container token");
  Result<std::string> bytes = signer.Verify(kContainerTokenKind, token, now_ms);
  if (!bytes.ok()) return Status::PermissionDenied("container token: " + bytes.status().message());
  wire::ContainerTokenId id;
  if (!DecodeThrift(*bytes, "container token", &id).ok()) {
    return Status::PermissionDenied("container token: malformed identifier");
  }
  return id;
}

std::string SignAppToken(const security::TokenSigner& signer, const wire::AppTokenId& id,
                         int64_t expires_ms) {
  return signer.Sign(kAppTokenKind, EncodeThrift(id), expires_ms);
}

Result<wire::AppTokenId> VerifyAppToken(const security::TokenSigner& signer,
                                        std::string_view token, const std::string& app_id,
                                        int64_t now_ms) {
  if (token.empty()) return Status::PermissionDenied("no application token for " + app_id);
  Result<std::string> bytes = signer.Verify(kAppTokenKind, token, now_ms);
  if (!bytes.ok()) {
    return Status::PermissionDenied("application token for " + app_id + ": " +
                                    bytes.status().message());
  }
  wire::AppTokenId id;
  if (!DecodeThrift(*bytes, "application token", &id).ok()) {
    return Status::PermissionDenied("application token: malformed identifier");
  }
  if (id.app_id != app_id) {
    return Status::PermissionDenied("the application token of " + id.app_id +
                                    " does not grant " + app_id);
  }
  return id;
}

std::string ShuffleSecret(std::string_view key, const std::string& app_id) {
  return security::HmacSha256(key, std::string("shuffle\0", 8) + app_id);
}

std::string ShuffleRequestMac(std::string_view secret, std::string_view request_bytes) {
  return security::HmacSha256(secret, request_bytes);
}

bool VerifyShuffleRequestMac(const security::Keyring& keyring, const std::string& app_id,
                             std::string_view request_bytes, std::string_view mac) {
  for (const std::string& key : keyring.keys()) {
    if (security::TimingSafeEquals(mac, ShuffleRequestMac(ShuffleSecret(key, app_id),
                                                          request_bytes))) {
      return true;
    }
  }
  return false;
}

}  // namespace mr::sched::auth

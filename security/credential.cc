#include "security/credential.h"

#include <sys/stat.h>

#include "common/file.h"
#include "rpc/thrift_codec.h"
#include "security/crypto.h"
#include "security_types.h"

namespace mr::security {
namespace {

std::string UserSecret(std::string_view key, std::string_view user) {
  return HmacSha256(key, std::string("user\0", 5).append(user));
}
std::string DaemonSecret(std::string_view key) { return HmacSha256(key, "daemon"); }

bool MatchesAnyKey(const Keyring& keyring, std::string_view secret,
                   std::string (*derive)(std::string_view, std::string_view),
                   std::string_view what) {
  for (const std::string& key : keyring.keys()) {
    if (TimingSafeEquals(secret, derive(key, what))) return true;
  }
  return false;
}

const char* KindName(Credential::Kind kind) {
  switch (kind) {
    case Credential::Kind::kDaemon: return "daemon";
    case Credential::Kind::kUser: return "user";
    case Credential::Kind::kJob: return "job";
  }
  return "?";
}

}  // namespace

Credential DaemonCredential(const Keyring& keyring) {
  return {Credential::Kind::kDaemon, ProcessUserName(), DaemonSecret(keyring.primary())};
}

Credential UserCredential(const Keyring& keyring, const std::string& user) {
  return {Credential::Kind::kUser, user, UserSecret(keyring.primary(), user)};
}

Credential JobCredential(const TokenSigner& signer, const std::string& app_id,
                         const std::string& user, int64_t expires_ms) {
  wire::JobTokenId id;
  id.app_id = app_id;
  id.user = user;
  return {Credential::Kind::kJob, app_id, signer.Sign(kJobTokenKind, EncodeThrift(id), expires_ms)};
}

std::string FormatCredential(const Credential& credential) {
  return std::string("kind ") + KindName(credential.kind) + "\nname " + credential.name +
         "\nsecret " + HexEncode(credential.secret) + "\n";
}

Result<Credential> ParseCredential(std::string_view text) {
  Credential credential;
  bool have_kind = false, have_name = false, have_secret = false;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t space = line.find(' ');
    if (line.empty()) continue;
    if (space == std::string_view::npos) return Status::InvalidArgument("credential: bad line");
    std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "kind") {
      have_kind = true;
      if (value == "daemon") credential.kind = Credential::Kind::kDaemon;
      else if (value == "user") credential.kind = Credential::Kind::kUser;
      else if (value == "job") credential.kind = Credential::Kind::kJob;
      else return Status::InvalidArgument("credential: unknown kind");
    } else if (key == "name") {
      have_name = true;
      credential.name = value;
    } else if (key == "secret") {
      ASSIGN_OR_RETURN(credential.secret, HexDecode(value));
      have_secret = true;
    }
  }
  if (!have_kind || !have_name || !have_secret) {
    return Status::InvalidArgument("credential: needs kind, name and secret");
  }
  return credential;
}

Result<Credential> ReadCredentialFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "credential " + path);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("credential " + path +
                                    " is open to other users (chmod 600 it)");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  Result<Credential> credential = ParseCredential(text);
  if (!credential.ok()) return Status::InvalidArgument(path + ": " + credential.status().message());
  return credential;
}

Status WriteCredentialFile(const std::string& path, const Credential& credential) {
  return WritePrivateFile(path, FormatCredential(credential));
}

Authenticator::Authenticator(Keyring keyring, std::string superuser)
    : signer_(std::move(keyring)), superuser_(std::move(superuser)) {}

Result<Identity> Authenticator::Verify(const Credential& credential, int64_t now_ms) const {
  const Keyring& keyring = signer_.keyring();
  switch (credential.kind) {
    case Credential::Kind::kDaemon:
      if (!MatchesAnyKey(keyring, credential.secret,
                         [](std::string_view key, std::string_view) { return DaemonSecret(key); },
                         "")) {
        return Status::PermissionDenied("daemon credential not signed by this cluster's keyring");
      }
      return Identity{credential.name, /*superuser=*/true, ""};
    case Credential::Kind::kUser:
      if (!IsValidUserName(credential.name) ||
          !MatchesAnyKey(keyring, credential.secret, UserSecret, credential.name)) {
        return Status::PermissionDenied("credential of user '" + credential.name +
                                        "' not issued by this cluster");
      }
      return Identity{credential.name, credential.name == superuser_, ""};
    case Credential::Kind::kJob: {
      ASSIGN_OR_RETURN(std::string id_bytes,
                       signer_.Verify(kJobTokenKind, credential.secret, now_ms));
      wire::JobTokenId id;
      if (!DecodeThrift(id_bytes, "job token", &id).ok() || id.app_id != credential.name) {
        return Status::PermissionDenied("job token does not name application " + credential.name);
      }
      return Identity{id.user, /*superuser=*/false, id.app_id};
    }
  }
  return Status::PermissionDenied("unknown credential kind");
}

}  // namespace mr::security

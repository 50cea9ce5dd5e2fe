// Credentials: what a client presents once per RPC connection, inside TLS,
// to say who it is (rpc::ThriftServer checks it with an Authenticator):
//  - a daemon's: derived from the cluster keyring; a superuser;
//  - a user's: `mrcluster user add NAME` derives it from the keyring and
//    writes it to <cluster>/users/NAME.cred, readable by NAME only; the
//    cluster's own user (the one daemons run as) is the superuser;
//  - a job's: a job token the RM signs at submission, given to the job's AM
//    and tasks; it acts as the job's user, for that job.
// Secrets derive from the keyring's primary key and verify against every
// key, so rotating a key in and then out re-issues every credential.
// Thread-safety: Authenticator is immutable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/identity.h"
#include "security/keyring.h"
#include "security/token.h"

namespace mr::security {

struct Credential {
  enum class Kind : int32_t { kDaemon = 1, kUser = 2, kJob = 3 };
  Kind kind = Kind::kUser;
  std::string name;    // The user (kDaemon: the daemons' user); kJob: the application.
  std::string secret;  // kJob: the encoded job token.
};

inline constexpr char kJobTokenKind[] = "job";

Credential DaemonCredential(const Keyring& keyring);
Credential UserCredential(const Keyring& keyring, const std::string& user);
Credential JobCredential(const TokenSigner& signer, const std::string& app_id,
                         const std::string& user, int64_t expires_ms);

// The file: "kind user|daemon|job", "name N", "secret HEX" lines.
std::string FormatCredential(const Credential& credential);
Result<Credential> ParseCredential(std::string_view text);
// Refuses a file others can read, as ssh refuses such a key.
Result<Credential> ReadCredentialFile(const std::string& path);
Status WriteCredentialFile(const std::string& path, const Credential& credential);

class Authenticator {
 public:
  // `superuser`: the user daemons run as.
  Authenticator(Keyring keyring, std::string superuser);
  // Who presents `credential`; PermissionDenied if it is not genuine.
  Result<Identity> Verify(const Credential& credential, int64_t now_ms) const;

  const TokenSigner& signer() const { return signer_; }
  const std::string& superuser() const { return superuser_; }

 private:
  TokenSigner signer_;
  std::string superuser_;
};

}  // namespace mr::security

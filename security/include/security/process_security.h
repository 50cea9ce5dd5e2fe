// The process's security, set once by main() before it serves or calls
// (as Hadoop's login user):
//  - ClientSecurity: how its RPC clients connect: TLS verified against the
//    cluster CA, presenting `credential` once per connection;
//  - ServerSecurity: how its servers accept: TLS with the daemon certificate,
//    each connection's credential checked by `authenticator`, whose keyring
//    also signs and checks tokens.
// Unset (unit tests, a cluster directory without keys): plain TCP and no
// checks; daemons say so in a warning.
// Thread-safety: the setters and getters may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "security/credential.h"

namespace mr::security {

// A task's credential file and the CA it verifies daemons against, set by
// the NM in each container's environment.
inline constexpr char kCredentialEnv[] = "MR_CREDENTIAL";
inline constexpr char kCaFileEnv[] = "MR_CA_FILE";

struct ClientSecurity {
  std::string ca_file;
  Credential credential;
  std::string cluster_dir;  // Where InitClientSecurity found it; "" otherwise.
};

struct ServerSecurity {
  std::string keys_dir;
  std::string cert_and_key_file;
  std::shared_ptr<const Authenticator> authenticator;

  const Keyring& keyring() const { return authenticator->signer().keyring(); }
  const TokenSigner& signer() const { return authenticator->signer(); }
};

void SetProcessClientSecurity(std::shared_ptr<const ClientSecurity> security);
std::shared_ptr<const ClientSecurity> ProcessClientSecurity();
void SetProcessServerSecurity(std::shared_ptr<const ServerSecurity> security);
std::shared_ptr<const ServerSecurity> ProcessServerSecurity();

// Daemons: loads --security_dir and installs both, with a daemon credential
// (an empty flag: neither, and a warning).
Status InitDaemonSecurity();
// The same for a daemon's main(): exits with a one-line error on failure.
void InitDaemonSecurityOrExit();
// Loads the keys in `keys_dir` (tests use this directly).
Result<std::shared_ptr<const ServerSecurity>> LoadServerSecurity(const std::string& keys_dir);

// Tools: the caller's credential for the cluster in `cluster_dir`, first found of
//   $MR_CREDENTIAL (with $MR_CA_FILE, else the cluster's ca.pem);
//   the cluster keyring, if the caller can read it (the cluster's own user);
//   <cluster>/users/<login>.cred.
// A cluster without keys: nothing installed. PermissionDenied, saying how to
// get one, if the cluster has keys and the caller no credential. Once per
// cluster: a second call for the same directory keeps what the first found.
Status InitClientSecurity(const std::string& cluster_dir);
// Tasks: from $MR_CREDENTIAL and $MR_CA_FILE; nothing if unset.
Status InitClientSecurityFromEnvironment();

}  // namespace mr::security

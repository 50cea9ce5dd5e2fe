#include "security/process_security.h"

#include <unistd.h>

#include <mutex>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "security/key_material.h"

DEFINE_string(security_dir, "",
              "Directory of the cluster's key material (mrcluster up makes <cluster>/keys): "
              "TLS certificates and the keyring. Empty: no TLS and no authentication, for "
              "tests only.");

namespace mr::security {
namespace {

std::mutex mu;
std::shared_ptr<const ClientSecurity> client_security;  // GUARDED_BY(mu)
std::shared_ptr<const ServerSecurity> server_security;  // GUARDED_BY(mu)

}  // namespace

void SetProcessClientSecurity(std::shared_ptr<const ClientSecurity> security) {
  std::lock_guard<std::mutex> lock(mu);
  client_security = std::move(security);
}

std::shared_ptr<const ClientSecurity> ProcessClientSecurity() {
  std::lock_guard<std::mutex> lock(mu);
  return client_security;
}

void SetProcessServerSecurity(std::shared_ptr<const ServerSecurity> security) {
  std::lock_guard<std::mutex> lock(mu);
  server_security = std::move(security);
}

std::shared_ptr<const ServerSecurity> ProcessServerSecurity() {
  std::lock_guard<std::mutex> lock(mu);
  return server_security;
}

Result<std::shared_ptr<const ServerSecurity>> LoadServerSecurity(const std::string& keys_dir) {
  KeyPaths paths(keys_dir);
  ASSIGN_OR_RETURN(Keyring keyring, Keyring::Load(paths.keyring()));
  if (!PathExists(paths.daemon_cert_and_key())) {
    return Status::NotFound("no daemon certificate " + paths.daemon_cert_and_key());
  }
  auto security = std::make_shared<ServerSecurity>();
  security->keys_dir = keys_dir;
  security->cert_and_key_file = paths.daemon_cert_and_key();
  security->authenticator = std::make_shared<Authenticator>(std::move(keyring), ProcessUserName());
  return std::shared_ptr<const ServerSecurity>(std::move(security));
}

Status InitDaemonSecurity() {
  if (FLAGS_security_dir.empty()) {
    LOG(WARNING) << "no --security_dir: serving without TLS or authentication";
    return Status::OK();
  }
  ASSIGN_OR_RETURN(auto server, LoadServerSecurity(FLAGS_security_dir));
  auto client = std::make_shared<ClientSecurity>();
  client->ca_file = KeyPaths(FLAGS_security_dir).ca_cert();
  client->credential = DaemonCredential(server->keyring());
  SetProcessServerSecurity(std::move(server));
  SetProcessClientSecurity(std::move(client));
  return Status::OK();
}

void InitDaemonSecurityOrExit() {
  Status s = InitDaemonSecurity();
  if (!s.ok()) ExitWithError(kExitFailure, "security: " + s.ToString());
}

namespace {

std::string Env(const char* name) {
  const char* value = ::getenv(name);
  return value != nullptr ? value : "";
}

// The credential $MR_CREDENTIAL names, verifying daemons against
// $MR_CA_FILE, else `default_ca_file`; null if $MR_CREDENTIAL is unset.
Result<std::shared_ptr<ClientSecurity>> SecurityFromEnvironment(
    const std::string& default_ca_file) {
  const std::string credential_file = Env(kCredentialEnv);
  if (credential_file.empty()) return std::shared_ptr<ClientSecurity>();
  auto client = std::make_shared<ClientSecurity>();
  client->ca_file = Env(kCaFileEnv);
  if (client->ca_file.empty()) client->ca_file = default_ca_file;
  if (client->ca_file.empty()) {
    return Status::InvalidArgument(std::string(kCredentialEnv) + " is set without " + kCaFileEnv);
  }
  ASSIGN_OR_RETURN(client->credential, ReadCredentialFile(credential_file));
  return client;
}

}  // namespace

Status InitClientSecurityFromEnvironment() {
  ASSIGN_OR_RETURN(std::shared_ptr<ClientSecurity> client, SecurityFromEnvironment(""));
  if (client != nullptr) SetProcessClientSecurity(std::move(client));
  return Status::OK();
}

Status InitClientSecurity(const std::string& cluster_dir) {
  if (auto installed = ProcessClientSecurity();
      installed != nullptr && installed->cluster_dir == cluster_dir) {
    return Status::OK();
  }
  KeyPaths paths = KeyPaths::OfCluster(cluster_dir);
  ASSIGN_OR_RETURN(std::shared_ptr<ClientSecurity> client,
                   SecurityFromEnvironment(paths.ca_cert()));
  if (client == nullptr) {
    if (!PathExists(paths.ca_cert())) {  // A cluster without security.
      SetProcessClientSecurity(nullptr);
      return Status::OK();
    }
    client = std::make_shared<ClientSecurity>();
    client->ca_file = paths.ca_cert();
    if (::access(paths.keyring().c_str(), R_OK) == 0) {
      ASSIGN_OR_RETURN(Keyring keyring, Keyring::Load(paths.keyring()));
      client->credential = UserCredential(keyring, ProcessUserName());
    } else {
      const std::string path = UserCredentialPath(cluster_dir, ProcessUserName());
      if (!PathExists(path)) {
        return Status::PermissionDenied(
            "user " + ProcessUserName() + " has no credential for the cluster in " + cluster_dir +
            " (its owner runs `mrcluster user add --dir " + cluster_dir + " " + ProcessUserName() +
            "`)");
      }
      ASSIGN_OR_RETURN(client->credential, ReadCredentialFile(path));
    }
  }
  client->cluster_dir = cluster_dir;
  SetProcessClientSecurity(std::move(client));
  return Status::OK();
}

}  // namespace mr::security

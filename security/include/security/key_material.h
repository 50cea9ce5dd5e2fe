// The cluster's key material, made by `mrcluster up` in <cluster>/keys:
//   ca.pem          the cluster CA's certificate (public: clients verify
//                   daemons against it)
//   ca.key          its private key (0600; signs daemon certificates)
//   daemon.pem      the daemons' certificate and private key (0600)
//   cluster.keyring HMAC keys (0600): credentials, tokens, membership
// and user credentials in <cluster>/users/NAME.cred (0600, owned by NAME).
// Only daemons hold certificates the CA signed, so a client that verifies a
// server against ca.pem knows it talks to a daemon of this cluster.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "common/status.h"

namespace mr::security {

struct KeyPaths {
  explicit KeyPaths(std::string keys_dir) : dir(std::move(keys_dir)) {}
  // The keys directory of a cluster directory.
  static KeyPaths OfCluster(const std::string& cluster_dir);

  std::string ca_cert() const { return dir + "/ca.pem"; }
  std::string ca_key() const { return dir + "/ca.key"; }
  std::string daemon_cert_and_key() const { return dir + "/daemon.pem"; }
  std::string keyring() const { return dir + "/cluster.keyring"; }

  std::string dir;
};

// <cluster>/users/NAME.cred.
std::string UserCredentialPath(const std::string& cluster_dir, const std::string& user);

// Creates whatever of the above is missing in `keys_dir` (mode 0755): a new
// P-256 CA valid 10 years, a daemon certificate it signs, a keyring with one
// random key. Files that exist are kept, so a restart keeps its identity.
Status CreateClusterKeys(const std::string& keys_dir);

}  // namespace mr::security

// Identity: who is calling. A secure server (rpc::ThriftServer with the
// process's ServerSecurity) authenticates each connection's credential and
// sets its identity for the thread serving it; handlers read it with
// CurrentIdentity() to check permissions.
// Thread-safety: CurrentIdentity is per thread.
#pragma once

#include <string>

namespace mr::security {

struct Identity {
  std::string user;
  // Daemons and the cluster's own user: every check passes.
  bool superuser = false;
  // Set for a job token's holder (the job's AM and tasks): it acts as
  // `user` for the job `app_id`.
  std::string app_id;
};

// The identity of the caller this thread serves; outside a secure server's
// call (in-process work, servers without security) the process's own user,
// a superuser.
const Identity& CurrentIdentity();

// Sets this thread's identity until destroyed (servers; tests).
class ScopedIdentity {
 public:
  explicit ScopedIdentity(Identity identity);
  ~ScopedIdentity();
  ScopedIdentity(const ScopedIdentity&) = delete;
  ScopedIdentity& operator=(const ScopedIdentity&) = delete;

 private:
  const Identity* previous_;
  Identity identity_;
};

// For servers that keep an identity per connection: this thread serves as
// *identity (null: the process's own) until set again. The pointee must
// outlive the setting.
void SetThreadIdentity(const Identity* identity);

// The login name of the process's effective uid ("uid:N" if it has none).
const std::string& ProcessUserName();

// Whether `name` can be a user: 1-32 of [a-z0-9_.-], not starting with '-'
// or '.' (it names files and appears in paths).
bool IsValidUserName(const std::string& name);

}  // namespace mr::security

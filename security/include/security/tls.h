// TLS settings for every secure connection in the cluster (Thrift RPC
// through Thrift's SSLContext, the data plane and shuffle through their own
// SSL_CTX): TLS 1.3 only, servers with the daemon certificate, clients that
// verify it against the cluster CA.
// Thread-safety: stateless; a configured SSL_CTX is shared by threads.
#pragma once

#include <string>

#include "common/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace mr::security {

// A server: the daemon certificate and key from `cert_and_key_file`, no
// session tickets (a client takes bytes on an idle connection for the
// server closing it, and a ticket would be such bytes).
Status ConfigureServerTls(SSL_CTX* ctx, const std::string& cert_and_key_file);
// A client: the server's certificate must chain to `ca_file`.
Status ConfigureClientTls(SSL_CTX* ctx, const std::string& ca_file);

// OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a write to a peer
// that closed would kill the process with SIGPIPE. Both Configure* ignore
// it for the process (as daemons do already; common/subprocess restores it
// for children).
void IgnoreSigpipe();

// The first of OpenSSL's queued errors for this thread, clearing the queue.
std::string TakeTlsError();

}  // namespace mr::security

#include "security/tls.h"

#include <csignal>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace mr::security {

std::string TakeTlsError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

void IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }

Status ConfigureServerTls(SSL_CTX* ctx, const std::string& cert_and_key_file) {
  IgnoreSigpipe();
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_and_key_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, cert_and_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Status::PermissionDenied("TLS: cannot use " + cert_and_key_file + ": " + TakeTlsError());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);  // Clients prove themselves by credential.
  return Status::OK();
}

Status ConfigureClientTls(SSL_CTX* ctx, const std::string& ca_file) {
  IgnoreSigpipe();
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return Status::PermissionDenied("TLS: cannot load the cluster CA " + ca_file + ": " +
                                    TakeTlsError());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return Status::OK();
}

}  // namespace mr::security

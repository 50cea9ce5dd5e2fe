// What a secure daemon reads from an unauthenticated peer: the credential
// frame that opens an RPC connection (rpc/auth_handshake.h, checked by an
// Authenticator), a token (security/token.h), and a credential file's text:
// the first byte picks which.
#include <thrift/transport/TBufferTransports.h>

#include "fuzz/fuzz_input.h"
#include "rpc/auth_handshake.h"
#include "security/credential.h"
#include "security/token.h"

namespace {

const mr::security::Authenticator& TestAuthenticator() {
  static const mr::security::Authenticator authenticator(
      mr::security::Keyring({std::string(32, 'k')}), "mr");
  return authenticator;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  switch (in.TakeByte() % 3) {
    case 0: {
      std::string bytes(in.rest());
      apache::thrift::transport::TMemoryBuffer transport(
          reinterpret_cast<uint8_t*>(bytes.data()), static_cast<uint32_t>(bytes.size()),
          apache::thrift::transport::TMemoryBuffer::COPY);
      try {
        mr::rpc::AnswerCredential(transport, mr::rpc::ReadCredential(transport, TestAuthenticator()));
      } catch (const std::exception&) {
        // A short read: the transport's end, as a peer that hangs up.
      }
      break;
    }
    case 1:
      (void)TestAuthenticator().signer().Verify("job", in.rest(), 0);
      break;
    default:
      (void)mr::security::ParseCredential(in.rest());
  }
  return 0;
}

// What the cluster key costs a membership message (issue 16): encode
// (+ tag) and decode (+ verify) of a small PING and of a full 1400-byte
// datagram, without an authenticator, with a one-key ring, and with a
// two-key ring whose second key signed the message (mid-rotation: two
// HMACs to verify). Prints one line per case: ns per encode, per decode.
//   build/bin/membership_auth_bench [--iterations=N]
#include <chrono>
#include <cstdio>
#include <string>

#include <gflags/gflags.h>

#include "common/flags.h"
#include "membership/codec.h"
#include "membership/keyring_authenticator.h"

DEFINE_int32(iterations, 200000, "Messages encoded and decoded per case.");

namespace mr::membership {
namespace {

wire::Message Datagram(size_t updates) {
  wire::Message m;
  m.version = kWireVersion;
  m.cluster_id = "mr";
  m.type = wire::MessageType::PING;
  m.sender_id = "dn-1-2";
  m.sender_incarnation = 1765000000000;
  m.seq = 12345;
  MemberIdentity identity{"nm-2-7", "10.0.2.7:7946", "r2", {{"role", "nodemanager"}}};
  for (size_t i = 0; i < updates; ++i) {
    m.updates.push_back(NewUpdate("nm-2-" + std::to_string(i), MemberState::kAlive,
                                  1765000000000 + static_cast<int64_t>(i), &identity));
  }
  return m;
}

double NsPer(std::chrono::steady_clock::time_point start, int n) {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
             .count() / n;
}

void Run(const char* name, const wire::Message& message, const Authenticator* signer,
         const Authenticator* checker) {
  const int n = FLAGS_iterations;
  std::string bytes;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) bytes = EncodeMessage(message, signer);
  double encode_ns = NsPer(start, n);
  wire::Message decoded;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    if (!DecodeMessage(bytes, &decoded, checker).ok()) std::abort();
  }
  double decode_ns = NsPer(start, n);
  std::printf("%-34s %5zu bytes  encode %7.0f ns  decode %7.0f ns\n", name, bytes.size(),
              encode_ns, decode_ns);
}

}  // namespace
}  // namespace mr::membership

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: membership_auth_bench [--iterations=N]");
  using namespace mr::membership;
  mr::security::Keyring k1 = mr::security::Keyring::Generate();
  mr::security::Keyring k2 = mr::security::Keyring::Generate();
  KeyringAuthenticator one(k1);
  KeyringAuthenticator rotating_signer(mr::security::Keyring({k2.primary(), k1.primary()}));
  KeyringAuthenticator rotating_checker(mr::security::Keyring({k1.primary(), k2.primary()}));
  for (size_t updates : {size_t{0}, size_t{20}}) {
    wire::Message m = Datagram(updates);
    std::string tag = updates == 0 ? "ping, " : "full datagram, ";
    Run((tag + "none").c_str(), m, nullptr, nullptr);
    Run((tag + "key ring [k1]").c_str(), m, &one, &one);
    Run((tag + "[k2,k1] -> [k1,k2]").c_str(), m, &rotating_signer, &rotating_checker);
  }
  return 0;
}

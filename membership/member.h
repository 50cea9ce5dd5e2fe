// Member: what a daemon owns to take part in membership. It runs a protocol
// core (SWIM by default) over a UDP socket on 127.0.0.1 or any host, plus a
// TCP listener on the same port number for the full-state sync on join, on
// one io_context thread of its own.
//
//   Member member(*Member::Options::FromFlags());
//   member.Subscribe([](const MemberEvent& e) { ... });   // before Start: no event missed
//   RETURN_NOT_OK(member.Start());                        // bind, join the seeds
//   ... member.Snapshot() ...
//   member.Leave();                                       // graceful
//
// Thread-safety: every public method may be called from any thread.
// Subscribers are called on the member's io thread, one event at a time, in
// order, with no lock held; they must not block for long and must not call
// Leave() or destroy the Member (Snapshot() and counters() are fine).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "membership/core.h"
#include "membership/types.h"

namespace mr::membership {

class Member {
 public:
  struct Options {
    Protocol protocol = Protocol::kSwim;
    CoreOptions core;
    std::string id;        // Required.
    std::string rack;
    std::map<std::string, std::string> metadata;
    std::string bind_host = "127.0.0.1";
    int port = 0;                     // UDP and TCP; 0: any port free for both (see port()).
    std::vector<std::string> seeds;   // "host:port" of members to join through.
    int64_t tick_ms = 10;             // How often the core's timers are checked.
    int64_t sync_timeout_ms = 5000;   // Deadline of one whole TCP sync exchange.
    uint64_t seed = 0;                // Random seed; 0: from the clock and id.

    // --membership_* flags: protocol, port, seeds, rack, plus CoreOptions;
    // the authenticator (issue 16): --membership_keyring_file's keyring,
    // else the process's (security::ProcessServerSecurity(), a daemon's
    // --security_dir), else none.
    static Result<Options> FromFlags();
  };

  using Callback = std::function<void(const MemberEvent&)>;

  explicit Member(Options options);
  // Stops without leaving (as a crash would look to the others).
  ~Member();
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  // Binds the UDP socket and the TCP listener, starts the io thread and
  // joins through the seeds. Once only.
  Status Start();
  // Tells a few members this one is leaving, then stops the io thread.
  // No-op if not started.
  void Leave();
  // Events from now on (subscribe before Start() to see every one); there
  // is no unsubscribe: a daemon subscribes once, for its whole life.
  void Subscribe(Callback callback);
  std::vector<MemberSnapshot> Snapshot() const;
  MemberCounters counters() const;
  // After Start(): this member's identity (its address has the bound port).
  const MemberIdentity& self() const;
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "host:port,host:port" -> addresses; InvalidArgument on a malformed one.
Result<std::vector<std::string>> ParseSeeds(const std::string& list);

}  // namespace mr::membership

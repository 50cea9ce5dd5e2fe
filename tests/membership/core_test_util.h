// Helpers for driving a protocol core by hand: identities, crafted
// messages, a driver that keeps up with the core's deadlines, and a tiny
// lossless network that delivers outboxes at once.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "membership/codec.h"
#include "membership/core.h"

namespace mr::membership::testing {

// "<prefix><i>". (Not `prefix + std::to_string(i)`: g++ 12 warns falsely
// on it, -Wrestrict.)
inline std::string NumberedId(const char* prefix, int i) {
  std::string id = prefix;
  id.append(std::to_string(i));
  return id;
}

inline std::shared_ptr<const MemberIdentity> Identity(const std::string& id) {
  auto identity = std::make_shared<MemberIdentity>();
  identity->id = id;
  identity->address = id + ":1";
  identity->rack = "r1";
  return identity;
}

inline wire::Update MakeUpdate(const std::string& id, wire::State::type state, int64_t incarnation,
                               bool with_identity = false) {
  wire::Update update;
  update.id = id;
  update.state = state;
  update.incarnation = incarnation;
  if (with_identity) update.__set_identity(ToWire(*Identity(id)));
  return update;
}

inline wire::Message NewMessage(const std::string& sender, wire::MessageType::type type,
                                int64_t seq, const std::string& cluster_id = "mr") {
  wire::Message message;
  message.version = kWireVersion;
  message.cluster_id = cluster_id;
  message.type = type;
  message.sender_id = sender;
  message.seq = seq;
  return message;
}

inline std::string MessageBytes(const std::string& sender, wire::MessageType::type type,
                                int64_t seq, std::vector<wire::Update> updates,
                                const std::string& cluster_id = "mr") {
  wire::Message message = NewMessage(sender, type, seq, cluster_id);
  message.updates = std::move(updates);
  return EncodeMessage(message);
}

inline std::vector<wire::Message> DecodeOutbox(ProtocolCore& core) {
  std::vector<wire::Message> out;
  for (const Outgoing& o : core.outbox()) {
    wire::Message m;
    if (DecodeMessage(o.bytes, &m).ok()) out.push_back(m);
  }
  return out;
}

// Ticks `core` at every deadline it asks for up to `until_ms`, then at
// `until_ms`, as a driver that keeps up does (a tick far past its deadline
// is taken for a stall of the member: core_base.h). After each tick,
// `after` (if given) may answer the outbox.
template <typename After>
void TickUntil(ProtocolCore& core, int64_t until_ms, After after) {
  for (int guard = 0; guard < 100000; ++guard) {
    int64_t next = core.NextDeadlineMs();
    if (next >= until_ms) break;
    core.Tick(next);
    after(next);
  }
  core.Tick(until_ms);
  after(until_ms);
}
inline void TickUntil(ProtocolCore& core, int64_t until_ms) {
  TickUntil(core, until_ms, [](int64_t) {});
}

// Answers, as the members in `responsive` would, every PING in `core`'s
// outbox addressed to one of them (an ACK with the same seq); drops the
// rest. Clears the outbox.
inline void AckPings(ProtocolCore& core, const std::set<std::string>& responsive,
                     int64_t now_ms) {
  std::vector<Outgoing> out;
  out.swap(core.outbox());
  for (const Outgoing& o : out) {
    wire::Message m;
    if (!DecodeMessage(o.bytes, &m).ok() || m.type != wire::MessageType::PING) continue;
    std::string to = o.to.substr(0, o.to.find(':'));
    if (!responsive.contains(to)) continue;
    core.OnDatagram(o.to, MessageBytes(to, wire::MessageType::ACK, m.seq, {}), now_ms);
  }
}

// Cores by address; Run() delivers every outbox, and carries every sync
// request to its server and the answer back, until none is left.
class InstantNetwork {
 public:
  void Add(ProtocolCore* core) { cores_[core->self()->address] = core; }
  void Run(int64_t now_ms) {
    for (int rounds = 0; rounds < 100; ++rounds) {
      bool any = false;
      for (auto& [address, core] : cores_) {
        if (down_.contains(address)) {
          core->outbox().clear();
          core->sync_requests().clear();
          continue;
        }
        std::vector<Outgoing> out;
        out.swap(core->outbox());
        for (const Outgoing& o : out) {
          any = true;
          auto it = cores_.find(o.to);
          if (it != cores_.end() && !down_.contains(o.to)) {
            it->second->OnDatagram(address, o.bytes, now_ms);
          }
        }
        std::vector<Outgoing> requests;
        requests.swap(core->sync_requests());
        for (const Outgoing& o : requests) {
          any = true;
          auto it = cores_.find(o.to);
          if (it == cores_.end() || down_.contains(o.to)) continue;
          Result<std::string> answer = it->second->OnSyncRequest(o.bytes, now_ms);
          if (answer.ok()) {
            EXPECT_TRUE(core->ApplyFullState(*answer, now_ms).ok());
          }
        }
      }
      if (!any) return;
    }
  }
  void Tick(int64_t now_ms) {
    for (auto& [address, core] : cores_) {
      if (!down_.contains(address)) core->Tick(now_ms);
    }
    Run(now_ms);
  }
  void Down(const std::string& address) { down_.insert(address); }
  void Up(const std::string& address) { down_.erase(address); }

 private:
  std::map<std::string, ProtocolCore*> cores_;
  std::set<std::string> down_;
};

// Starts `n` cores m0..m<n-1> (m0 a seed, the others joining through it)
// and runs them for `periods` periods on an InstantNetwork, ticking every
// 10 ms; every core must then know every other as alive.
template <typename Core>
void ExpectAllJoinThroughSeed(const CoreOptions& options, int n, int periods) {
  std::vector<std::unique_ptr<Core>> cores;
  InstantNetwork net;
  for (int i = 0; i < n; ++i) {
    cores.push_back(std::make_unique<Core>(options, Identity(NumberedId("m", i)), i));
    net.Add(cores.back().get());
  }
  cores[0]->Start(0, {});
  for (int i = 1; i < n; ++i) cores[i]->Start(0, {"m0:1"});
  for (int64_t t = 0; t <= periods * options.protocol_period_ms; t += 10) net.Tick(t);
  for (auto& core : cores) {
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(core->StateOf(NumberedId("m", i)), MemberState::kAlive)
          << core->self()->id << " about m" << i;
    }
  }
}

}  // namespace mr::membership::testing

// Bad input: garbage, truncated, oversized and foreign datagrams and sync
// streams are dropped and counted, never crash a member, and change nothing;
// the full-state sync on join in one message, whatever its size; the
// envelope's authentication hook.
#include <gtest/gtest.h>

#include "core_test_util.h"
#include "membership/gossip_core.h"
#include "membership/swim_core.h"
#include "test_util.h"

namespace mr::membership {
namespace {

using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;

std::vector<std::unique_ptr<ProtocolCore>> BothCores() {
  std::vector<std::unique_ptr<ProtocolCore>> cores;
  cores.push_back(NewProtocolCore(Protocol::kSwim, CoreOptions(), Identity("a"), 1));
  cores.push_back(NewProtocolCore(Protocol::kGossip, CoreOptions(), Identity("a"), 1));
  for (auto& core : cores) {
    core->Bootstrap({Identity("b")}, 0);
    core->Start(0, {});
  }
  return cores;
}

TEST(MembershipCodecTest, GarbageAndTruncatedDatagramsAreCounted) {
  for (auto& core : BothCores()) {
    uint64_t sent_before = core->counters().datagrams_sent;
    core->OnDatagram("x:1", "", 0);
    core->OnDatagram("x:1", "not thrift at all", 0);
    std::string good = MessageBytes("b", wire::MessageType::PING, 1,
                                    {MakeUpdate("c", wire::State::ALIVE, 1, true)});
    for (size_t n = 1; n < good.size(); ++n) core->OnDatagram("x:1", good.substr(0, n), 0);
    for (uint64_t seed = 0; seed < 2000; ++seed) {
      core->OnDatagram("x:1", mr::testing::RandomBytes(1 + seed % 300, seed), 0);
    }
    // Most random strings are rejected; a few may decode as an empty-ish
    // message of cluster "" (counted as another cluster). None is accepted.
    const MemberCounters& c = core->counters();
    EXPECT_GE(c.dropped_malformed, 2u + good.size() - 1 - 5);
    EXPECT_EQ(c.dropped_malformed + c.dropped_other_cluster, c.datagrams_received);
    EXPECT_FALSE(core->StateOf("c").has_value());
    EXPECT_EQ(core->counters().datagrams_sent, sent_before);
  }
}

TEST(MembershipCodecTest, OversizedDatagramsAreCounted) {
  for (auto& core : BothCores()) {
    std::vector<wire::Update> updates;
    for (int i = 0; i < 100; ++i) {
      updates.push_back(MakeUpdate("member-" + std::to_string(i), wire::State::ALIVE, 1, true));
    }
    std::string big = MessageBytes("b", wire::MessageType::GOSSIP, 1, updates);
    ASSERT_GT(big.size(), CoreOptions().max_datagram_bytes);
    core->OnDatagram("b:1", big, 0);
    EXPECT_EQ(core->counters().dropped_oversized, 1u);
    EXPECT_FALSE(core->StateOf("member-0").has_value());
  }
}

TEST(MembershipCodecTest, OtherClusterAndVersionAreIgnored) {
  for (auto& core : BothCores()) {
    std::string foreign = MessageBytes("c", wire::MessageType::GOSSIP, 1,
                                       {MakeUpdate("c", wire::State::ALIVE, 1, true)}, "other");
    core->OnDatagram("c:1", foreign, 0);
    EXPECT_EQ(core->counters().dropped_other_cluster, 1u);
    EXPECT_FALSE(core->StateOf("c").has_value());
    EXPECT_TRUE(core->outbox().empty());
    wire::Message future = testing::NewMessage("c", wire::MessageType::PING, 1);
    future.version = kWireVersion + 1;
    core->OnDatagram("c:1", EncodeMessage(future), 0);
    EXPECT_EQ(core->counters().dropped_other_cluster, 2u);
  }
}

TEST(MembershipCodecTest, UnknownEnumValuesAreMalformed) {
  for (auto& core : BothCores()) {
    wire::Update bad = MakeUpdate("c", wire::State::ALIVE, 1, true);
    bad.state = static_cast<wire::State::type>(99);
    core->OnDatagram("b:1", MessageBytes("b", wire::MessageType::PING, 1, {bad}), 0);
    core->OnDatagram("b:1", MessageBytes("b", static_cast<wire::MessageType::type>(77), 1, {}), 0);
    EXPECT_EQ(core->counters().dropped_malformed, 2u);
    EXPECT_FALSE(core->StateOf("c").has_value());
  }
}

TEST(MembershipCodecTest, JoinAndSyncDatagramsAreMalformed) {
  for (auto& core : BothCores()) {
    core->OnDatagram("c:1", MessageBytes("c", wire::MessageType::JOIN, 1,
                                         {MakeUpdate("c", wire::State::ALIVE, 1, true)}), 0);
    core->OnDatagram("b:1", MessageBytes("b", wire::MessageType::SYNC, 1,
                                         {MakeUpdate("d", wire::State::ALIVE, 1, true)}), 0);
    EXPECT_EQ(core->counters().dropped_malformed, 2u);
    EXPECT_FALSE(core->StateOf("c").has_value());
    EXPECT_FALSE(core->StateOf("d").has_value());
    EXPECT_TRUE(core->outbox().empty());
  }
}

TEST(MembershipCodecTest, BadSyncStreamsAreCountedAndUnanswered) {
  for (auto& core : BothCores()) {
    std::string join = MessageBytes("c", wire::MessageType::JOIN, 1,
                                    {MakeUpdate("c", wire::State::ALIVE, 1, true)});
    EXPECT_TRUE(core->OnSyncRequest("", 0).status().IsCorruption());
    EXPECT_FALSE(core->OnSyncRequest("not thrift at all", 0).ok());
    EXPECT_FALSE(core->OnSyncRequest(join.substr(0, join.size() - 1), 0).ok());
    // A SYNC where a JOIN belongs, and the other way round.
    EXPECT_FALSE(core->OnSyncRequest(MessageBytes("c", wire::MessageType::SYNC, 1, {}), 0).ok());
    EXPECT_FALSE(core->ApplyFullState(join, 0).ok());
    EXPECT_EQ(core->counters().sync_dropped_malformed, 5u);
    EXPECT_FALSE(core->OnSyncRequest(MessageBytes("c", wire::MessageType::JOIN, 1,
                                                  {MakeUpdate("c", wire::State::ALIVE, 1, true)},
                                                  "other"), 0).ok());
    EXPECT_FALSE(core->ApplyFullState(MessageBytes("b", wire::MessageType::SYNC, 1,
                                                   {MakeUpdate("d", wire::State::ALIVE, 1, true)},
                                                   "other"), 0).ok());
    EXPECT_EQ(core->counters().sync_dropped_other_cluster, 2u);
    EXPECT_FALSE(core->OnSyncRequest(std::string(CoreOptions().max_sync_bytes + 1, 'x'), 0).ok());
    EXPECT_EQ(core->counters().sync_dropped_oversized, 1u);
    EXPECT_FALSE(core->StateOf("c").has_value());
    EXPECT_FALSE(core->StateOf("d").has_value());
    EXPECT_EQ(core->counters().syncs_served + core->counters().syncs_applied, 0u);
    // And a good one is still answered.
    Result<std::string> answer = core->OnSyncRequest(join, 0);
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_EQ(core->StateOf("c"), MemberState::kAlive);
    EXPECT_EQ(core->counters().syncs_served, 1u);
  }
}

TEST(MembershipCodecTest, FullStateLargerThanADatagramSyncsInOneMessage) {
  for (Protocol protocol : {Protocol::kSwim, Protocol::kGossip}) {
    auto seed = NewProtocolCore(protocol, CoreOptions(), Identity("seed"), 1);
    std::vector<std::shared_ptr<const MemberIdentity>> many;
    for (int i = 0; i < 300; ++i) many.push_back(Identity(testing::NumberedId("m", i)));
    seed->Bootstrap(many, 0);
    seed->Start(0, {});
    auto joiner = NewProtocolCore(protocol, CoreOptions(), Identity("j"), 2);
    joiner->Start(0, {"seed:1"});
    joiner->Tick(0);
    ASSERT_EQ(joiner->sync_requests().size(), 1u);
    EXPECT_EQ(joiner->sync_requests()[0].to, "seed:1");
    Result<std::string> answer = seed->OnSyncRequest(joiner->sync_requests()[0].bytes, 0);
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_GT(answer->size(), 5 * CoreOptions().max_datagram_bytes);  // About 32 bytes a member.
    EXPECT_EQ(seed->StateOf("j"), MemberState::kAlive);
    joiner->sync_requests().clear();
    ASSERT_TRUE(joiner->ApplyFullState(*answer, 1).ok());
    EXPECT_EQ(joiner->Snapshot().size(), 302u);
    EXPECT_EQ(joiner->StateOf("m299"), MemberState::kAlive);
    EXPECT_EQ(joiner->counters().syncs_applied, 1u);
    // Joined: no JOIN again (a PUSH_PULL may follow: anti-entropy).
    joiner->Tick(CoreOptions().join_retry_ms * 3);
    for (const Outgoing& request : joiner->sync_requests()) {
      wire::Message m;
      ASSERT_TRUE(DecodeMessage(request.bytes, &m).ok());
      EXPECT_NE(m.type, wire::MessageType::JOIN);
    }
  }
}

TEST(MembershipCodecTest, FullStateOverTheSyncLimitIsNotSent) {
  CoreOptions options;
  options.max_sync_bytes = 2000;
  auto seed = NewProtocolCore(Protocol::kSwim, options, Identity("seed"), 1);
  std::vector<std::shared_ptr<const MemberIdentity>> many;
  for (int i = 0; i < 300; ++i) many.push_back(Identity(testing::NumberedId("m", i)));
  seed->Bootstrap(many, 0);
  seed->Start(0, {});
  std::string join = MessageBytes("c", wire::MessageType::JOIN, 1,
                                  {MakeUpdate("c", wire::State::ALIVE, 1, true)});
  EXPECT_TRUE(seed->OnSyncRequest(join, 0).status().IsUnavailable());
  EXPECT_EQ(seed->counters().syncs_served, 0u);
}

// A stand-in for issue 16's keyed authenticator: a keyed 8-byte FNV-1a.
// (Not a MAC anyone should use: it only exercises the envelope's hook.)
class ToyAuthenticator : public Authenticator {
 public:
  explicit ToyAuthenticator(uint64_t key) : key_(key) {}
  uint8_t scheme() const override { return 0x7f; }
  size_t tag_bytes() const override { return 8; }
  std::string Tag(std::string_view covered) const override {
    uint64_t h = 1469598103934665603ULL ^ key_;
    for (char c : covered) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
    return std::string(reinterpret_cast<const char*>(&h), sizeof(h));
  }
  bool Verify(std::string_view covered, std::string_view tag) const override {
    return Tag(covered) == tag;
  }

 private:
  uint64_t key_;
};

TEST(MembershipCodecTest, AnAuthenticatorTagsAndChecksEveryEnvelope) {
  auto key = std::make_shared<ToyAuthenticator>(42);
  wire::Message ping = testing::NewMessage("b", wire::MessageType::PING, 7);
  std::string sealed = EncodeMessage(ping, key.get());
  EXPECT_EQ(sealed.size(), EncodeMessage(ping).size() + 8);
  wire::Message decoded;
  ASSERT_TRUE(DecodeMessage(sealed, &decoded, key.get()).ok());
  EXPECT_EQ(decoded.seq, 7);
  // Without the key, with another key, tampered: refused.
  EXPECT_TRUE(DecodeMessage(sealed, &decoded).IsPermissionDenied());
  ToyAuthenticator other_key(43);
  EXPECT_TRUE(DecodeMessage(sealed, &decoded, &other_key).IsPermissionDenied());
  std::string tampered = sealed;
  tampered[5] ^= 1;
  EXPECT_TRUE(DecodeMessage(tampered, &decoded, key.get()).IsPermissionDenied());
  EXPECT_TRUE(DecodeMessage(EncodeMessage(ping), &decoded, key.get()).IsPermissionDenied());
  EXPECT_TRUE(DecodeMessage(sealed.substr(0, 5), &decoded, key.get()).IsPermissionDenied());

  // Cores with the key talk; a datagram without it, or tampered with, is
  // dropped and counted as unauthenticated.
  CoreOptions options;
  options.authenticator = key;
  SwimCore a(options, Identity("a"), 1);
  a.Bootstrap({Identity("b")}, 0);
  a.Start(0, {});
  a.OnDatagram("b:1", sealed, 0);
  ASSERT_EQ(a.outbox().size(), 1u);  // The ACK, sealed too.
  ASSERT_TRUE(DecodeMessage(a.outbox()[0].bytes, &decoded, key.get()).ok());
  EXPECT_EQ(decoded.type, wire::MessageType::ACK);
  a.outbox().clear();
  a.OnDatagram("b:1", MessageBytes("b", wire::MessageType::PING, 8,
                                   {MakeUpdate("b", wire::State::SUSPECT, INT64_MAX)}), 0);
  a.OnDatagram("b:1", tampered, 0);
  EXPECT_TRUE(a.outbox().empty());
  EXPECT_EQ(a.counters().dropped_unauthenticated, 2u);
  EXPECT_EQ(a.counters().dropped_other_cluster, 0u);

  // The TCP sync too: an unkeyed JOIN is refused, a keyed one answered keyed.
  wire::Message join = testing::NewMessage("c", wire::MessageType::JOIN, 9);
  join.updates = {MakeUpdate("c", wire::State::ALIVE, 1, true)};
  EXPECT_FALSE(a.OnSyncRequest(EncodeMessage(join), 0).ok());
  EXPECT_EQ(a.counters().sync_dropped_unauthenticated, 1u);
  EXPECT_FALSE(a.StateOf("c").has_value());
  Result<std::string> sync = a.OnSyncRequest(EncodeMessage(join, key.get()), 0);
  ASSERT_TRUE(sync.ok()) << sync.status().ToString();
  ASSERT_TRUE(DecodeMessage(*sync, &decoded, key.get()).ok());
  EXPECT_EQ(decoded.type, wire::MessageType::SYNC);
  EXPECT_TRUE(a.StateOf("c").has_value());
}

}  // namespace
}  // namespace mr::membership

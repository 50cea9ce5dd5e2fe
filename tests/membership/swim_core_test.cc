// SWIM core state machine: override rules, probing, suspicion timeout,
// refutation, leave and join, driven by hand with a fake clock. Lifeguard,
// the incarnation bound and anti-entropy: swim_lifeguard_test.cc.
#include "membership/swim_core.h"

#include <gtest/gtest.h>

#include "core_test_util.h"

namespace mr::membership {
namespace {

using testing::AckPings;
using testing::DecodeOutbox;
using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;
using testing::TickUntil;

class SwimCoreTest : public ::testing::Test {
 protected:
  SwimCoreTest() : core_(options_, Identity("a"), 7) {
    core_.Bootstrap({Identity("a"), Identity("b"), Identity("c")}, 0);
    core_.Start(0, {});
  }

  // `update` arrives piggybacked on a PING from b.
  void Hear(const wire::Update& update, int64_t now_ms = 0) {
    core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::PING, 99, {update}), now_ms);
  }
  std::optional<MemberState> State(const std::string& id) { return core_.StateOf(id); }
  std::vector<EventType> TakeEvents() {
    std::vector<EventType> types;
    for (const MemberEvent& e : core_.events()) types.push_back(e.type);
    core_.events().clear();
    return types;
  }

  CoreOptions options_;
  SwimCore core_;
};

TEST_F(SwimCoreTest, IncarnationOverrideRules) {
  Hear(MakeUpdate("c", wire::State::SUSPECT, 0));
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kSuspect});
  Hear(MakeUpdate("c", wire::State::ALIVE, 0));  // Suspect(i) beats Alive(i).
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  Hear(MakeUpdate("c", wire::State::ALIVE, 1));  // Alive(i) beats Suspect(j) for i > j.
  EXPECT_EQ(State("c"), MemberState::kAlive);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kAlive});
  Hear(MakeUpdate("c", wire::State::SUSPECT, 0));  // Stale suspicion.
  EXPECT_EQ(State("c"), MemberState::kAlive);
  Hear(MakeUpdate("c", wire::State::SUSPECT, 5));  // Ahead of any Alive we heard: ignored.
  EXPECT_EQ(State("c"), MemberState::kAlive);
  Hear(MakeUpdate("c", wire::State::FAILED, 5));
  EXPECT_EQ(State("c"), MemberState::kAlive);
  Hear(MakeUpdate("c", wire::State::SUSPECT, 1));
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  Hear(MakeUpdate("c", wire::State::FAILED, 1));  // Failed beats suspect ...
  EXPECT_EQ(State("c"), MemberState::kFailed);
  Hear(MakeUpdate("c", wire::State::ALIVE, 1, true));  // ... and alive at the same incarnation.
  EXPECT_EQ(State("c"), MemberState::kFailed);
  EXPECT_EQ(TakeEvents(), (std::vector<EventType>{EventType::kSuspect, EventType::kFailed}));
  Hear(MakeUpdate("c", wire::State::ALIVE, 2, true));  // A rejoin at a higher incarnation.
  EXPECT_EQ(State("c"), MemberState::kAlive);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kJoined});
  Hear(MakeUpdate("c", wire::State::FAILED, 1));  // Older than the rejoin: ignored.
  EXPECT_EQ(State("c"), MemberState::kAlive);
  Hear(MakeUpdate("b", wire::State::FAILED, 0));  // Failed beats alive at >= incarnation.
  EXPECT_EQ(State("b"), MemberState::kFailed);
}

TEST_F(SwimCoreTest, AHigherIncarnationFromANewAddressMovesTheMember) {
  wire::Update restarted = MakeUpdate("c", wire::State::ALIVE, 7, true);
  restarted.identity.address = "c:2";
  Hear(restarted);
  for (const MemberSnapshot& s : core_.Snapshot()) {
    if (s.member->id == "c") {
      EXPECT_EQ(s.member->address, "c:2");
    }
  }
}

TEST_F(SwimCoreTest, NewsAboutUnknownMembers) {
  Hear(MakeUpdate("x", wire::State::SUSPECT, 5));  // Unknown and no identity: ignored.
  EXPECT_FALSE(State("x").has_value());
  Hear(MakeUpdate("x", wire::State::ALIVE, 5));  // No identity to reach it by: ignored.
  EXPECT_FALSE(State("x").has_value());
  Hear(MakeUpdate("x", wire::State::ALIVE, 5, true));
  EXPECT_EQ(State("x"), MemberState::kAlive);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kJoined});
}

TEST_F(SwimCoreTest, RefutesSuspicionAboutItself) {
  EXPECT_EQ(core_.incarnation(), 0);
  Hear(MakeUpdate("a", wire::State::SUSPECT, 0));
  EXPECT_EQ(core_.incarnation(), 1);
  EXPECT_EQ(core_.counters().refutations, 1u);
  Hear(MakeUpdate("a", wire::State::SUSPECT, 0));  // Already refuted.
  EXPECT_EQ(core_.incarnation(), 1);
  // The refutation rides on the next message: the ACK to b's PING.
  core_.outbox().clear();
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::PING, 5, {}), 0);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, wire::MessageType::ACK);
  EXPECT_EQ(out[0].seq, 5);
  bool refuted = false;
  for (const wire::Update& u : out[0].updates) {
    refuted |= u.id == "a" && u.state == wire::State::ALIVE && u.incarnation == 1;
  }
  EXPECT_TRUE(refuted);
  Hear(MakeUpdate("a", wire::State::FAILED, 3));  // Even "failed" is refuted, above it.
  EXPECT_EQ(core_.incarnation(), 4);
}

TEST_F(SwimCoreTest, UnansweredProbeSuspectsThenFailsAfterTimeout) {
  // c never answers; b acks every PING (so this member sees no loss).
  auto b_answers = [&](int64_t now) { AckPings(core_, {"b"}, now); };
  int64_t probed_at = -1;
  for (int guard = 0; probed_at < 0 && guard < 1000; ++guard) {
    int64_t now = core_.NextDeadlineMs();
    core_.Tick(now);
    for (const wire::Message& m : DecodeOutbox(core_)) {
      if (m.type == wire::MessageType::PING && m.target_id == "c") probed_at = now;
    }
    if (probed_at < 0) b_answers(now);
  }
  ASSERT_GE(probed_at, 0);
  core_.outbox().clear();
  TickUntil(core_, probed_at + options_.ping_timeout_ms - 1, b_answers);
  // At the ping timeout: a PING_REQ to the other member, and the PING again.
  core_.Tick(probed_at + options_.ping_timeout_ms);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, wire::MessageType::PING);
  EXPECT_EQ(out[0].target_id, "c");
  EXPECT_EQ(out[1].type, wire::MessageType::PING_REQ);
  EXPECT_EQ(core_.outbox()[1].to, "b:1");
  EXPECT_EQ(out[1].target_id, "c");
  core_.outbox().clear();
  TickUntil(core_, probed_at + options_.protocol_period_ms, b_answers);  // Suspect.
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kSuspect});
  // N = 3: log10 3 < 1, so the timeout is suspicion_mult periods, and no
  // confirmations are expected (too few members), so it is final at once.
  const int64_t timeout = core_.SuspicionTimeoutMs();
  EXPECT_EQ(timeout, static_cast<int64_t>(options_.suspicion_mult * options_.protocol_period_ms));
  const int64_t suspected_at = probed_at + options_.protocol_period_ms;
  TickUntil(core_, suspected_at + timeout - 1, b_answers);
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  TickUntil(core_, suspected_at + timeout, b_answers);
  EXPECT_EQ(State("c"), MemberState::kFailed);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kFailed});
}

TEST_F(SwimCoreTest, AckOrRelayedAckKeepsTargetAlive) {
  core_.Tick(0);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  const std::string target = out[0].target_id;
  const int64_t seq = out[0].seq;
  core_.outbox().clear();
  core_.Tick(options_.ping_timeout_ms);
  // The helper's relayed ACK carries our probe's seq.
  const std::string helper = target == "b" ? "c" : "b";
  core_.OnDatagram(helper + ":1", MessageBytes(helper, wire::MessageType::ACK, seq, {}), 150);
  TickUntil(core_, options_.protocol_period_ms);
  EXPECT_EQ(State(target), MemberState::kAlive);
  EXPECT_TRUE(TakeEvents().empty());
}

TEST_F(SwimCoreTest, WithoutSuspicionAMissIsAFailure) {
  CoreOptions options;
  options.suspicion = false;
  SwimCore core(options, Identity("a"), 7);
  core.Bootstrap({Identity("b")}, 0);
  core.Start(0, {});
  TickUntil(core, options.protocol_period_ms);
  EXPECT_EQ(core.StateOf("b"), MemberState::kFailed);
}

TEST_F(SwimCoreTest, RelaysPingReqRetriesAndNacks) {
  wire::Message request = testing::NewMessage("b", wire::MessageType::PING_REQ, 42);
  request.__set_target_id("c");
  request.__set_target_address("c:1");
  core_.OnDatagram("b:1", EncodeMessage(request), 10);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(core_.outbox()[0].to, "c:1");
  EXPECT_EQ(out[0].type, wire::MessageType::PING);
  const int64_t relay_seq = out[0].seq;
  core_.outbox().clear();
  // No ack: one more PING halfway to the ping timeout, then a NACK to b.
  // (Our own probes go on meanwhile: only the relay's messages count here.)
  auto relay_messages = [&] {
    std::vector<wire::Message> relayed;
    for (const wire::Message& m : DecodeOutbox(core_)) {
      if (m.seq == relay_seq || m.type == wire::MessageType::NACK) relayed.push_back(m);
    }
    core_.outbox().clear();
    return relayed;
  };
  TickUntil(core_, 10 + options_.ping_timeout_ms / 2 - 1);
  core_.outbox().clear();
  core_.Tick(10 + options_.ping_timeout_ms / 2);
  out = relay_messages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, wire::MessageType::PING);
  EXPECT_EQ(out[0].target_id, "c");
  TickUntil(core_, 10 + options_.ping_timeout_ms - 1);
  core_.outbox().clear();
  core_.Tick(10 + options_.ping_timeout_ms);
  out = relay_messages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, wire::MessageType::NACK);
  EXPECT_EQ(out[0].seq, 42);
  EXPECT_EQ(core_.counters().nacks_sent, 1u);
  // A late ack is still relayed.
  core_.OnDatagram("c:1", MessageBytes("c", wire::MessageType::ACK, relay_seq, {}), 120);
  ASSERT_EQ(core_.outbox().size(), 1u);
  out = DecodeOutbox(core_);
  EXPECT_EQ(core_.outbox()[0].to, "b:1");
  EXPECT_EQ(out[0].type, wire::MessageType::ACK);
  EXPECT_EQ(out[0].seq, 42);
}

TEST_F(SwimCoreTest, PingForAnotherIdIsNotAnswered) {
  wire::Message ping = testing::NewMessage("b", wire::MessageType::PING, 1);
  ping.__set_target_id("someone-else");
  core_.OnDatagram("b:1", EncodeMessage(ping), 0);
  EXPECT_TRUE(core_.outbox().empty());
  EXPECT_EQ(core_.counters().dropped_misdirected, 1u);
}

TEST_F(SwimCoreTest, LeaveIsHeardAndSent) {
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::LEAVE, 1,
                                       {MakeUpdate("b", wire::State::LEFT, 0)}), 0);
  EXPECT_EQ(State("b"), MemberState::kLeft);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kLeft});
  core_.outbox().clear();
  core_.Leave(10);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);  // Only c is still alive.
  EXPECT_EQ(out[0].type, wire::MessageType::LEAVE);
  EXPECT_EQ(out[0].updates.at(0).state, wire::State::LEFT);
  core_.outbox().clear();
  core_.Tick(1000);  // A member that left is silent.
  EXPECT_TRUE(core_.outbox().empty());
}

TEST_F(SwimCoreTest, LeftMembersGoAfterRetentionFailedOnesAfterTheReconnectTimeout) {
  Hear(MakeUpdate("b", wire::State::LEFT, 0), 0);
  Hear(MakeUpdate("c", wire::State::FAILED, 0), 0);
  TickUntil(core_, options_.dead_retention_ms);
  EXPECT_FALSE(State("b").has_value());
  // A failed member is kept (and retried) much longer: it may be behind a
  // partition.
  EXPECT_EQ(State("c"), MemberState::kFailed);
  core_.Tick(options_.reconnect_timeout_ms);
  EXPECT_FALSE(State("c").has_value());
}

TEST_F(SwimCoreTest, PiggybackNeverExceedsTheDatagramLimit) {
  for (int i = 0; i < 200; ++i) {
    Hear(MakeUpdate("member-with-a-long-name-" + std::to_string(i), wire::State::ALIVE, 1, true));
  }
  core_.outbox().clear();
  core_.Tick(0);
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::PING, 1, {}), 0);
  ASSERT_FALSE(core_.outbox().empty());
  for (const Outgoing& o : core_.outbox()) {
    EXPECT_LE(o.bytes.size(), options_.max_datagram_bytes);
    EXPECT_GT(o.bytes.size(), options_.max_datagram_bytes / 2);  // Well filled.
  }
}

TEST(SwimJoinTest, MembersJoinThroughASeedAndLearnOfEachOther) {
  CoreOptions options;
  options.max_datagram_bytes = 200;  // The SYNC is far larger: streams don't mind.
  testing::ExpectAllJoinThroughSeed<SwimCore>(options, 8, 40);
}

}  // namespace
}  // namespace mr::membership

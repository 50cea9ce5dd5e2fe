// SWIM core state machine: override rules, probing, suspicion timeout,
// refutation, leave and join, driven by hand with a fake clock.
#include "membership/swim_core.h"

#include <gtest/gtest.h>

#include "core_test_util.h"

namespace mr::membership {
namespace {

using testing::DecodeOutbox;
using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;

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
  core_.Tick(0);
  std::vector<wire::Message> out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].type, wire::MessageType::PING);
  const std::string target = out[0].target_id;
  const std::string helper = target == "b" ? "c" : "b";
  core_.outbox().clear();
  EXPECT_EQ(core_.NextDeadlineMs(), options_.ping_timeout_ms);
  core_.Tick(options_.ping_timeout_ms);  // No ack: ask the other member.
  out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, wire::MessageType::PING_REQ);
  EXPECT_EQ(core_.outbox()[0].to, helper + ":1");
  EXPECT_EQ(out[0].target_id, target);
  core_.outbox().clear();
  core_.Tick(options_.protocol_period_ms);  // End of the period: suspect.
  EXPECT_EQ(State(target), MemberState::kSuspect);
  EXPECT_EQ(TakeEvents(), std::vector<EventType>{EventType::kSuspect});
  // N = 3: log10 3 < 1, so the timeout is suspicion_mult periods.
  const int64_t timeout = core_.SuspicionTimeoutMs();
  EXPECT_EQ(timeout, static_cast<int64_t>(options_.suspicion_mult * options_.protocol_period_ms));
  core_.Tick(options_.protocol_period_ms + timeout - 1);
  EXPECT_EQ(State(target), MemberState::kSuspect);
  core_.Tick(options_.protocol_period_ms + timeout);
  EXPECT_EQ(State(target), MemberState::kFailed);
  // (Later probes of the other member, unanswered too, add its own events.)
  bool failed = false;
  for (const MemberEvent& e : core_.events()) {
    failed |= e.member->id == target && e.type == EventType::kFailed;
  }
  EXPECT_TRUE(failed);
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
  core_.Tick(options_.protocol_period_ms);
  EXPECT_EQ(State(target), MemberState::kAlive);
  EXPECT_TRUE(TakeEvents().empty());
}

TEST_F(SwimCoreTest, WithoutSuspicionAMissIsAFailure) {
  CoreOptions options;
  options.suspicion = false;
  SwimCore core(options, Identity("a"), 7);
  core.Bootstrap({Identity("b")}, 0);
  core.Start(0, {});
  core.Tick(0);
  core.Tick(options.ping_timeout_ms);
  core.Tick(options.protocol_period_ms);
  EXPECT_EQ(core.StateOf("b"), MemberState::kFailed);
}

TEST_F(SwimCoreTest, RelaysPingReq) {
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
  core_.OnDatagram("c:1", MessageBytes("c", wire::MessageType::ACK, relay_seq, {}), 20);
  out = DecodeOutbox(core_);
  ASSERT_EQ(out.size(), 1u);
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

TEST_F(SwimCoreTest, FailedMembersAreDeletedAfterRetention) {
  Hear(MakeUpdate("c", wire::State::FAILED, 0), 0);
  core_.Tick(options_.dead_retention_ms);
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

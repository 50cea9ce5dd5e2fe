// Gossip-heartbeat core: failure after T_fail, no resurrection by stale
// lists, deletion after T_cleanup, join, leave; a stalled member neither
// accuses nor resurrects anyone when it resumes; bounded heartbeats.
#include "membership/gossip_core.h"

#include <climits>

#include <gtest/gtest.h>

#include "core_test_util.h"

namespace mr::membership {
namespace {

using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;

class GossipCoreTest : public ::testing::Test {
 protected:
  GossipCoreTest() : core_(options_, Identity("a"), 3) {
    core_.Bootstrap({Identity("b"), Identity("c")}, 0);
    core_.Start(0, {});
  }
  void HearList(int64_t b_heartbeat, int64_t c_heartbeat, int64_t now_ms) {
    core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                         {MakeUpdate("b", wire::State::ALIVE, b_heartbeat, true),
                                          MakeUpdate("c", wire::State::ALIVE, c_heartbeat, true)}),
                     now_ms);
  }
  CoreOptions options_;
  GossipCore core_;
};

TEST_F(GossipCoreTest, FailsAfterTFailAndIgnoresStaleListsUntilCleanup) {
  // b's heartbeat keeps growing; c's stops at 5.
  int64_t t = 0;
  for (int64_t hb = 1; t < options_.gossip_fail_ms; ++hb, t += options_.protocol_period_ms) {
    HearList(hb, 5, t);
    core_.Tick(t);
  }
  core_.Tick(t);
  EXPECT_EQ(core_.StateOf("b"), MemberState::kAlive);
  EXPECT_EQ(core_.StateOf("c"), MemberState::kFailed);
  bool failed_event = false;
  for (const MemberEvent& e : core_.events()) {
    failed_event |= e.type == EventType::kFailed && e.member->id == "c";
  }
  EXPECT_TRUE(failed_event);
  // A stale list (c at 5) or even a newer heartbeat does not bring it back
  // before cleanup.
  HearList(1000, 5, t);
  HearList(1001, 6, t);
  EXPECT_EQ(core_.StateOf("c"), MemberState::kFailed);
  core_.Tick(t + options_.gossip_cleanup_ms);
  EXPECT_FALSE(core_.StateOf("c").has_value());
}

TEST_F(GossipCoreTest, SendsItsListToFanoutMembers) {
  core_.Tick(0);
  ASSERT_EQ(core_.outbox().size(), 2u);  // b = 2 of the 2 others.
  wire::Message m;
  ASSERT_TRUE(DecodeMessage(core_.outbox()[0].bytes, &m).ok());
  EXPECT_EQ(m.type, wire::MessageType::GOSSIP);
  EXPECT_EQ(m.updates.size(), 3u);  // a (itself), b, c.
}

TEST_F(GossipCoreTest, LeftEntriesSpread) {
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::LEAVE, 0,
                                       {MakeUpdate("b", wire::State::LEFT, 3)}), 0);
  EXPECT_EQ(core_.StateOf("b"), MemberState::kLeft);
}

// The paused member: a stops (SIGSTOP) for longer than T_fail +
// T_cleanup, during which c crashes and the others fail and delete it.
// When a resumes it must neither declare b failed (b is fine: its gossip
// is about to be read) nor pass c on as alive (the others would take c back).
TEST_F(GossipCoreTest, AResumedMemberNeitherAccusesNorResurrects) {
  const int64_t period = options_.protocol_period_ms;
  int64_t t = 0;
  for (int64_t hb = 1; t <= 10 * period; ++hb, t += period) {
    HearList(hb, hb, t);
    core_.Tick(t);
  }
  core_.outbox().clear();
  core_.events().clear();
  const int64_t resumed = t + options_.gossip_fail_ms + options_.gossip_cleanup_ms + 1000;
  core_.Tick(resumed);  // The first tick after the pause.
  EXPECT_EQ(core_.counters().stalls, 1u);
  EXPECT_TRUE(core_.events().empty());  // Nobody accused.
  EXPECT_EQ(core_.StateOf("b"), MemberState::kAlive);
  // Its list leaves out everyone it has not heard from since the pause.
  ASSERT_FALSE(core_.outbox().empty());
  wire::Message list;
  ASSERT_TRUE(DecodeMessage(core_.outbox()[0].bytes, &list).ok());
  ASSERT_EQ(list.updates.size(), 1u);
  EXPECT_EQ(list.updates[0].id, "a");
  // Gossip read right after the pause may be its backlog: b's heartbeat
  // grows, but b is not passed on until fresh news a period later.
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                       {MakeUpdate("b", wire::State::ALIVE, 1000, true),
                                        MakeUpdate("c", wire::State::ALIVE, 50, true)}),
                   resumed + 1);
  core_.outbox().clear();
  t = resumed + period;
  core_.Tick(t);
  ASSERT_FALSE(core_.outbox().empty());
  ASSERT_TRUE(DecodeMessage(core_.outbox()[0].bytes, &list).ok());
  EXPECT_EQ(list.updates.size(), 1u);
  // b's gossip (without c), a period after the pause: b is current again.
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                       {MakeUpdate("b", wire::State::ALIVE, 1001, true)}), t);
  core_.outbox().clear();
  t += period;
  core_.Tick(t);
  ASSERT_FALSE(core_.outbox().empty());
  ASSERT_TRUE(DecodeMessage(core_.outbox()[0].bytes, &list).ok());
  ASSERT_EQ(list.updates.size(), 2u);
  EXPECT_EQ(list.updates[1].id, "b");
  // c, never heard from again, is failed a whole T_fail after the resume.
  for (int64_t hb = 1001; t < resumed + options_.gossip_fail_ms - period; ++hb, t += period) {
    core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                         {MakeUpdate("b", wire::State::ALIVE, hb, true)}), t);
    core_.Tick(t);
  }
  EXPECT_EQ(core_.StateOf("c"), MemberState::kAlive);
  for (int64_t hb = 2000; t <= resumed + options_.gossip_fail_ms + period; ++hb, t += period) {
    core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                         {MakeUpdate("b", wire::State::ALIVE, hb, true)}), t);
    core_.Tick(t);
  }
  EXPECT_EQ(core_.StateOf("c"), MemberState::kFailed);
  EXPECT_EQ(core_.StateOf("b"), MemberState::kAlive);
}

TEST_F(GossipCoreTest, HeartbeatsPastTheBoundAreRefusedAndOwnOnesJumpAhead) {
  HearList(INT64_MAX, 1, 0);  // b's heartbeat pushed to the end of time: refused.
  EXPECT_EQ(core_.counters().dropped_forged, 1u);
  HearList(2, 2, 0);
  core_.outbox().clear();
  core_.Tick(0);
  wire::Message list;
  ASSERT_TRUE(DecodeMessage(core_.outbox()[0].bytes, &list).ok());
  for (const wire::Update& u : list.updates) {
    if (u.id == "b") EXPECT_EQ(u.incarnation, 2);
  }
  // Someone lists us ahead of ourselves (within the bound): we jump past
  // it, or its holders would see our heartbeat stand still.
  core_.OnDatagram("b:1", MessageBytes("b", wire::MessageType::GOSSIP, 0,
                                       {MakeUpdate("a", wire::State::ALIVE, 500000, true)}), 0);
  EXPECT_EQ(core_.heartbeat(), 500001);
}

TEST(GossipJoinTest, MembersJoinThroughASeed) {
  testing::ExpectAllJoinThroughSeed<GossipCore>(CoreOptions(), 6, 20);
}

}  // namespace
}  // namespace mr::membership

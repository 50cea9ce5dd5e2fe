// Gossip-heartbeat core: failure after T_fail, no resurrection by stale
// lists, deletion after T_cleanup, join, leave.
#include "membership/gossip_core.h"

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

TEST(GossipJoinTest, MembersJoinThroughASeed) {
  testing::ExpectAllJoinThroughSeed<GossipCore>(CoreOptions(), 6, 20);
}

}  // namespace
}  // namespace mr::membership

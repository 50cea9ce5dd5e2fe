// The SWIM core's issue 15 behaviour, driven by hand: the incarnation bound
// (no datagram pushes anyone past the wall clock; a member can always
// refute), a member's own Alive riding on its PINGs until acked (every join
// reaches everyone), full-state merges that never revive the dead,
// anti-entropy scheduling, Lifeguard (suspicion timeouts that shrink with
// confirmations, local health, stalls), and re-probing under heavy loss.
#include <climits>
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "core_test_util.h"
#include "membership/member_directory.h"
#include "membership/suspicion.h"
#include "membership/swim_core.h"

namespace mr::membership {
namespace {

using testing::AckPings;
using testing::DecodeOutbox;
using testing::Identity;
using testing::MakeUpdate;
using testing::MessageBytes;
using testing::NumberedId;
using testing::TickUntil;

// A core "a" that knows b..(n-1 others) and hears datagrams from b.
class SwimLifeguardTest : public ::testing::Test {
 protected:
  explicit SwimLifeguardTest(int others = 2) {
    options_.wall_clock_ms = kWallClock;
    core_ = std::make_unique<SwimCore>(options_, Identity("a"), 7);
    std::vector<std::shared_ptr<const MemberIdentity>> members = {Identity("a")};
    for (int i = 0; i < others; ++i) members.push_back(Identity(std::string(1, 'b' + i)));
    core_->Bootstrap(members, 0);
    core_->Start(0, {});
  }

  void Hear(const wire::Update& update, int64_t now_ms = 0, const std::string& from = "b") {
    core_->OnDatagram(from + ":1", MessageBytes(from, wire::MessageType::PING, 99, {update}),
                      now_ms);
  }
  std::optional<MemberState> State(const std::string& id) { return core_->StateOf(id); }
  int64_t IncarnationOf(const std::string& id) {
    for (const MemberSnapshot& s : core_->Snapshot()) {
      if (s.member->id == id) return s.incarnation;
    }
    return -1;
  }

  static constexpr int64_t kWallClock = 1'800'000'000'000;  // 2027, in ms.
  CoreOptions options_;
  std::unique_ptr<SwimCore> core_;
};

TEST_F(SwimLifeguardTest, Int64MaxSuspicionEvictsNobody) {
  // The 40-byte datagram: "b is suspect at INT64_MAX".
  Hear(MakeUpdate("b", wire::State::SUSPECT, INT64_MAX));
  Hear(MakeUpdate("b", wire::State::FAILED, INT64_MAX));
  Hear(MakeUpdate("b", wire::State::ALIVE, INT64_MAX, true));  // Nor can it be pushed there.
  EXPECT_EQ(State("b"), MemberState::kAlive);
  EXPECT_EQ(IncarnationOf("b"), 0);
  // About ourselves: not refuted either (our refutation would be refused).
  Hear(MakeUpdate("a", wire::State::SUSPECT, INT64_MAX));
  EXPECT_EQ(core_->incarnation(), 0);
  EXPECT_EQ(core_->counters().dropped_forged, 4u);
  EXPECT_EQ(core_->counters().refutations, 0u);
  EXPECT_TRUE(core_->events().empty());
}

TEST_F(SwimLifeguardTest, IncarnationsUpToTheWallClockBoundAreHeard) {
  const int64_t limit = kWallClock + options_.max_incarnation_lead_ms;
  Hear(MakeUpdate("b", wire::State::ALIVE, limit + 1, true));
  EXPECT_EQ(IncarnationOf("b"), 0);
  Hear(MakeUpdate("b", wire::State::ALIVE, limit, true));
  EXPECT_EQ(IncarnationOf("b"), limit);
  // The bound moves with the clock.
  Hear(MakeUpdate("c", wire::State::ALIVE, limit + 5000, true), 5000);
  EXPECT_EQ(IncarnationOf("c"), limit + 5000);
}

TEST_F(SwimLifeguardTest, OwnIncarnationCanAlwaysBeRefuted) {
  // A forged Alive for "a" at the very bound, from another address: "a"
  // takes it over, one above ...
  const int64_t limit = kWallClock + options_.max_incarnation_lead_ms;
  wire::Update forged = MakeUpdate("a", wire::State::ALIVE, limit, true);
  forged.identity.address = "attacker:1";
  Hear(forged);
  EXPECT_EQ(core_->incarnation(), limit + 1);
  // ... which a peer with the same clock accepts a millisecond later, so a
  // suspicion at the forged incarnation is refuted everywhere.
  CoreOptions peer_options;
  peer_options.wall_clock_ms = kWallClock;
  SwimCore peer(peer_options, Identity("b"), 3);
  peer.Bootstrap({Identity("a"), Identity("b")}, 0);
  peer.Start(0, {});
  peer.OnDatagram("x:1", MessageBytes("x", wire::MessageType::PING, 1,
                                      {forged, MakeUpdate("a", wire::State::SUSPECT, limit)}), 0);
  EXPECT_EQ(peer.StateOf("a"), MemberState::kSuspect);
  peer.OnDatagram("a:1", MessageBytes("a", wire::MessageType::PING, 2,
                                      {MakeUpdate("a", wire::State::ALIVE, limit + 1, true)}), 1);
  EXPECT_EQ(peer.StateOf("a"), MemberState::kAlive);
  for (const MemberSnapshot& s : peer.Snapshot()) {
    if (s.member->id == "a") {
      EXPECT_EQ(s.incarnation, limit + 1);
      EXPECT_EQ(s.member->address, "a:1");  // Its own address back.
    }
  }
}

TEST_F(SwimLifeguardTest, AStaleAccusationIsAnsweredAgain) {
  Hear(MakeUpdate("a", wire::State::SUSPECT, 0));
  ASSERT_EQ(core_->incarnation(), 1);
  // Let the refutation be sent out fully (b and c ping us often).
  for (int i = 0; i < 40; ++i) {
    core_->OnDatagram("c:1", MessageBytes("c", wire::MessageType::PING, i, {}), 0);
  }
  core_->outbox().clear();
  // Someone still passes the old suspicion on: it missed the refutation.
  Hear(MakeUpdate("a", wire::State::SUSPECT, 0));
  EXPECT_EQ(core_->incarnation(), 1);  // No new incarnation ...
  bool resent = false;
  for (const wire::Message& m : DecodeOutbox(*core_)) {  // ... the same one, again.
    for (const wire::Update& u : m.updates) resent |= u.id == "a" && u.incarnation == 1;
  }
  EXPECT_TRUE(resent);
}

TEST_F(SwimLifeguardTest, OwnAliveRidesOnPingsUntilAcked) {
  // d joins: we hear of it, and it has not heard of us.
  Hear(MakeUpdate("d", wire::State::ALIVE, 0, true));
  // Probes until the next PING to d: whether it carried our own Alive.
  int64_t t = 0;
  auto next_ping_to_d_announces = [&](const std::set<std::string>& responsive) {
    for (int guard = 0; guard < 100; ++guard) {
      t = core_->NextDeadlineMs();
      core_->Tick(t);
      for (const wire::Message& m : DecodeOutbox(*core_)) {
        if (m.type != wire::MessageType::PING || m.target_id != "d") continue;
        bool announced = false;
        for (const wire::Update& u : m.updates) announced |= u.id == "a" && u.identity.id == "a";
        AckPings(*core_, responsive, t);
        return announced;
      }
      AckPings(*core_, responsive, t);
    }
    ADD_FAILURE() << "no PING to d";
    return false;
  };
  // d does not answer the first: the second carries it again; d acks that
  // one, and the third goes without.
  EXPECT_TRUE(next_ping_to_d_announces({"b", "c"}));
  Hear(MakeUpdate("d", wire::State::ALIVE, 0, true), t);  // (Still alive, as far as we know.)
  EXPECT_TRUE(next_ping_to_d_announces({"b", "c", "d"}));
  EXPECT_FALSE(next_ping_to_d_announces({"b", "c", "d"}));
}

TEST_F(SwimLifeguardTest, AFullStateNeverRevivesTheDead) {
  Hear(MakeUpdate("c", wire::State::ALIVE, 5, true));
  Hear(MakeUpdate("c", wire::State::FAILED, 5));
  ASSERT_EQ(State("c"), MemberState::kFailed);
  core_->events().clear();
  auto merge = [&](std::vector<wire::Update> updates) {
    wire::Message state = testing::NewMessage("b", wire::MessageType::PUSH_PULL, 1);
    state.updates = std::move(updates);
    ASSERT_TRUE(core_->OnSyncRequest(EncodeMessage(state), 0).ok());
  };
  merge({MakeUpdate("c", wire::State::ALIVE, 5, true)});  // Equal: still failed.
  merge({MakeUpdate("c", wire::State::ALIVE, 4, true)});  // Lower: still failed.
  EXPECT_EQ(State("c"), MemberState::kFailed);
  EXPECT_TRUE(core_->events().empty());
  // Another member's "failed" is only a suspicion here: the member may be
  // on the far side of a healed partition, and gets the time to refute.
  merge({MakeUpdate("b", wire::State::FAILED, 0)});
  EXPECT_EQ(State("b"), MemberState::kSuspect);
  // About ourselves, it is refuted.
  merge({MakeUpdate("a", wire::State::FAILED, 0)});
  EXPECT_EQ(core_->incarnation(), 1);
  // Only a higher incarnation brings the dead back.
  merge({MakeUpdate("c", wire::State::ALIVE, 6, true)});
  EXPECT_EQ(State("c"), MemberState::kAlive);
  // The answer is our whole view, the failed included.
  wire::Message request = testing::NewMessage("b", wire::MessageType::PUSH_PULL, 2);
  Result<std::string> answer = core_->OnSyncRequest(EncodeMessage(request), 0);
  ASSERT_TRUE(answer.ok());
  wire::Message sync;
  ASSERT_TRUE(DecodeMessage(*answer, &sync).ok());
  EXPECT_EQ(sync.type, wire::MessageType::SYNC);
  EXPECT_EQ(sync.updates.size(), 3u);  // a, b, c.
}

TEST_F(SwimLifeguardTest, PeriodicPushPullWithALiveMember) {
  const int64_t interval = options_.push_pull_interval_ms;  // N = 3 <= 32: not scaled.
  int push_pulls = 0;
  TickUntil(*core_, 2 * interval + 1, [&](int64_t now) {
    AckPings(*core_, {"b", "c"}, now);
    for (const Outgoing& o : core_->sync_requests()) {
      wire::Message m;
      ASSERT_TRUE(DecodeMessage(o.bytes, &m).ok());
      EXPECT_EQ(m.type, wire::MessageType::PUSH_PULL);
      EXPECT_TRUE(o.to == "b:1" || o.to == "c:1");
      push_pulls++;
    }
    core_->sync_requests().clear();
  });
  EXPECT_GE(push_pulls, 1);  // The first within one interval, then one per interval.
  EXPECT_LE(push_pulls, 2);
  EXPECT_EQ(core_->counters().push_pulls, static_cast<uint64_t>(push_pulls));
}

TEST_F(SwimLifeguardTest, ReconnectProbesAFailedMemberAndPushPullsWhenItAnswers) {
  Hear(MakeUpdate("c", wire::State::FAILED, 0));
  ASSERT_EQ(State("c"), MemberState::kFailed);
  // Within 1.5 reconnect intervals, a PING to c (whoever is there). c
  // restarted there and answers: a push-pull with it follows at once.
  bool pinged = false, pushed_pull = false;
  TickUntil(*core_, 3 * options_.reconnect_interval_ms / 2, [&](int64_t now) {
    std::vector<Outgoing> out;
    out.swap(core_->outbox());
    core_->sync_requests().clear();
    for (const Outgoing& o : out) {
      wire::Message m;
      ASSERT_TRUE(DecodeMessage(o.bytes, &m).ok());
      if (m.type != wire::MessageType::PING) continue;
      if (o.to == "c:1" && !pinged) {
        pinged = true;
        core_->OnDatagram("c:1", MessageBytes("c", wire::MessageType::ACK, m.seq, {}), now);
        for (const Outgoing& r : core_->sync_requests()) pushed_pull |= r.to == "c:1";
      } else if (o.to == "b:1") {
        core_->OnDatagram("b:1", MessageBytes("b", wire::MessageType::ACK, m.seq, {}), now);
      }
    }
  });
  EXPECT_TRUE(pinged);
  EXPECT_TRUE(pushed_pull);
  EXPECT_GE(core_->counters().reconnects, 1u);
}

TEST_F(SwimLifeguardTest, APingFromAMemberWeHoldFailedStartsAPushPull) {
  Hear(MakeUpdate("c", wire::State::FAILED, 0));
  core_->sync_requests().clear();
  core_->OnDatagram("c:1", MessageBytes("c", wire::MessageType::PING, 1, {}), 0);
  ASSERT_EQ(core_->sync_requests().size(), 1u);
  EXPECT_EQ(core_->sync_requests()[0].to, "c:1");
  // At most once per reconnect interval per address.
  core_->sync_requests().clear();
  core_->OnDatagram("c:1", MessageBytes("c", wire::MessageType::PING, 2, {}), 10);
  EXPECT_TRUE(core_->sync_requests().empty());
}

TEST(SuspicionTest, TimeoutShrinksWithIndependentConfirmations) {
  // min 1000, max 6000, k = 2: max - (max - min) * log(n + 1) / log(3).
  Suspicion s(0, 1000, 6000, 2, /*from=*/1);
  EXPECT_EQ(s.deadline_ms(), 6000);
  EXPECT_FALSE(s.Confirm(1));  // The suspecter itself: not independent.
  EXPECT_TRUE(s.Confirm(2));
  EXPECT_NEAR(s.deadline_ms(), 6000 - 5000 * std::log(2) / std::log(3), 1);
  EXPECT_FALSE(s.Confirm(2));  // Once each.
  EXPECT_TRUE(s.Confirm(3));
  EXPECT_EQ(s.deadline_ms(), 1000);
  EXPECT_TRUE(s.confirmed());
  EXPECT_FALSE(s.Confirm(4));  // Past k: no use.
  Suspicion none(500, 1000, 6000, 0, 1);  // Too few members to confirm.
  EXPECT_EQ(none.deadline_ms(), 1500);
}

class SwimLargerGroupTest : public SwimLifeguardTest {
 protected:
  SwimLargerGroupTest() : SwimLifeguardTest(9) {}  // N = 10.
};

TEST_F(SwimLargerGroupTest, ConfirmationsBringTheSuspicionTimeoutDown) {
  const int64_t min = core_->SuspicionTimeoutMs();
  const int64_t max = static_cast<int64_t>(options_.suspicion_max_timeout_mult) * min;
  wire::Update suspect = MakeUpdate("c", wire::State::SUSPECT, 0);
  suspect.__set_suspecter("b");
  Hear(suspect, 0);
  ASSERT_EQ(State("c"), MemberState::kSuspect);
  // Unconfirmed, it still stands well past the shortest timeout ...
  const std::set<std::string> all_but_c = {"b", "d", "e", "f", "g", "h", "i", "j"};
  TickUntil(*core_, 2 * min, [&](int64_t now) { AckPings(*core_, all_but_c, now); });
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  // ... two independent confirmations (k = 4 - 2) bring it down to it.
  suspect.__set_suspecter("d");
  Hear(suspect, 2 * min, "d");
  suspect.__set_suspecter("e");
  Hear(suspect, 2 * min, "e");
  TickUntil(*core_, 2 * min + 1, [&](int64_t now) { AckPings(*core_, all_but_c, now); });
  EXPECT_EQ(State("c"), MemberState::kFailed);
  EXPECT_LT(2 * min, max);
}

TEST_F(SwimLargerGroupTest, MissingNacksRaiseLocalHealthAndSlowProbing) {
  EXPECT_EQ(core_->health_score(), 0);
  // Nobody answers anything: no acks, no NACKs from the helpers. Each
  // failed probe costs as many points as NACKs went missing (capped at 7).
  const int64_t period = options_.protocol_period_ms;
  TickUntil(*core_, 15 * period, [&](int64_t) { core_->outbox().clear(); });
  EXPECT_EQ(core_->health_score(), options_.awareness_max_multiplier - 1);
  // Probes now come max_multiplier periods apart.
  uint64_t start = core_->counters().probes;
  TickUntil(*core_, 15 * period + 2 * options_.awareness_max_multiplier * period,
            [&](int64_t) { core_->outbox().clear(); });
  EXPECT_LE(core_->counters().probes - start, 3u);
  // Answered probes bring it back, one point each.
  TickUntil(*core_, 200 * period, [&](int64_t now) {
    AckPings(*core_, {"b", "c", "d", "e", "f", "g", "h", "i", "j"}, now);
  });
  EXPECT_EQ(core_->health_score(), 0);
}

TEST_F(SwimLargerGroupTest, AStalledMemberDoesNotFailItsSuspects) {
  wire::Update suspect = MakeUpdate("c", wire::State::SUSPECT, 0);
  Hear(suspect, 0);
  ASSERT_EQ(State("c"), MemberState::kSuspect);
  // Paused for a minute (SIGSTOP, a starved VM): the first tick after it
  // is far past its deadline.
  core_->Tick(60000);
  EXPECT_EQ(core_->counters().stalls, 1u);
  EXPECT_EQ(State("c"), MemberState::kSuspect);  // The pause did not count against c.
  // c's refutation, read from the socket after the pause, still arrives in time.
  core_->OnDatagram("c:1", MessageBytes("c", wire::MessageType::PING, 1,
                                        {MakeUpdate("c", wire::State::ALIVE, 1, true)}), 60001);
  EXPECT_EQ(State("c"), MemberState::kAlive);
  EXPECT_GE(core_->health_score(), 1);
}

TEST_F(SwimLargerGroupTest, UnderHeavyLossAMemberIsProbedAgainBeforeItIsSuspected) {
  // Half the direct PINGs go unanswered (the helpers still get through):
  // this member learns that datagrams are often lost here.
  int probes = 0;
  TickUntil(*core_, 40 * options_.protocol_period_ms, [&](int64_t now) {
    std::vector<Outgoing> out;
    out.swap(core_->outbox());
    for (const Outgoing& o : out) {
      wire::Message m;
      ASSERT_TRUE(DecodeMessage(o.bytes, &m).ok());
      if (m.type == wire::MessageType::PING && probes++ % 2 == 0) continue;  // Lost.
      std::string to = o.to.substr(0, o.to.find(':'));
      if (m.type == wire::MessageType::PING || m.type == wire::MessageType::PING_REQ) {
        core_->OnDatagram(o.to, MessageBytes(to, wire::MessageType::ACK, m.seq, {}), now);
      }
    }
  });
  EXPECT_TRUE(core_->events().empty());
  // Now c stops answering: it is probed three rounds in a row before it is
  // suspected (one failed round would be too common here to mean much).
  int rounds = 0;
  for (int64_t t = 40 * options_.protocol_period_ms; State("c") == MemberState::kAlive &&
                                                     t < 200 * options_.protocol_period_ms;) {
    t = core_->NextDeadlineMs();
    core_->Tick(t);
    std::vector<Outgoing> out;
    out.swap(core_->outbox());
    for (const Outgoing& o : out) {
      wire::Message m;
      ASSERT_TRUE(DecodeMessage(o.bytes, &m).ok());
      std::string to = o.to.substr(0, o.to.find(':'));
      if (m.type == wire::MessageType::PING && m.target_id == "c") {
        rounds++;
        continue;
      }
      if (to == "c" || m.target_id == "c") continue;
      if (m.type == wire::MessageType::PING) {
        core_->OnDatagram(o.to, MessageBytes(to, wire::MessageType::ACK, m.seq, {}), t);
      }
    }
  }
  EXPECT_EQ(State("c"), MemberState::kSuspect);
  // Each round is a PING and its retry.
  EXPECT_EQ(rounds, 6);
}

}  // namespace
}  // namespace mr::membership

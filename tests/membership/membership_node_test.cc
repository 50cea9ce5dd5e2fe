// Real processes: membership_node on 127.0.0.1.
//  - five nodes; one is killed with kill -9 and every other one must report
//    it failed within a bound; a graceful leave (SIGTERM) is seen as "left";
//  - issue 15: a restarted seed with no seed list is re-admitted;
//  - issue 15: datagrams claiming a member suspect, failed or alive at
//    incarnation INT64_MAX evict nobody;
//  - issue 15: a gossip member paused past the others' T_cleanup neither
//    accuses live members nor brings a removed one back when it resumes.
// (A healed network partition: partition_test.cc.)
#include <climits>

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include "core_test_util.h"
#include "node_fixture.h"

namespace mr::membership {
namespace {

using mr::testing::Eventually;
using testing::MakeUpdate;
using testing::MessageBytes;
using testing::NumberedId;

class MembershipNodeTest : public testing::NodeFixture {
 protected:
  // Starts n0 (port `seed_port`, 0: any) and n1..n<n-1> joining through it,
  // each with `flags`; waits until everyone has seen everyone join.
  void StartCluster(int n, const std::vector<std::string>& flags, int seed_port = 0) {
    std::vector<std::string> seed_flags = flags;
    seed_flags.push_back("--port=" + std::to_string(seed_port));
    StartNode("n0", seed_flags);
    ASSERT_TRUE(Eventually([&] { return !AddressOf(nodes_[0]).empty(); },
                           std::chrono::seconds(10)));
    seed_ = AddressOf(nodes_[0]);
    for (int i = 1; i < n; ++i) {
      std::vector<std::string> node_flags = flags;
      node_flags.push_back("--port=0");
      node_flags.push_back("--seeds=" + seed_);
      StartNode(NumberedId("n", i), node_flags);
    }
    for (const auto& node : nodes_) {
      for (const auto& other : nodes_) {
        if (other.id == node.id) continue;
        ASSERT_TRUE(Eventually([&] { return Saw(node, "event joined " + other.id + " "); },
                               std::chrono::seconds(10)))
            << node.id << " never saw " << other.id << ":\n" << Output(node);
      }
    }
  }

  std::string seed_;
};

TEST_F(MembershipNodeTest, KilledNodeIsFailedEverywhereAndLeaveIsSeen) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(5, {}));
  // kill -9 one of them.
  auto killed_at = std::chrono::steady_clock::now();
  Kill(nodes_[2]);
  for (const auto& node : nodes_) {
    if (node.id == "n2") continue;
    EXPECT_TRUE(Eventually([&] { return Saw(node, "event failed n2 "); }, std::chrono::seconds(10)))
        << node.id << ":\n" << Output(node);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  RecordProperty("detect_all_seconds", std::to_string(seconds));
  // A graceful stop is seen as "left", not "failed".
  ASSERT_EQ(::kill(nodes_[4].pid, SIGTERM), 0);
  int status = 0;
  ::waitpid(nodes_[4].pid, &status, 0);
  nodes_[4].pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(Saw(nodes_[4], "counters "));
  for (const auto& node : nodes_) {
    if (node.id == "n2" || node.id == "n4") continue;
    EXPECT_TRUE(Eventually([&] { return Saw(node, "event left n4 "); }, std::chrono::seconds(10)))
        << node.id << ":\n" << Output(node);
    EXPECT_FALSE(Saw(node, "event failed n4 "));
  }
}

// Issue 15: "A restarted seed with no seed list is never re-admitted (20 s
// watched): nobody probes failed members." Now every member tries one
// failed member (or unreachable seed) every reconnect interval (2 s here):
// whoever reaches the restarted seed merges views with it by push-pull.
// Bound: every member holds the new seed alive, and the seed all of them,
// within 15 s (observed: 2-4 s).
TEST_F(MembershipNodeTest, ARestartedSeedWithNoSeedListIsReadmitted) {
  const std::vector<std::string> flags = {"--membership_reconnect_interval_ms=2000",
                                          "--snapshot_interval_ms=200"};
  ASSERT_NO_FATAL_FAILURE(StartCluster(5, flags));
  const std::string port = seed_.substr(seed_.rfind(':') + 1);
  Kill(nodes_[0]);
  for (size_t i = 1; i < nodes_.size(); ++i) {
    ASSERT_TRUE(Eventually([&] { return Saw(nodes_[i], "event failed n0 "); },
                           std::chrono::seconds(15)))
        << AllOutput();
  }
  // The same port, no seeds: a cluster of one, until the others find it.
  Restart(nodes_[0], {"--port=" + port});
  auto restarted_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(Eventually([&] {
    for (size_t i = 1; i < nodes_.size(); ++i) {
      // Back, after the failure; and the new seed knows it (its output
      // goes on in the same file, after the old life's).
      if (Count(nodes_[i], "event joined n0 ") < 2) return false;
      if (Count(nodes_[0], "event joined " + nodes_[i].id + " ") < 2) return false;
    }
    return OneFullView();
  }, std::chrono::seconds(15))) << AllOutput();
  RecordProperty("readmitted_seconds",
                 std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              restarted_at).count()));
}

// Issue 15: "A 40-byte datagram saying the victim is suspect at incarnation
// INT64_MAX gets it failed everywhere within about 1 s, and still excluded
// 40 s later." Now every member refuses news past the wall-clock bound on
// incarnations; the victim is never suspected. Watched for 4 s (many
// suspicion timeouts), then every node reports the datagrams refused.
TEST_F(MembershipNodeTest, Int64MaxIncarnationsEvictNobody) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(4, {"--snapshot_interval_ms=200"}));
  ASSERT_TRUE(Eventually([&] { return OneFullView(); }, std::chrono::seconds(10))) << AllOutput();
  std::vector<std::string> forged;
  for (wire::State::type state : {wire::State::SUSPECT, wire::State::FAILED}) {
    forged.push_back(MessageBytes("mallory", wire::MessageType::PING, 1,
                                  {MakeUpdate("n1", state, INT64_MAX)}, "test"));
  }
  wire::Update hijack = MakeUpdate("n1", wire::State::ALIVE, INT64_MAX, true);
  hijack.identity.address = "127.0.0.1:9";
  forged.push_back(MessageBytes("mallory", wire::MessageType::PING, 2, {hijack}, "test"));
  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket(
      io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  for (const auto& node : nodes_) {
    std::string address = AddressOf(node);
    boost::asio::ip::udp::endpoint to(boost::asio::ip::make_address("127.0.0.1"),
                                      std::stoi(address.substr(address.rfind(':') + 1)));
    for (const std::string& datagram : forged) socket.send_to(boost::asio::buffer(datagram), to);
  }
  auto sent_at = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - sent_at < std::chrono::seconds(4)) {
    ASSERT_TRUE(OneFullView()) << AllOutput();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& node : nodes_) {
    EXPECT_FALSE(Saw(node, "event suspect n1 ")) << node.id << ":\n" << Output(node);
    EXPECT_FALSE(Saw(node, "event failed n1 ")) << node.id << ":\n" << Output(node);
    Kill(node, SIGTERM);
    EXPECT_FALSE(Saw(node, "dropped_forged=0 ")) << node.id << ":\n" << Output(node);
    EXPECT_TRUE(Saw(node, "counters ")) << node.id << ":\n" << Output(node);
  }
  EXPECT_TRUE(Saw(nodes_[1], "refutations=0 ")) << Output(nodes_[1]);
}

// Issue 15: "Gossip heartbeating: a member paused past another's T_cleanup
// resurrects the removed dead member (2 of 4 runs: "joined" logged
// everywhere, alive for about 4 s); the same paused member, on resume,
// falsely declares two live members failed for about 8 s." Here n1 is
// stopped (SIGSTOP), n3 killed a second later (so the gossip waiting in
// n1's socket carries newer heartbeats of n3 than n1 holds), and n1 is
// continued once n0 and n2 have failed and deleted both (T_fail + T_cleanup
// = 2 + 2 s). n1 must declare neither n0 nor n2 failed, and must not bring
// n3 back: n0 and n2 never see it join again (watched for 5 s, more than
// T_fail + T_cleanup); n1 fails n3 itself.
TEST_F(MembershipNodeTest, APausedGossipMemberNeitherAccusesNorResurrects) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(
      4, {"--membership_protocol=gossip", "--membership_gossip_fail_ms=2000",
          "--membership_gossip_cleanup_ms=2000", "--snapshot_interval_ms=200"}));
  ASSERT_EQ(::kill(nodes_[1].pid, SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Kill(nodes_[3]);
  for (size_t i : {0, 2}) {
    ASSERT_TRUE(Eventually([&] {
      return Saw(nodes_[i], "event failed n3 ") && Saw(nodes_[i], "event failed n1 ");
    }, std::chrono::seconds(10))) << AllOutput();
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // Past T_cleanup: both deleted.
  ASSERT_EQ(::kill(nodes_[1].pid, SIGCONT), 0);
  // n1 is back in the others' views ...
  for (size_t i : {0, 2}) {
    EXPECT_TRUE(Eventually([&] { return Count(nodes_[i], "event joined n1 ") >= 2; },
                           std::chrono::seconds(10))) << AllOutput();
  }
  // ... and fails n3 itself, a T_fail after it resumed.
  EXPECT_TRUE(Eventually([&] { return Saw(nodes_[1], "event failed n3 "); },
                         std::chrono::seconds(10))) << AllOutput();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_FALSE(Saw(nodes_[1], "event failed n0 ")) << Output(nodes_[1]);
  EXPECT_FALSE(Saw(nodes_[1], "event failed n2 ")) << Output(nodes_[1]);
  for (size_t i : {0, 2}) {
    EXPECT_EQ(Count(nodes_[i], "event joined n3 "), 1u)
        << nodes_[i].id << ":\n" << Output(nodes_[i]);
  }
  Kill(nodes_[1], SIGTERM);
  EXPECT_FALSE(Saw(nodes_[1], "stalls=0 ")) << Output(nodes_[1]);
}

}  // namespace
}  // namespace mr::membership

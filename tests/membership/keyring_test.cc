// Issue 16, real processes (membership_node on 127.0.0.1) whose members sign
// every datagram and sync frame with the cluster keyring
// (--membership_keyring_file):
//  - the attack: forged SWIM datagrams (unsigned, or signed with
//    another key) accusing a live member make nobody suspect it, and every
//    member counts them; the same datagram signed with the cluster key does
//    (the control);
//  - members with another cluster's key, or with none, cannot join;
//  - a key is rotated in a running group -- [k1]; [k1,k2]; [k2,k1] and
//    [k1,k2] mixed; [k2,k1]; [k2] -- by rewriting each member's keyring
//    file, with full-state push-pulls every half second, and the group stays
//    converged throughout with nothing dropped; a member left on a key the
//    others no longer hold is dropped and failed.
#include <climits>

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include "core_test_util.h"
#include "membership/keyring_authenticator.h"
#include "node_fixture.h"
#include "security/keyring.h"

namespace mr::membership {
namespace {

using mr::testing::Eventually;
using security::Keyring;
using testing::MakeUpdate;
using testing::NumberedId;

class MembershipKeyringTest : public testing::NodeFixture {
 protected:
  // The keyring file of node `id`, holding `keys` (primary first).
  std::string RingFile(const std::string& id) { return dir_.Join(id + ".keyring"); }
  void WriteRing(const std::string& id, const std::vector<const Keyring*>& keys) {
    std::vector<std::string> raw;
    for (const Keyring* k : keys) raw.push_back(k->primary());
    ASSERT_TRUE(Keyring(raw).Save(RingFile(id)).ok());
  }

  // Starts n0..n<n-1>, each with its own keyring file holding `keys`,
  // `flags` and joining through n0; waits until each has seen the others
  // join.
  void StartCluster(int n, const std::vector<const Keyring*>& keys,
                    const std::vector<std::string>& flags) {
    for (int i = 0; i < n; ++i) {
      const std::string id = NumberedId("n", i);
      ASSERT_NO_FATAL_FAILURE(WriteRing(id, keys));
      std::vector<std::string> node_flags = flags;
      node_flags.push_back("--membership_keyring_file=" + RingFile(id));
      if (i > 0) node_flags.push_back("--seeds=" + AddressOf(nodes_[0]));
      StartNode(id, node_flags);
      ASSERT_TRUE(Eventually([&] { return !AddressOf(nodes_.back()).empty(); },
                             std::chrono::seconds(10))) << AllOutput();
    }
    for (const auto& node : nodes_) {
      for (const auto& other : nodes_) {
        if (other.id == node.id) continue;
        ASSERT_TRUE(Eventually([&] { return Saw(node, "event joined " + other.id + " "); },
                               std::chrono::seconds(10)))
            << node.id << " never saw " << other.id << ":\n" << AllOutput();
      }
    }
  }

  // The value of counter `name` in its "counters" line (after SIGTERM).
  int64_t Counter(const testing::Node& node, const std::string& name) {
    std::string out = Output(node);
    size_t at = out.rfind("counters ");
    if (at == std::string::npos) return -1;
    at = out.find(" " + name + "=", at);
    if (at == std::string::npos) return -1;
    return std::stoll(out.substr(at + name.size() + 2));
  }

  // The incarnation `node` last saw `id` join with.
  int64_t JoinedIncarnation(const testing::Node& node, const std::string& id) {
    std::string out = Output(node);
    size_t at = out.rfind("event joined " + id + " ");
    if (at == std::string::npos) return -1;
    at = out.find("inc=", at);
    return std::stoll(out.substr(at + 4));
  }

  void SendTo(const testing::Node& node, const std::string& datagram) {
    std::string address = AddressOf(node);
    boost::asio::ip::udp::endpoint to(boost::asio::ip::make_address("127.0.0.1"),
                                      std::stoi(address.substr(address.rfind(':') + 1)));
    socket_.send_to(boost::asio::buffer(datagram), to);
  }

  // No member has been suspected, failed or seen leave.
  void ExpectNoAccusation() {
    for (const auto& node : nodes_) {
      EXPECT_FALSE(Saw(node, "event suspect ")) << node.id << ":\n" << Output(node);
      EXPECT_FALSE(Saw(node, "event failed ")) << node.id << ":\n" << Output(node);
      EXPECT_FALSE(Saw(node, "event left ")) << node.id << ":\n" << Output(node);
    }
  }

  // Holds one full view for `duration`, checked every 100 ms.
  void ExpectConvergedFor(std::chrono::milliseconds duration) {
    auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
      ASSERT_TRUE(OneFullView()) << AllOutput();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_{
      io_, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
};

// "One forged SWIM datagram made the master declare a live datanode dead."
// Each member gets, about live n1 at the incarnation it joined with,
// Suspect, Failed and Left -- unsigned, and signed with another cluster's
// key (6 datagrams). Watched for 3 s (past the suspicion timeout): one full
// view throughout, nobody accused, n1 never had to refute; every member
// counted the 6. Then the control: the same Suspect signed with the
// cluster key, to n0 only, does make n0 suspect n1 (so the forged ones
// were aimed right), and n1 refutes.
TEST_F(MembershipKeyringTest, AForgedDatagramMakesNoLiveMemberSuspectOrDead) {
  const Keyring cluster = Keyring::Generate(), other = Keyring::Generate();
  ASSERT_NO_FATAL_FAILURE(StartCluster(4, {&cluster}, {"--snapshot_interval_ms=100"}));
  ASSERT_TRUE(Eventually([&] { return OneFullView(); }, std::chrono::seconds(10))) << AllOutput();
  const int64_t incarnation = JoinedIncarnation(nodes_[0], "n1");
  ASSERT_GT(incarnation, 0);
  KeyringAuthenticator other_key(other);
  std::vector<std::string> forged;
  for (wire::State::type state : {wire::State::SUSPECT, wire::State::FAILED, wire::State::LEFT}) {
    wire::Message m = testing::NewMessage("mallory", wire::MessageType::PING, 1, "test");
    m.updates = {MakeUpdate("n1", state, incarnation)};
    forged.push_back(EncodeMessage(m));
    forged.push_back(EncodeMessage(m, &other_key));
  }
  for (const auto& node : nodes_) {
    for (const std::string& datagram : forged) SendTo(node, datagram);
  }
  ASSERT_NO_FATAL_FAILURE(ExpectConvergedFor(std::chrono::seconds(3)));
  ExpectNoAccusation();

  wire::Message suspect = testing::NewMessage("mallory", wire::MessageType::PING, 2, "test");
  suspect.updates = {MakeUpdate("n1", wire::State::SUSPECT, incarnation)};
  KeyringAuthenticator cluster_key(cluster);
  SendTo(nodes_[0], EncodeMessage(suspect, &cluster_key));
  EXPECT_TRUE(Eventually([&] { return Saw(nodes_[0], "event suspect n1 "); },
                         std::chrono::seconds(5))) << AllOutput();
  EXPECT_TRUE(Eventually([&] { return Saw(nodes_[0], "event alive n1 "); },
                         std::chrono::seconds(5))) << AllOutput();

  for (auto& node : nodes_) Kill(node, SIGTERM);
  for (const auto& node : nodes_) {
    EXPECT_EQ(Counter(node, "dropped_unauthenticated"), 6) << node.id << ":\n" << Output(node);
    EXPECT_EQ(Counter(node, "sync_dropped_unauthenticated"), 0) << Output(node);
  }
  EXPECT_EQ(Counter(nodes_[1], "refutations"), 1) << Output(nodes_[1]);
}

// A member with another cluster's keyring, and one with none, seed through
// n0 for 4 s (a JOIN every second each): neither is ever admitted nor
// admits anyone; n0 drops and counts each JOIN, and the two count their
// unanswered syncs.
TEST_F(MembershipKeyringTest, AMemberWithAnotherClustersKeyCannotJoin) {
  const Keyring cluster = Keyring::Generate(), other = Keyring::Generate();
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, {&cluster}, {}));
  ASSERT_NO_FATAL_FAILURE(WriteRing("intruder", {&other}));
  const std::string seeds = "--seeds=" + AddressOf(nodes_[0]);
  size_t intruder = StartNode("intruder", {seeds, "--membership_keyring_file=" + RingFile("intruder")});
  size_t keyless = StartNode("keyless", {seeds});
  std::this_thread::sleep_for(std::chrono::seconds(4));
  for (const auto& node : nodes_) {
    EXPECT_FALSE(Saw(node, "event joined intruder ")) << AllOutput();
    EXPECT_FALSE(Saw(node, "event joined keyless ")) << AllOutput();
  }
  EXPECT_FALSE(Saw(nodes_[intruder], "event joined ")) << Output(nodes_[intruder]);
  EXPECT_FALSE(Saw(nodes_[keyless], "event joined ")) << Output(nodes_[keyless]);
  for (auto& node : nodes_) Kill(node, SIGTERM);
  // About 4 JOINs from each (one a second); at least 2 each, all refused.
  EXPECT_GE(Counter(nodes_[0], "sync_dropped_unauthenticated"), 4) << Output(nodes_[0]);
  EXPECT_EQ(Counter(nodes_[0], "syncs_served"), 1) << Output(nodes_[0]);  // n1's join.
  EXPECT_GE(Counter(nodes_[intruder], "sync_errors"), 2) << Output(nodes_[intruder]);
  EXPECT_GE(Counter(nodes_[keyless], "sync_errors"), 2) << Output(nodes_[keyless]);
  EXPECT_EQ(Counter(nodes_[intruder], "syncs_applied"), 0);
  EXPECT_EQ(Counter(nodes_[keyless], "syncs_applied"), 0);
}

// Rotation as memberlist's keyring does it, in a running group of four:
// install k2 as a second key everywhere; make it primary on two members
// while two still sign with k1 (mixed); on all; remove k1. Each member
// rereads its file (a "keyring keys=<n>" line); each step is held for 1.5 s
// with push-pulls every 0.5 s, so datagrams and sync streams both cross
// every key combination. One full view throughout, nobody accused, nothing
// dropped; at the end a datagram signed with k1 is refused by everyone (so
// the rings did change).
TEST_F(MembershipKeyringTest, RotatingTheKeyKeepsTheGroupConverged) {
  const Keyring k1 = Keyring::Generate(), k2 = Keyring::Generate();
  ASSERT_NO_FATAL_FAILURE(StartCluster(
      4, {&k1}, {"--snapshot_interval_ms=100", "--membership_push_pull_interval_ms=500"}));
  ASSERT_TRUE(Eventually([&] { return OneFullView(); }, std::chrono::seconds(10))) << AllOutput();
  ASSERT_NO_FATAL_FAILURE(ExpectConvergedFor(std::chrono::milliseconds(1500)));
  const std::vector<std::vector<std::vector<const Keyring*>>> steps = {
      {{&k1, &k2}, {&k1, &k2}, {&k1, &k2}, {&k1, &k2}},
      {{&k2, &k1}, {&k2, &k1}, {&k1, &k2}, {&k1, &k2}},
      {{&k2, &k1}, {&k2, &k1}, {&k2, &k1}, {&k2, &k1}},
      {{&k2}, {&k2}, {&k2}, {&k2}},
  };
  for (size_t step = 0; step < steps.size(); ++step) {
    SCOPED_TRACE("step " + std::to_string(step + 1));
    for (size_t i = 0; i < nodes_.size(); ++i) {
      ASSERT_NO_FATAL_FAILURE(WriteRing(nodes_[i].id, steps[step][i]));
    }
    for (const auto& node : nodes_) {
      ASSERT_TRUE(Eventually([&] { return Count(node, "keyring keys=") == step + 2; },
                             std::chrono::seconds(5))) << AllOutput();
    }
    ASSERT_NO_FATAL_FAILURE(ExpectConvergedFor(std::chrono::milliseconds(1500)));
  }
  ExpectNoAccusation();

  // k1 is gone: a datagram signed with it is dropped everywhere (and
  // nothing else was: the counts are exactly 1).
  KeyringAuthenticator old_key(k1);
  wire::Message suspect = testing::NewMessage("mallory", wire::MessageType::PING, 1, "test");
  suspect.updates = {MakeUpdate("n1", wire::State::SUSPECT, JoinedIncarnation(nodes_[0], "n1"))};
  for (const auto& node : nodes_) SendTo(node, EncodeMessage(suspect, &old_key));
  ASSERT_NO_FATAL_FAILURE(ExpectConvergedFor(std::chrono::seconds(1)));
  ExpectNoAccusation();
  for (auto& node : nodes_) Kill(node, SIGTERM);
  for (const auto& node : nodes_) {
    EXPECT_EQ(Counter(node, "dropped_unauthenticated"), 1) << node.id << ":\n" << Output(node);
    EXPECT_EQ(Counter(node, "sync_dropped_unauthenticated"), 0) << Output(node);
    EXPECT_EQ(Counter(node, "sync_errors"), 0) << Output(node);
    EXPECT_GE(Counter(node, "syncs_applied"), 4) << Output(node);
  }
  EXPECT_EQ(Counter(nodes_[1], "refutations"), 0) << Output(nodes_[1]);
}

}  // namespace
}  // namespace mr::membership

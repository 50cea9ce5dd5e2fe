// Issue 15's first repro, with real processes: "Six real members split 3/3
// for 10 s: each side declares the other failed within 2 s; 75 s after the
// heal the views are still {n1,n2,n3} and {n4,n5,n6}." Six membership_node
// in six network namespaces (members-<pid>-n1..n6, 10.77.0.1-6/24) on a
// bridge in a seventh (members-<pid>-sw); the partition is blackhole routes
// between the halves, the heal their removal. The test creates and deletes
// every namespace; it needs root and ip(8), and says so and skips without.
// Bound: one full view within 20 s of the heal (reconnect interval 2 s
// here; observed 1.3-2.2 s).
#include <unistd.h>

#include <gtest/gtest.h>

#include "core_test_util.h"
#include "node_fixture.h"

namespace mr::membership {
namespace {

using mr::testing::Eventually;
using mr::testing::RunCommand;

constexpr int kNodes = 6;

class PartitionTest : public testing::NodeFixture {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces";
    if (RunCommand("ip netns list", 10).exit_code != 0) {
      GTEST_SKIP() << "needs ip(8) with network namespace support";
    }
    prefix_ = "members-" + std::to_string(::getpid());
    ASSERT_NO_FATAL_FAILURE(Ip("netns add " + Switch()));
    ASSERT_NO_FATAL_FAILURE(Ip("-n " + Switch() + " link add br0 type bridge"));
    ASSERT_NO_FATAL_FAILURE(Ip("-n " + Switch() + " link set br0 up"));
    for (int i = 1; i <= kNodes; ++i) {
      std::string ns = Ns(i), port = "v" + std::to_string(i);
      ASSERT_NO_FATAL_FAILURE(Ip("netns add " + ns));
      ASSERT_NO_FATAL_FAILURE(Ip("-n " + ns + " link set lo up"));
      ASSERT_NO_FATAL_FAILURE(
          Ip("-n " + Switch() + " link add " + port + " type veth peer name eth0 netns " + ns));
      ASSERT_NO_FATAL_FAILURE(Ip("-n " + Switch() + " link set " + port + " master br0 up"));
      ASSERT_NO_FATAL_FAILURE(Ip("-n " + ns + " addr add " + Address(i) + "/24 dev eth0"));
      ASSERT_NO_FATAL_FAILURE(Ip("-n " + ns + " link set eth0 up"));
    }
  }

  void TearDown() override {
    for (auto& node : nodes_) Kill(node);
    if (prefix_.empty()) return;
    for (int i = 1; i <= kNodes; ++i) (void)RunCommand("ip netns del " + Ns(i), 10);
    (void)RunCommand("ip netns del " + Switch(), 10);
  }

  void Ip(const std::string& args) {
    mr::testing::CommandResult r = RunCommand("ip " + args, 10);
    ASSERT_EQ(r.exit_code, 0) << "ip " << args << ": " << r.err;
  }
  std::string Ns(int i) const { return prefix_ + "-n" + std::to_string(i); }
  std::string Switch() const { return prefix_ + "-sw"; }
  static std::string Address(int i) { return "10.77.0." + std::to_string(i); }
  static std::string Id(int i) { return testing::NumberedId("n", i); }
  // Blackhole routes between {1,2,3} and {4,5,6} ("add"), or their removal.
  void Partition(const std::string& verb) {
    for (int i = 1; i <= kNodes; ++i) {
      for (int j = 1; j <= kNodes; ++j) {
        if ((i <= kNodes / 2) == (j <= kNodes / 2)) continue;
        ASSERT_NO_FATAL_FAILURE(Ip("-n " + Ns(i) + " route " + verb + " blackhole " + Address(j)));
      }
    }
  }

  std::string prefix_;
};

TEST_F(PartitionTest, AHealedPartitionMergesIntoOneFullView) {
  for (int i = 1; i <= kNodes; ++i) {
    std::vector<std::string> flags = {"--membership_bind_host=" + Address(i), "--port=7946",
                                      "--membership_reconnect_interval_ms=2000",
                                      "--snapshot_interval_ms=200"};
    if (i > 1) flags.push_back("--seeds=" + Address(1) + ":7946");
    StartNode(Id(i), flags, Ns(i));
  }
  ASSERT_TRUE(Eventually([&] { return OneFullView(); }, std::chrono::seconds(15))) << AllOutput();

  ASSERT_NO_FATAL_FAILURE(Partition("add"));
  auto split_at = std::chrono::steady_clock::now();
  // Each side fails the other.
  ASSERT_TRUE(Eventually([&] {
    for (int i = 1; i <= kNodes; ++i) {
      for (int j = 1; j <= kNodes; ++j) {
        if ((i <= kNodes / 2) == (j <= kNodes / 2)) continue;
        if (LastSnapshot(nodes_[i - 1])[Id(j)] != "failed") return false;
      }
    }
    return true;
  }, std::chrono::seconds(30))) << AllOutput();

  RecordProperty("split_seconds",
                 std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              split_at).count()));
  ASSERT_NO_FATAL_FAILURE(Partition("del"));
  auto healed_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(Eventually([&] { return OneFullView(); }, std::chrono::seconds(20))) << AllOutput();
  RecordProperty("merge_seconds",
                 std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              healed_at).count()));
}

}  // namespace
}  // namespace mr::membership

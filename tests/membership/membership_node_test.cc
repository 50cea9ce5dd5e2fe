// Real processes: five membership_node on 127.0.0.1; one is killed with
// kill -9 and every other one must report it failed within a bound. Also a
// graceful leave (SIGTERM) that the others see as "left".
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "core_test_util.h"
#include "test_util.h"

namespace mr::membership {
namespace {

using mr::testing::BinPath;
using mr::testing::Eventually;
using mr::testing::ScopedTempDir;

// A membership_node child whose stdout goes to a file.
struct Node {
  pid_t pid = -1;
  std::string out;
  std::string id;
};

class MembershipNodeTest : public ::testing::Test {
 protected:
  ~MembershipNodeTest() override {
    for (Node& node : nodes_) {
      if (node.pid > 0) {
        ::kill(node.pid, SIGKILL);
        ::waitpid(node.pid, nullptr, 0);
      }
    }
  }

  // Starts a node on a free port (--port=0).
  void StartNode(const std::string& id, const std::string& seeds) {
    Node node;
    node.id = id;
    node.out = dir_.Join(id + ".out");
    std::vector<std::string> args = {BinPath("membership_node"), "--id=" + id, "--port=0",
                                     "--cluster_id=test", "--rack=r1"};
    if (!seeds.empty()) args.push_back("--seeds=" + seeds);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int fd = ::open(node.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    node.pid = pid;
    nodes_.push_back(node);
  }

  std::string Output(const Node& node) {
    Result<std::string> text = ReadFileToString(node.out);
    return text.ok() ? *text : std::string();
  }

  bool Saw(const Node& node, const std::string& line) {
    return Output(node).find(line) != std::string::npos;
  }

  ScopedTempDir dir_;
  std::vector<Node> nodes_;
};

TEST_F(MembershipNodeTest, KilledNodeIsFailedEverywhereAndLeaveIsSeen) {
  StartNode("n0", "");
  // "started n0 127.0.0.1:PORT" names the seed's address.
  std::string seed;
  ASSERT_TRUE(Eventually([&] {
    std::string out = Output(nodes_[0]);
    size_t at = out.find("started n0 ");
    size_t end = out.find('\n', at);
    if (at == std::string::npos || end == std::string::npos) return false;
    seed = out.substr(at + 11, end - at - 11);
    return true;
  }, std::chrono::seconds(10)));
  for (int i = 1; i < 5; ++i) StartNode(testing::NumberedId("n", i), seed);
  // Everyone learns of everyone.
  for (const Node& node : nodes_) {
    for (const Node& other : nodes_) {
      if (other.id == node.id) continue;
      ASSERT_TRUE(Eventually([&] { return Saw(node, "event joined " + other.id + " "); },
                             std::chrono::seconds(10)))
          << node.id << " never saw " << other.id << ":\n" << Output(node);
    }
  }
  // kill -9 one of them.
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(nodes_[2].pid, SIGKILL), 0);
  ::waitpid(nodes_[2].pid, nullptr, 0);
  nodes_[2].pid = -1;
  for (const Node& node : nodes_) {
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
  for (const Node& node : nodes_) {
    if (node.id == "n2" || node.id == "n4") continue;
    EXPECT_TRUE(Eventually([&] { return Saw(node, "event left n4 "); }, std::chrono::seconds(10)))
        << node.id << ":\n" << Output(node);
    EXPECT_FALSE(Saw(node, "event failed n4 "));
  }
}

}  // namespace
}  // namespace mr::membership

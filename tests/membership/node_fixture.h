// A fixture for tests with real membership_node processes: start one
// (optionally inside a network namespace), read its stdout (events,
// snapshots, counters), kill it, restart it. Every child is killed and
// reaped when the test ends.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "test_util.h"

namespace mr::membership::testing {

// A membership_node child whose stdout goes to a file.
struct Node {
  pid_t pid = -1;
  std::string out;
  std::string id;
  std::vector<std::string> args;  // To restart it the same way.
  std::string netns;              // "" on the host's network.
};

class NodeFixture : public ::testing::Test {
 protected:
  ~NodeFixture() override {
    for (Node& node : nodes_) Kill(node);
  }

  // Starts `id` with `flags` (beyond --id, --cluster_id=test, --rack=r1);
  // inside `netns` if given ("ip netns exec"). Returns its index.
  size_t StartNode(const std::string& id, std::vector<std::string> flags,
                   const std::string& netns = "") {
    Node node;
    node.id = id;
    node.netns = netns;
    node.out = dir_.Join(id + ".out");
    node.args = {mr::testing::BinPath("membership_node"), "--id=" + id, "--cluster_id=test",
                 "--rack=r1"};
    node.args.insert(node.args.end(), flags.begin(), flags.end());
    nodes_.push_back(node);
    Launch(nodes_.back(), /*truncate=*/true);
    return nodes_.size() - 1;
  }

  // Starts it again with the same arguments but `flags` in place of the
  // ones with the same names; its output file goes on (appended).
  void Restart(Node& node, const std::vector<std::string>& flags = {}) {
    for (const std::string& flag : flags) {
      std::string name = flag.substr(0, flag.find('='));
      std::erase_if(node.args, [&](const std::string& a) { return a.rfind(name + "=", 0) == 0; });
      node.args.push_back(flag);
    }
    Launch(node, /*truncate=*/false);
  }

  void Kill(Node& node, int signal = SIGKILL) {
    if (node.pid <= 0) return;
    ::kill(node.pid, signal);
    ::waitpid(node.pid, nullptr, 0);
    node.pid = -1;
  }

  std::string Output(const Node& node) {
    Result<std::string> text = ReadFileToString(node.out);
    return text.ok() ? *text : std::string();
  }
  bool Saw(const Node& node, const std::string& text) {
    return Output(node).find(text) != std::string::npos;
  }
  // How often `text` appears in its output.
  size_t Count(const Node& node, const std::string& text) {
    std::string out = Output(node);
    size_t n = 0;
    for (size_t at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) n++;
    return n;
  }
  // "started <id> <address>": its address, once it is up ("" until then).
  std::string AddressOf(const Node& node) {
    std::string out = Output(node);
    size_t at = out.rfind("started " + node.id + " ");
    if (at == std::string::npos) return "";
    size_t from = at + 9 + node.id.size();
    size_t end = out.find('\n', from);
    return end == std::string::npos ? "" : out.substr(from, end - from);
  }
  // The states in its last snapshot line: id -> state.
  std::map<std::string, std::string> LastSnapshot(const Node& node) {
    std::string out = Output(node);
    size_t at = out.rfind("snapshot ");
    std::map<std::string, std::string> states;
    if (at == std::string::npos) return states;
    std::istringstream line(out.substr(at + 9, out.find('\n', at) - at - 9));
    std::string entry;
    while (line >> entry) {
      size_t eq = entry.find('=');
      if (eq != std::string::npos) states[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return states;
  }
  // Every running node's last snapshot holds every running node alive:
  // one full view.
  bool OneFullView() {
    std::set<std::string> running;
    for (const Node& n : nodes_) {
      if (n.pid > 0) running.insert(n.id);
    }
    for (const Node& n : nodes_) {
      if (n.pid <= 0) continue;
      std::map<std::string, std::string> states = LastSnapshot(n);
      for (const std::string& id : running) {
        if (states[id] != "alive") return false;
      }
    }
    return true;
  }
  std::string AllOutput() {
    std::string all;
    for (const Node& n : nodes_) all += "--- " + n.id + ":\n" + Output(n);
    return all;
  }

  mr::testing::ScopedTempDir dir_;
  std::vector<Node> nodes_;

 private:
  void Launch(Node& node, bool truncate) {
    std::vector<std::string> argv_strings;
    if (!node.netns.empty()) argv_strings = {"/usr/sbin/ip", "netns", "exec", node.netns};
    if (!node.netns.empty() && ::access("/usr/sbin/ip", X_OK) != 0) argv_strings[0] = "/sbin/ip";
    argv_strings.insert(argv_strings.end(), node.args.begin(), node.args.end());
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int fd = ::open(node.out.c_str(), O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND), 0644);
      ::dup2(fd, 1);
      std::vector<char*> argv;
      for (std::string& a : argv_strings) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    node.pid = pid;
  }
};

}  // namespace mr::membership::testing

// A local cluster with the scheduler for end-to-end tests (`mrcluster up`: a
// DFS master, 2 racks x 2 datanodes, a resource manager and a node manager
// beside each datanode), plus word-count inputs with their independent
// counts and readers of a job's output. Shared by mrjob's and the fault
// tolerance end-to-end tests.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "test_util.h"
#include "tests/mapreduce/appmaster/dfs_files.h"

namespace mr::testing {

inline constexpr int64_t kSchedulerTestChunk = 1 << 20;

// "" or why the cluster's binaries cannot run.
inline std::string MissingSchedulerBinaries() {
  for (const char* name : {"dfs_master", "dfs_datanode", "mrcluster", "mrdfs", "mrjob",
                           "mr_resourcemanager", "mr_nodemanager", "wordcount", "faulty_job"}) {
    if (!PathExists(BinPath(name))) return std::string(name) + " is not built";
  }
  return "";
}

// The pids of the processes whose command line holds all of `needles` (and,
// if `state` is set, whose state in /proc/<pid>/stat is it, e.g. 'T' for
// stopped).
inline std::vector<pid_t> ProcessesMatching(const std::vector<std::string>& needles,
                                            char state = 0) {
  std::vector<pid_t> pids;
  for (const std::string& entry : ListDir("/proc")) {
    if (entry.empty() || entry.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline("/proc/" + entry + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    bool all = !args.empty();
    for (const std::string& needle : needles) all = all && args.find(needle) != std::string::npos;
    if (all && state != 0) {
      std::ifstream stat("/proc/" + entry + "/stat");
      std::string line((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      size_t paren = line.rfind(')');
      all = paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == state;
    }
    if (all) pids.push_back(static_cast<pid_t>(std::atol(entry.c_str())));
  }
  return pids;
}

// Kills with SIGKILL every process whose command line holds all of `needles`;
// returns how many.
inline int KillProcessesMatching(const std::vector<std::string>& needles) {
  int killed = 0;
  for (pid_t pid : ProcessesMatching(needles)) killed += ::kill(pid, SIGKILL) == 0;
  return killed;
}

// A cluster with the scheduler, always taken down (and its leftovers
// killed) by the destructor.
class SchedulerCluster {
 public:
  SchedulerCluster() : dir_(tmp_.Join("cluster")) {}
  ~SchedulerCluster() {
    if (!up_) return;
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir_), 60);
    // Daemons and containers alike run with the cluster's directory in
    // their command line.
    KillProcessesMatching({dir_ + "/"});
  }
  // `nm_vcores` 0: mrcluster's default (the host's cores shared out among
  // the node managers: 1 each on a 2-core host).
  CommandResult Up(const std::string& extra_args = "", int nm_vcores = 2) {
    up_ = true;
    return RunCommand(Quote(BinPath("mrcluster")) + " up --dir " + Quote(dir_) +
                          " --racks 2 --nodes-per-rack 2 --chunk-size " +
                          std::to_string(kSchedulerTestChunk) +
                          (nm_vcores > 0 ? " --nm-vcores " + std::to_string(nm_vcores) : "") +
                          " " + extra_args,
                      90);
  }
  CommandResult Down() {
    return RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir_), 60);
  }
  // `mrcluster <verb> --dir DIR <node>`: kill (-9) or start.
  CommandResult Node(const std::string& verb, const std::string& node) {
    return RunCommand(Quote(BinPath("mrcluster")) + " " + verb + " --dir " + Quote(dir_) + " " +
                          node,
                      60);
  }
  CommandResult Mrjob(const std::string& args, int timeout_s = 120) {
    return RunCommand(Quote(BinPath("mrjob")) + " --cluster " + Quote(dir_) + " " + args,
                      timeout_s);
  }
  CommandResult Submit(const std::string& binary, const std::string& input,
                       const std::string& output, const std::string& extra = "",
                       int timeout_s = 120) {
    return Mrjob("submit --binary " + Quote(BinPath(binary)) + " --input " + input +
                     " --output " + output + " " + extra,
                 timeout_s);
  }
  // The id of the (only) application, once it is RUNNING; "" if it is not
  // within a minute.
  std::string WaitForRunningApp() {
    std::string app_id;
    Eventually([&] {
      CommandResult list = Mrjob("list --json", 30);
      size_t at = list.out.find("\"app_id\":\"");
      if (at == std::string::npos || list.out.find("\"state\":\"RUNNING\"") == std::string::npos) {
        return false;
      }
      app_id = list.out.substr(at + 10, list.out.find('"', at + 10) - at - 10);
      return true;
    }, std::chrono::seconds(60));
    return app_id;
  }
  const std::string& dir() const { return dir_; }

 private:
  ScopedTempDir tmp_;
  std::string dir_;
  bool up_ = false;
};

// About `bytes` of text over a small vocabulary; adds its word counts to
// *counts.
inline std::string WordCountText(size_t bytes, uint64_t seed,
                                 std::map<std::string, int64_t>* counts) {
  std::mt19937_64 rng(seed);
  std::string text;
  while (text.size() < bytes) {
    int words = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < words; ++w) {
      std::string word = std::to_string(rng() % 5000);
      word.insert(0, 1, 'w');
      ++(*counts)[word];
      if (w > 0) text += ' ';
      text += word;
    }
    text += "\n";
  }
  return text;
}

// Every "word\tcount" line of a job's `parts` part files.
inline std::map<std::string, int64_t> ReadWordCounts(dfs::DfsClient* dfs,
                                                     const std::string& output, int parts) {
  std::map<std::string, int64_t> counts;
  for (int p = 0; p < parts; ++p) {
    char name[32];
    std::snprintf(name, sizeof(name), "/part-r-%05d", p);
    Result<std::string> part = GetDfsFile(dfs, output + name);
    EXPECT_TRUE(part.ok()) << output << name << ": " << part.status().ToString();
    if (!part.ok()) continue;
    std::istringstream lines(*part);
    std::string line;
    while (std::getline(lines, line)) {
      size_t tab = line.find('\t');
      EXPECT_NE(tab, std::string::npos) << line;
      if (tab == std::string::npos) continue;
      EXPECT_EQ(counts.count(line.substr(0, tab)), 0u) << "key in two parts: " << line;
      counts[line.substr(0, tab)] = std::stoll(line.substr(tab + 1));
    }
  }
  return counts;
}

// "name=value" from mrjob's printed counters, -1 if absent.
inline int64_t PrintedCounter(const std::string& out, const std::string& name) {
  size_t at = out.find("    " + name + "=");
  if (at == std::string::npos) return -1;
  return std::stoll(out.substr(at + name.size() + 5));
}

}  // namespace mr::testing

// Unit tests of the Node Manager's pieces that need no daemons: log tails,
// process spawning and group signals, RSS sampling, and localization once
// per application (with a fake fetcher).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/log_tail.h"
#include "scheduler/nodemanager/process_launcher.h"
#include "scheduler/nodemanager/process_memory.h"
#include "test_util.h"

namespace mr::sched::nm {
namespace {

using mr::testing::ScopedTempDir;

TEST(LogTailTest, LastLinesAndBytes) {
  ScopedTempDir dir;
  std::string path = dir.Join("stderr");
  std::string text;
  for (int i = 1; i <= 30; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(WriteStringToFile(path, text, false).ok());
  std::string last = LastLines(path, 20, 4096);
  EXPECT_EQ(last.rfind("line 11\n", 0), 0u) << last;
  EXPECT_EQ(last.substr(last.size() - 7), "line 30");
  EXPECT_EQ(LastLines(path, 1, 4096), "line 30");
  EXPECT_EQ(LastLines(path, 100, 14), "ne 29\nline 30");  // The byte bound wins.
  EXPECT_EQ(LastLines(dir.Join("missing")), "");
  ASSERT_TRUE(WriteStringToFile(dir.Join("one"), "only", false).ok());
  EXPECT_EQ(LastLines(dir.Join("one")), "only");
  auto tail = ReadFileTail(path, 8);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "line 30\n");
}

class SpawnTest : public ::testing::Test {
 protected:
  LaunchSpec Spec(const std::string& script) {
    std::string path = dir_.Join("script-" + std::to_string(n_++));
    EXPECT_TRUE(WriteStringToFile(path, "#!/bin/sh\n" + script, false).ok());
    EXPECT_EQ(::chmod(path.c_str(), 0755), 0);
    LaunchSpec spec;
    spec.binary = path;
    spec.env = {"PATH=/usr/bin:/bin", "GREETING=hi"};
    spec.working_dir = dir_.path();
    spec.stdout_path = dir_.Join("out");
    spec.stderr_path = dir_.Join("err");
    return spec;
  }
  static int Wait(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    std::string reason;
    return ExitCodeOf(status, &reason);
  }
  ScopedTempDir dir_;
  int n_ = 0;
};

TEST_F(SpawnTest, RunsInItsOwnGroupWithOnlyTheGivenEnvironment) {
  // The test blocks SIGTERM and ignores SIGPIPE, as the NM does; the child
  // must not inherit either.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  auto spec = Spec(
      "echo \"$GREETING $HOME $(pwd) $# $1\"\n"
      "ps -o pgid= -p $$ | tr -d ' ' >&2\n"
      "grep -e SigIgn -e SigBlk /proc/self/status >&2\n"
      "exit 5\n");
  spec.arguments = {"a b"};
  auto pid = SpawnProcess(spec);
  ::signal(SIGPIPE, old_pipe);
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  EXPECT_EQ(Wait(*pid), 5);
  EXPECT_EQ(*ReadFileToString(dir_.Join("out")), "hi  " + dir_.path() + " 1 a b\n");
  std::string err = *ReadFileToString(dir_.Join("err"));
  EXPECT_EQ(err.substr(0, err.find('\n')), std::to_string(*pid)) << err;  // pgid == pid.
  // SIGPIPE and SIGTERM: neither ignored nor blocked (signals 32 and 33 are
  // glibc's own and may show).
  for (const char* field : {"SigIgn:\t", "SigBlk:\t"}) {
    size_t at = err.find(field);
    ASSERT_NE(at, std::string::npos) << err;
    uint64_t mask = std::stoull(err.substr(at + 8, 16), nullptr, 16);
    EXPECT_EQ(mask & ((1u << (SIGPIPE - 1)) | (1u << (SIGTERM - 1))), 0u) << field << err;
  }
}

TEST_F(SpawnTest, ExecFailuresAreErrorsNotExitCodes) {
  auto spec = Spec("exit 0\n");
  spec.binary = dir_.Join("missing");
  EXPECT_TRUE(SpawnProcess(spec).status().IsNotFound());
  spec = Spec("exit 0\n");
  ASSERT_EQ(::chmod(spec.binary.c_str(), 0644), 0);
  EXPECT_FALSE(SpawnProcess(spec).ok());
}

TEST_F(SpawnTest, SignalGroupReachesChildrenAndExitCodesFollowTheConvention) {
  auto spec = Spec("sleep 100 &\necho $! > child\nwait\n");
  auto pid = SpawnProcess(spec);
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(mr::testing::Eventually([&] {
    auto c = ReadFileToString(dir_.Join("child"));
    return c.ok() && !c->empty() && c->back() == '\n';
  }));
  pid_t child = static_cast<pid_t>(std::atol(ReadFileToString(dir_.Join("child"))->c_str()));
  SignalGroup(*pid, SIGKILL);
  EXPECT_EQ(Wait(*pid), 128 + SIGKILL);
  EXPECT_TRUE(mr::testing::Eventually([&] { return ::kill(child, 0) != 0; }));
  std::string reason;
  EXPECT_EQ(ExitCodeOf(3 << 8, &reason), 3);
  EXPECT_EQ(reason, "exit code 3");
  pid = SpawnProcess(Spec("kill -SEGV $$\n"));
  ASSERT_TRUE(pid.ok());
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_EQ(ExitCodeOf(status, &reason), 139);
  EXPECT_EQ(reason, "killed by signal 11");
}

TEST_F(SpawnTest, RssOfAGroupIsSampled) {
  // tail holds a 40 MB line while blocked writing it to sleep.
  auto pid = SpawnProcess(Spec("head -c 40M /dev/zero | tail | sleep 100\n"));
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(mr::testing::Eventually([&] {
    auto rss = RssByProcessGroup();
    return rss.count(*pid) > 0 && rss[*pid] > (30u << 20);
  }));
  auto rss = RssByProcessGroup();
  EXPECT_GT(rss[::getpgrp()], 0u);  // Our own group is there too.
  SignalGroup(*pid, SIGKILL);
  Wait(*pid);
}

TEST(LocalizerTest, DownloadsOncePerAppEvenWhenConcurrentAndRetriesFailures) {
  ScopedTempDir dir;
  std::atomic<int> calls{0};
  std::atomic<bool> fail{true};
  Localizer localizer(dir.Join("apps"), [&](const std::string& dfs_path, const std::string& local) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // Overlap the callers.
    if (fail && dfs_path == "/bad") return Status::IOError("injected");
    return WriteStringToFile(local, "#!/bin/sh\n", false);
  });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto path = localizer.Localize("app_1", "/job");
      if (path.ok() && *path == JoinPath(dir.Join("apps/app_1"), "job")) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(calls, 1);
  struct stat st;
  ASSERT_EQ(::stat(dir.Join("apps/app_1/job").c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IXUSR, 0u);
  EXPECT_FALSE(localizer.Localize("app_2", "/bad").ok());
  EXPECT_FALSE(PathExists(dir.Join("apps/app_2/job.download")));
  fail = false;
  EXPECT_TRUE(localizer.Localize("app_2", "/bad").ok());  // Not remembered.
  EXPECT_EQ(localizer.downloads(), 3);
  localizer.Forget("app_1");
  EXPECT_TRUE(localizer.Localize("app_1", "/job").ok());
  EXPECT_EQ(localizer.downloads(), 4);
}

}  // namespace
}  // namespace mr::sched::nm

// Containers that do not run as root (issue 16): a Node Manager running as
// root runs each container as the user it is launched for, with a private
// working directory and files, refuses root and unknown users, never reads
// what a container left as a symlink, and (with cgroup v2) has the kernel
// enforce the memory grant. A ContainerManager with a local fetcher: no
// daemons. Tests that need root skip, saying so, when not root.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "scheduler/nodemanager/container_cgroups.h"
#include "scheduler/nodemanager/container_env.h"
#include "scheduler/nodemanager/container_manager.h"
#include "scheduler/nodemanager/container_user.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/process_launcher.h"
#include "scheduler/resourcemanager/resources.h"
#include "test_util.h"

namespace mr::sched::nm {
namespace {

using mr::testing::Eventually;
using mr::testing::ScopedTempDir;

constexpr char kApp[] = "app_1764237600000_0001";
constexpr char kApp2[] = "app_1764237600000_0002";
constexpr uid_t kNobody = 65534;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

#define SKIP_UNLESS_ROOT()                                                               \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: only a root node manager runs "     \
                                        "containers as other users"

// A node manager's containers; "job binaries" are shell scripts named by
// their DFS path in scripts_.
class ContainerUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The NM's --dir must be passable by container users (mkdtemp's is 0700).
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0711), 0);
    localizer_ = std::make_unique<Localizer>(
        dir_.Join("apps"), [this](const std::string& dfs_path, const std::string& local) {
          auto it = scripts_.find(dfs_path);
          if (it == scripts_.end()) return Status::NotFound(dfs_path);
          return WriteStringToFile(local, "#!/bin/sh\n" + it->second, false);
        });
    ContainerManager::Options options;
    options.dir = dir_.path();
    options.capability = MakeResource(4, 1024);
    options.node.node_id = "nm-user-test";
    options.memory_check_ms = 100;
    options.stop_grace_ms = 300;
    options.cgroup_root = "/sys/fs/cgroup";
    containers_ = std::make_unique<ContainerManager>(options, localizer_.get());
  }
  void TearDown() override {
    if (containers_) containers_->Shutdown();
  }

  wire::LaunchContext Context(const std::string& app, const std::string& id,
                              const std::string& script, int64_t memory_mb = 128) {
    std::string path = "/jobs/" + id;
    scripts_[path] = script;
    wire::LaunchContext c;
    c.app_id = app;
    c.container_id = id;
    c.binary_dfs_path = path;
    c.resource = MakeResource(1, memory_mb);
    return c;
  }

  // The status once complete.
  wire::ContainerStatus WaitComplete(const std::string& id) {
    wire::ContainerStatus out;
    EXPECT_TRUE(Eventually(
        [&] {
          auto statuses = containers_->Statuses({id});
          if (statuses.size() != 1 || statuses[0].state != wire::ContainerState::COMPLETE) {
            return false;
          }
          out = statuses[0];
          return true;
        },
        std::chrono::seconds(30)));
    return out;
  }

  std::string Stdout(const std::string& id) {
    auto log = containers_->Log(id, "stdout", 1 << 20);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : "";
  }

  std::string WorkDir(const std::string& app, const std::string& id) {
    return JoinPath(JoinPath(containers_->AppDir(app), "containers"), id) + "/";
  }

  ScopedTempDir dir_;
  std::map<std::string, std::string> scripts_;
  std::unique_ptr<Localizer> localizer_;
  std::unique_ptr<ContainerManager> containers_;
};

// uid:gid and mode of `path` (never through a symlink).
std::string OwnerAndMode(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return "missing";
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%o", st.st_mode & 07777);
  return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + " " + mode;
}

TEST(ContainerUserResolveTest, RootAndUnknownUsersAreRefusedAndEmptyIsTheNmsOwn) {
  auto root = ResolveContainerUser("root");
  EXPECT_TRUE(root.status().IsPermissionDenied()) << root.status().ToString();
  auto unknown = ResolveContainerUser("no-such-user-mr16");
  EXPECT_TRUE(unknown.status().IsPermissionDenied()) << unknown.status().ToString();
  auto own = ResolveContainerUser("");
  ASSERT_TRUE(own.ok());
  EXPECT_FALSE(own->switch_user);
  EXPECT_EQ(own->uid, ::geteuid());
  auto nobody = ResolveContainerUser("nobody");
  ASSERT_TRUE(nobody.ok()) << nobody.status().ToString();
  // Only a root NM can switch; any other runs everything as itself.
  EXPECT_EQ(nobody->switch_user, ::geteuid() == 0);
  EXPECT_EQ(nobody->uid, ::geteuid() == 0 ? kNobody : ::geteuid());
}

TEST_F(ContainerUserTest, AContainerForRootOrAnUnknownUserIsRefused) {
  Status s = containers_->Start(Context(kApp, "c_root", "id -u > ran\n"), "root");
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  s = containers_->Start(Context(kApp, "c_unknown", "id -u > ran\n"), "no-such-user-mr16");
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_TRUE(containers_->Statuses({"c_root", "c_unknown"}).empty());  // Never accepted.
  EXPECT_EQ(localizer_->downloads(), 0);
}

TEST(ContainerManagerWithSecurityTest, ARootNmRefusesALaunchThatNamesNoUser) {
  SKIP_UNLESS_ROOT();
  ScopedTempDir dir;
  Localizer localizer(dir.Join("apps"), [](const std::string&, const std::string& local) {
    return WriteStringToFile(local, "#!/bin/sh\n", false);
  });
  ContainerManager::Options options;
  options.dir = dir.path();
  options.capability = MakeResource(1, 256);
  options.node.node_id = "nm-user-test";
  options.require_user_when_root = true;
  ContainerManager containers(options, &localizer);
  wire::LaunchContext c;
  c.app_id = kApp;
  c.container_id = "c_1";
  c.binary_dfs_path = "/job";
  c.resource = MakeResource(1, 128);
  Status s = containers.Start(c, "");
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_TRUE(containers.Start(c, "nobody").ok());
}

TEST_F(ContainerUserTest, ANobodyContainerRunsAs65534AndCannotReadShadow) {
  SKIP_UNLESS_ROOT();
  auto context = Context(kApp, "c_nobody",
                         "grep -e '^Uid:' -e '^Gid:' -e '^Groups:' /proc/self/status\n"
                         "if cat /etc/shadow > /dev/null 2>&1; then echo shadow: read; "
                         "else echo shadow: denied; fi\n"
                         "echo \"home=$HOME user=$USER\"\n"
                         "cat secret\n"
                         "mkdir -p \"$MR_APP_LOCAL_DIR/output\" && touch \"$MR_APP_LOCAL_DIR/output/m\" "
                         "&& echo output: writable\n"
                         "touch \"$MR_APP_LOCAL_DIR/planted\" 2>/dev/null && echo app dir: writable\n"
                         "exit 0\n");
  context.files["secret"] = "the job's credential\n";
  ASSERT_TRUE(containers_->Start(context, "nobody").ok());
  auto status = WaitComplete("c_nobody");
  EXPECT_EQ(status.exit_code, 0) << status.diagnostics;
  std::string out = Stdout("c_nobody");  // The NM (root) reads the user's 0600 log.
  EXPECT_TRUE(Contains(out, "Uid:\t65534\t65534\t65534\t65534")) << out;
  EXPECT_TRUE(Contains(out, "Gid:\t65534\t65534\t65534\t65534")) << out;
  EXPECT_TRUE(Contains(out, "Groups:\t65534")) << out;
  EXPECT_TRUE(Contains(out, "shadow: denied")) << out;
  EXPECT_TRUE(Contains(out, "home=/nonexistent user=nobody")) << out;
  EXPECT_TRUE(Contains(out, "the job's credential")) << out;
  EXPECT_TRUE(Contains(out, "output: writable")) << out;
  EXPECT_FALSE(Contains(out, "app dir: writable")) << out;

  std::string work = WorkDir(kApp, "c_nobody");
  EXPECT_EQ(OwnerAndMode(work), "65534:65534 700");
  EXPECT_EQ(OwnerAndMode(work + "secret"), "65534:65534 600");
  EXPECT_EQ(OwnerAndMode(work + "stdout"), "65534:65534 600");
  EXPECT_EQ(OwnerAndMode(work + "stderr"), "65534:65534 600");
  std::string app = containers_->AppDir(kApp);
  EXPECT_EQ(OwnerAndMode(app), "0:0 711");
  EXPECT_EQ(OwnerAndMode(app + "/job"), "65534:65534 500");
  EXPECT_EQ(OwnerAndMode(app + "/output"), "65534:65534 700");
}

TEST_F(ContainerUserTest, AnotherUsersContainerCannotReadTheFilesOrRunTheBinary) {
  SKIP_UNLESS_ROOT();
  auto first = Context(kApp, "c_victim", "sleep 30\n");
  first.files["secret"] = "victim's credential\n";
  ASSERT_TRUE(containers_->Start(first, "nobody").ok());
  std::string work = WorkDir(kApp, "c_victim");
  ASSERT_TRUE(Eventually([&] { return PathExists(work + "stdout"); }));
  std::string app = containers_->AppDir(kApp);
  auto attack = Context(kApp2, "c_attacker",
                        "echo uid=$(id -u)\n"
                        "cat " + work + "secret && echo read secret\n"
                        "ls " + work + " && echo listed workdir\n"
                        "ls " + app + " && echo listed app dir\n"
                        "cat " + app + "/job > /dev/null && echo read binary\n"
                        "ls " + app + "/output && echo listed outputs\n"
                        "exit 0\n");
  ASSERT_TRUE(containers_->Start(attack, "daemon").ok());
  auto status = WaitComplete("c_attacker");
  EXPECT_EQ(status.exit_code, 0) << status.diagnostics;
  std::string out = Stdout("c_attacker");
  EXPECT_TRUE(Contains(out, "uid=1\n")) << out;  // daemon
  for (const char* leak : {"read secret", "victim's credential", "listed workdir",
                           "listed app dir", "read binary", "listed outputs"}) {
    EXPECT_FALSE(Contains(out, leak)) << leak << " in:\n" << out;
  }
  containers_->Stop("c_victim", "test over");
  WaitComplete("c_victim");
}

TEST_F(ContainerUserTest, AnApplicationsContainersOnANodeAllRunAsOneUser) {
  SKIP_UNLESS_ROOT();
  ASSERT_TRUE(containers_->Start(Context(kApp, "c_1", "exit 0\n"), "nobody").ok());
  Status s = containers_->Start(Context(kApp, "c_2", "exit 0\n"), "daemon");
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  s = containers_->Start(Context(kApp, "c_3", "exit 0\n"), "");  // The NM's own: root.
  EXPECT_TRUE(s.IsPermissionDenied()) << s.ToString();
  EXPECT_TRUE(containers_->Start(Context(kApp, "c_4", "exit 0\n"), "nobody").ok());
  EXPECT_EQ(WaitComplete("c_1").exit_code, 0);
  EXPECT_EQ(WaitComplete("c_4").exit_code, 0);
}

TEST_F(ContainerUserTest, WhatAContainerLinksToIsNeverReadByTheNm) {
  SKIP_UNLESS_ROOT();
  // Its logs, result and progress replaced by links to /etc/shadow, and a
  // FIFO, before it exits: the NM (root) must not serve their targets.
  auto context = Context(kApp, "c_links",
                         "rm -f stdout result progress\n"
                         "ln -s /etc/shadow stdout\n"
                         "ln -s /etc/shadow result\n"
                         "mkfifo progress\n"
                         "exit 0\n");
  ASSERT_TRUE(containers_->Start(context, "nobody").ok());
  auto status = WaitComplete("c_links");
  EXPECT_EQ(status.exit_code, 0) << status.diagnostics;
  EXPECT_TRUE(status.result.empty()) << status.result;
  auto log = containers_->Log("c_links", "stdout", 1 << 20);
  EXPECT_TRUE(log.status().IsPermissionDenied()) << log.status().ToString();
  EXPECT_FALSE(log.ok() && Contains(*log, "root:")) << *log;
}

TEST_F(ContainerUserTest, AContainerOverItsMemoryGrantIsKilledByTheKernel) {
  SKIP_UNLESS_ROOT();
  if (!containers_->kernel_memory_limits()) {
    GTEST_SKIP() << "cgroup v2 with the memory controller is not available at /sys/fs/cgroup "
                    "here (the NM samples RSS instead; NodeManagerITest."
                    "ContainerOverItsMemoryGrantIsKilled covers that)";
  }
  // tail holds a 200 MB line in memory; the grant is 64 MB.
  ASSERT_TRUE(containers_
                  ->Start(Context(kApp, "c_big", "head -c 200M /dev/zero | tail\n", 64),
                          "nobody")
                  .ok());
  auto status = WaitComplete("c_big");
  EXPECT_NE(status.exit_code, 0);
  EXPECT_TRUE(Contains(status.diagnostics, "memory limit 64 MB exceeded")) << status.diagnostics;
  EXPECT_TRUE(Contains(status.diagnostics, "OOM killer")) << status.diagnostics;
}

TEST(ContainerCgroupsTest, OnlyACgroup2MountWithTheMemoryControllerIsUsed) {
  ScopedTempDir dir;
  auto not_cgroup = ContainerCgroups::Open(dir.path(), "nm-x", dir.path());
  EXPECT_FALSE(not_cgroup.ok());
  EXPECT_TRUE(Contains(not_cgroup.status().ToString(), "not a cgroup2 mount"))
      << not_cgroup.status().ToString();
  // This host: whichever it is, the answer is definite (and logged by NMs).
  auto host = ContainerCgroups::Open("/sys/fs/cgroup", "nm-cgroup-test", dir.path());
  std::cout << "cgroup v2 memory limits on this host: "
            << (host.ok() ? "yes, under " + (*host)->parent() : host.status().ToString())
            << std::endl;
}

// The kernel side of a container's cgroup on whatever cgroup2 mount this
// host has, without memory limits where it offers no memory controller:
// the child joins before exec; removal kills what escaped the process group
// (setsid); a crashed run's cgroups are killed and removed at Open.
TEST(ContainerCgroupsTest, AChildJoinsItsCgroupAndRemovalKillsWhatEscapedItsGroup) {
  SKIP_UNLESS_ROOT();
  std::string root;
  for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (root.empty() && PathExists(JoinPath(candidate, "cgroup.max.depth")) &&
        PathExists(JoinPath(candidate, "cgroup.subtree_control"))) {
      root = candidate;
    }
  }
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount on this host";
  ScopedTempDir dir;
  const std::string node = "nm-cgtest-" + std::to_string(::getpid());
  auto first = ContainerCgroups::Open(root, node, dir.path(), /*limit_memory=*/false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string parent = (*first)->parent();

  // A "crashed" run's container: a cgroup with a process in it, left behind.
  auto stale = (*first)->Create("c_stale", 64 << 20);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  LaunchSpec spec;
  ASSERT_TRUE(WriteStringToFile(dir.Join("job"),
                                "#!/bin/sh\nsetsid sleep 100 &\necho $! > escaped\nwait\n", false)
                  .ok());
  ASSERT_EQ(::chmod(dir.Join("job").c_str(), 0755), 0);
  spec.binary = dir.Join("job");
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.working_dir = dir.path();
  spec.stdout_path = dir.Join("out");
  spec.stderr_path = dir.Join("err");
  spec.cgroup_procs = *stale;
  auto stale_pid = SpawnProcess(spec);
  ASSERT_TRUE(stale_pid.ok()) << stale_pid.status().ToString();
  first->reset();  // The parent stays: it is not empty.
  auto second = ContainerCgroups::Open(root, node, dir.path(), /*limit_memory=*/false);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->parent(), parent);
  EXPECT_FALSE(PathExists(JoinPath(parent, "c_stale")));
  int status = 0;
  ASSERT_EQ(::waitpid(*stale_pid, &status, 0), *stale_pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  auto procs = (*second)->Create("c_1", 64 << 20);
  ASSERT_TRUE(procs.ok()) << procs.status().ToString();
  (void)RemoveAll(dir.Join("escaped"));
  spec.cgroup_procs = *procs;
  auto pid = SpawnProcess(spec);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  ASSERT_TRUE(Eventually([&] {
    auto e = ReadFileToString(dir.Join("escaped"));
    return e.ok() && !e->empty() && e->back() == '\n';
  }));
  pid_t escaped = static_cast<pid_t>(std::atol(ReadFileToString(dir.Join("escaped"))->c_str()));
  auto cgroup = ReadFileToString("/proc/" + std::to_string(escaped) + "/cgroup");
  ASSERT_TRUE(cgroup.ok());
  EXPECT_TRUE(Contains(*cgroup, BaseName(parent) + "/c_1\n")) << *cgroup;
  SignalGroup(*pid, SIGKILL);
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_EQ(::kill(escaped, 0), 0) << "setsid should have escaped the process group";
  ASSERT_TRUE((*second)->Remove("c_1").ok());
  EXPECT_FALSE(PathExists(JoinPath(parent, "c_1")));
  EXPECT_TRUE(Eventually([&] { return ::kill(escaped, 0) != 0; }));
  second->reset();
  EXPECT_FALSE(PathExists(parent));
}

TEST(ContainerEnvTest, TheClusterCaIsGivenWhenTheNmHasSecurity) {
  NodeEnv node;
  node.node_id = "nm-0-0";
  auto env = ContainerEnvironment(node, kApp, "c_1", MakeResource(1, 128), "/a", {});
  for (const std::string& e : env) EXPECT_NE(e.rfind("MR_CA_FILE=", 0), 0u) << e;
  node.ca_file = "/cluster/keys/ca.pem";
  env = ContainerEnvironment(node, kApp, "c_1", MakeResource(1, 128), "/a", {});
  EXPECT_NE(std::find(env.begin(), env.end(), "MR_CA_FILE=/cluster/keys/ca.pem"), env.end());
}

}  // namespace
}  // namespace mr::sched::nm

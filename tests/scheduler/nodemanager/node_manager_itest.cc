// The Node Manager (in-process library) against a real local DFS (one
// master, one datanode: local_dfs.h) and a fake RM (fake_rm.h). Job
// "binaries" are small /bin/sh scripts uploaded into the DFS.
//
// Skips only if the DFS daemons are not built; anything else is a failure.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "NodeManagerService.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/dataplane/framing.h"
#include "rpc/thrift_client.h"
#include "scheduler/logs/aggregated_logs.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/node_manager.h"
#include "scheduler/nodemanager/rm_link.h"
#include "scheduler/resourcemanager/resources.h"
#include "tests/dfs/client/local_dfs.h"
#include "tests/scheduler/nodemanager/fake_rm.h"
#include "test_util.h"

namespace mr::sched::nm {
namespace {

using NmClient = rpc::ThriftClient<wire::NodeManagerServiceClient, wire::SchedulerError>;
using std::chrono::milliseconds;
using mr::testing::Eventually;

constexpr char kApp[] = "app_1764237600000_0001";
constexpr char kApp2[] = "app_1764237600000_0002";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class NodeManagerITest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = mr::testing::MissingDfsDaemons();
    if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
    auto up = dfs_.Up(1, 1);
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    auto config = cluster::LoadConfig(dfs_.dir());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    dfs_master_ = config->Master()->host + ":" + std::to_string(config->Master()->port);
    auto client = dfs::DfsClient::ConnectToCluster(dfs_.dir());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    dfs_client_ = std::move(client).value();
    ASSERT_TRUE(rm_.Start().ok());
  }

  void TearDown() override {
    if (nm_) nm_->Stop();
  }

  NodeManager::Options NmOptions() {
    NodeManager::Options options;
    options.dir = dir_.Join("nm");
    options.id = "nm-0-0";
    options.rack = "/r0";
    options.datanode_id = "dn-0-0";
    options.rm_address = rm_.address();
    options.dfs_master = dfs_master_;
    options.capability = MakeResource(8, 1024);
    options.heartbeat_ms = 50;
    options.containers.memory_check_ms = 100;
    options.containers.stop_grace_ms = 300;
    options.cleaner.replication = 1;  // One datanode.
    return options;
  }

  void StartNm(NodeManager::Options options) {
    auto nm = NodeManager::Start(options);
    ASSERT_TRUE(nm.ok()) << nm.status().ToString();
    nm_ = std::move(nm).value();
    auto client = NmClient::Connect("node manager", "127.0.0.1", nm_->rpc_port());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }
  void StartNm() { StartNm(NmOptions()); }

  // Uploads an executable script as a job "binary".
  std::string UploadScript(const std::string& name, const std::string& body) {
    std::string path = "/.staging/" + name;
    dfs::DfsClient::CreateOptions create;
    create.replication = 1;
    auto out = dfs_client_->Create(path, create);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return path;
    EXPECT_TRUE((*out)->Write("#!/bin/sh\n" + body).ok());
    EXPECT_TRUE((*out)->Close().ok());
    return path;
  }

  wire::LaunchContext Context(const std::string& app, const std::string& container_id,
                              const std::string& binary, int64_t memory_mb = 128) {
    wire::LaunchContext c;
    c.app_id = app;
    c.container_id = container_id;
    c.binary_dfs_path = binary;
    c.resource = MakeResource(1, memory_mb);
    return c;
  }

  Status Start(const wire::LaunchContext& context) {
    return client_->Call("StartContainer", [&](auto& stub) { stub.StartContainer(context); });
  }

  Result<wire::ContainerStatus> StatusOf(const std::string& id) {
    ASSIGN_OR_RETURN(auto statuses, client_->CallFor<std::vector<wire::ContainerStatus>>(
                                        "GetContainerStatuses", [&](auto& stub, auto& out) {
                                          stub.GetContainerStatuses(out, {id});
                                        }));
    if (statuses.size() != 1) return Status::NotFound(id);
    return statuses[0];
  }

  // Polls until the container is COMPLETE (fails the test after `timeout`).
  wire::ContainerStatus WaitComplete(const std::string& id, milliseconds timeout = milliseconds(20000)) {
    wire::ContainerStatus status;
    bool done = Eventually(
        [&] {
          auto s = StatusOf(id);
          if (!s.ok()) return false;
          status = *s;
          return status.state == wire::ContainerState::COMPLETE;
        },
        timeout);
    EXPECT_TRUE(done) << id << " did not complete";
    return status;
  }

  std::string ContainerDir(const std::string& app, const std::string& id) {
    return JoinPath(JoinPath(JoinPath(JoinPath(dir_.Join("nm"), "apps"), app), "containers"), id);
  }

  mr::testing::ScopedTempDir dir_;
  mr::testing::LocalDfs dfs_;
  std::string dfs_master_;
  std::unique_ptr<dfs::DfsClient> dfs_client_;
  testing::FakeRm rm_;
  std::unique_ptr<NodeManager> nm_;
  std::unique_ptr<NmClient> client_;
};

TEST_F(NodeManagerITest, ExitZeroReturnsResultFilesAndEnvironment) {
  StartNm();
  std::string binary = UploadScript(
      "ok", "echo to-stdout\n"
            "cat task_spec > spec_copy\n"
            "env | grep -e '^MR_' -e '^EXTRA=' -e '^PATH=' | sort > result\n"
            "echo \"args=$*\" >> result\n"
            "exit 0\n");
  auto context = Context(kApp, std::string(kApp) + "_c000001", binary, 256);
  context.arguments = {"--mr_role=task", "two words"};
  context.env["EXTRA"] = "x y";
  context.env["MR_APP_ID"] = "forged";  // The NM's own variables win.
  context.files["task_spec"] = std::string("spec\0bytes", 10);
  ASSERT_TRUE(Start(context).ok());
  wire::ContainerStatus status = WaitComplete(context.container_id);
  EXPECT_EQ(status.exit_code, 0) << status.diagnostics;
  EXPECT_EQ(status.diagnostics, "");
  EXPECT_EQ(status.app_id, kApp);
  std::string r = status.result;
  std::string app_dir = JoinPath(JoinPath(dir_.Join("nm"), "apps"), kApp);
  for (const std::string& line :
       {std::string("MR_APP_ID=") + kApp, "MR_CONTAINER_ID=" + context.container_id,
        std::string("MR_NODE_ID=nm-0-0"), std::string("MR_NODE_HOST=127.0.0.1"),
        std::string("MR_RACK=/r0"), "MR_NM_PORT=" + std::to_string(nm_->rpc_port()),
        "MR_SHUFFLE_PORT=" + std::to_string(nm_->shuffle_port()),
        "MR_APP_LOCAL_DIR=" + app_dir, "MR_RM_ADDRESS=" + rm_.address(),
        "MR_DFS_MASTER=" + dfs_master_, std::string("MR_CONTAINER_VCORES=1"),
        std::string("MR_CONTAINER_MEMORY_MB=256"), std::string("EXTRA=x y"),
        std::string("args=--mr_role=task two words")}) {
    EXPECT_TRUE(Contains(r, line + "\n")) << "missing " << line << " in:\n" << r;
  }
  EXPECT_TRUE(Contains(r, "PATH=")) << r;
  auto copy = ReadFileToString(JoinPath(ContainerDir(kApp, context.container_id), "spec_copy"));
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(*copy, std::string("spec\0bytes", 10));
  auto log = client_->CallFor<std::string>("GetContainerLog", [&](auto& stub, auto& out) {
    stub.GetContainerLog(out, context.container_id, "stdout", 1 << 20);
  });
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(*log, "to-stdout\n");
  log = client_->CallFor<std::string>("GetContainerLog", [&](auto& stub, auto& out) {
    stub.GetContainerLog(out, context.container_id, "stdout", 4);
  });
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*log, "out\n");
  log = client_->CallFor<std::string>("GetContainerLog", [&](auto& stub, auto& out) {
    stub.GetContainerLog(out, "nope", "stdout", 10);
  });
  EXPECT_TRUE(log.status().IsNotFound()) << log.status().ToString();
  EXPECT_EQ(nm_->containers()->used().memory_mb, 0);
}

TEST_F(NodeManagerITest, NonZeroExitCarriesLastStderrLines) {
  StartNm();
  std::string binary = UploadScript(
      "fail", "i=1\nwhile [ $i -le 30 ]; do echo \"err line $i\" >&2; i=$((i+1)); done\n"
              "echo partial > result\nexit 3\n");
  ASSERT_TRUE(Start(Context(kApp, "c1", binary)).ok());
  wire::ContainerStatus status = WaitComplete("c1");
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.diagnostics.rfind("exit code 3\n", 0), 0u) << status.diagnostics;
  EXPECT_TRUE(Contains(status.diagnostics, "err line 11\n")) << status.diagnostics;
  EXPECT_TRUE(Contains(status.diagnostics, "err line 30")) << status.diagnostics;
  EXPECT_FALSE(Contains(status.diagnostics, "err line 10\n")) << status.diagnostics;
  // A failed task's result comes back too (a reduce's fetch failures).
  EXPECT_EQ(status.result, "partial\n");
  EXPECT_EQ(status.resource.vcores, 1);
  EXPECT_EQ(status.resource.memory_mb, 128);
}

// A running container's "progress" file shows in its status, as written;
// missing or garbage, progress is -1.
TEST_F(NodeManagerITest, RunningContainerReportsItsProgressFile) {
  StartNm();
  std::string binary = UploadScript(
      "progressing", "while [ ! -e go1 ]; do sleep 0.01; done\n"
                     "printf '0.250000 7\\n' > progress.tmp && mv progress.tmp progress\n"
                     "while [ ! -e go2 ]; do sleep 0.01; done\n"
                     "echo garbage > progress\n"
                     "sleep 100\n");
  auto context = Context(kApp, "c1", binary, 200);
  ASSERT_TRUE(Start(context).ok());
  std::string dir = ContainerDir(kApp, "c1");
  wire::ContainerStatus status;
  ASSERT_TRUE(Eventually([&] {
    auto s = StatusOf("c1");
    if (!s.ok()) return false;
    status = *s;
    return PathExists(JoinPath(dir, "stdout"));  // Launched.
  }));
  EXPECT_EQ(status.state, wire::ContainerState::RUNNING);
  EXPECT_EQ(status.progress, -1);  // Nothing written yet.
  EXPECT_EQ(status.resource.memory_mb, 200);
  ASSERT_TRUE(WriteStringToFile(JoinPath(dir, "go1"), "", false).ok());
  ASSERT_TRUE(Eventually([&] {
    auto s = StatusOf("c1");
    if (s.ok()) status = *s;
    return s.ok() && status.progress_ticks == 7;
  })) << status.progress;
  EXPECT_DOUBLE_EQ(status.progress, 0.25);
  EXPECT_EQ(status.state, wire::ContainerState::RUNNING);
  ASSERT_TRUE(WriteStringToFile(JoinPath(dir, "go2"), "", false).ok());
  ASSERT_TRUE(Eventually([&] {
    auto s = StatusOf("c1");
    if (s.ok()) status = *s;
    return s.ok() && status.progress == -1;
  }));
  EXPECT_EQ(status.progress_ticks, 0);
  ASSERT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer("c1"); }).ok());
  status = WaitComplete("c1");
  EXPECT_EQ(status.progress, -1);  // Only RUNNING containers report progress.
  EXPECT_EQ(status.resource.memory_mb, 200);
}

TEST_F(NodeManagerITest, CrashBySignalIs128PlusSignal) {
  StartNm();
  std::string binary = UploadScript("segv", "echo about to crash >&2\nkill -SEGV $$\n");
  ASSERT_TRUE(Start(Context(kApp, "c1", binary)).ok());
  wire::ContainerStatus status = WaitComplete("c1");
  EXPECT_EQ(status.exit_code, 139);
  EXPECT_EQ(status.diagnostics.rfind("killed by signal 11", 0), 0u) << status.diagnostics;
  EXPECT_TRUE(Contains(status.diagnostics, "about to crash")) << status.diagnostics;
}

TEST_F(NodeManagerITest, ContainerOverItsMemoryGrantIsKilled) {
  StartNm();
  // tail keeps the whole newline-free input in memory.
  std::string binary = UploadScript("hog", "head -c 300M /dev/zero | tail\necho survived\n");
  ASSERT_TRUE(Start(Context(kApp, "c1", binary, 64)).ok());
  wire::ContainerStatus status = WaitComplete("c1", milliseconds(30000));
  EXPECT_EQ(status.exit_code, 128 + SIGKILL) << status.diagnostics;
  EXPECT_EQ(status.diagnostics.rfind("killed: memory limit 64 MB exceeded (RSS ", 0), 0u)
      << status.diagnostics;
  auto out = ReadFileToString(JoinPath(ContainerDir(kApp, "c1"), "stdout"));
  EXPECT_FALSE(out.ok() && Contains(*out, "survived"));
}

TEST_F(NodeManagerITest, StopContainerEndsTheGroupAndEscalatesToSigkill) {
  StartNm();
  std::string polite = UploadScript("sleeper", "echo $$ > started\nsleep 100\n");
  // Ignores SIGTERM (and so does its sleep): only SIGKILL after the grace.
  std::string stubborn = UploadScript("stubborn", "trap '' TERM\necho $$ > started\nsleep 100\n");
  ASSERT_TRUE(Start(Context(kApp, "c1", polite)).ok());
  // A binary is per application: the second script needs an app of its own.
  ASSERT_TRUE(Start(Context(kApp2, "c2", stubborn)).ok());
  std::map<std::string, std::string> app_of = {{"c1", kApp}, {"c2", kApp2}};
  // Each has written its pid (the shell makes the file before it writes).
  for (const auto& [id, app] : app_of) {
    ASSERT_TRUE(Eventually([&] {
      auto pid = ReadFileToString(JoinPath(ContainerDir(app, id), "started"));
      return pid.ok() && !pid->empty() && pid->back() == '\n';
    }));
  }
  auto begin = std::chrono::steady_clock::now();
  for (const char* id : {"c1", "c2"}) {
    ASSERT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer(id); }).ok());
  }
  wire::ContainerStatus c1 = WaitComplete("c1", milliseconds(5000));
  wire::ContainerStatus c2 = WaitComplete("c2", milliseconds(5000));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, milliseconds(4000));
  EXPECT_EQ(c1.exit_code, 128 + SIGTERM) << c1.diagnostics;
  EXPECT_EQ(c2.exit_code, 128 + SIGKILL);
  EXPECT_EQ(c1.diagnostics.rfind("stopped", 0), 0u) << c1.diagnostics;
  EXPECT_EQ(c2.diagnostics.rfind("stopped", 0), 0u) << c2.diagnostics;
  // Stopping again, or an unknown container, is not an error.
  EXPECT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer("c1"); }).ok());
  EXPECT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer("zz"); }).ok());
  // No process of either group is left (the sleeps included): the script
  // is its group's leader, so its pid is the group id.
  for (const auto& [id, app] : app_of) {
    auto pid = ReadFileToString(JoinPath(ContainerDir(app, id), "started"));
    ASSERT_TRUE(pid.ok());
    pid_t pgid = static_cast<pid_t>(std::atol(pid->c_str()));
    ASSERT_GT(pgid, 1);
    EXPECT_TRUE(Eventually([&] { return ::kill(-pgid, 0) != 0 && errno == ESRCH; },
                           milliseconds(2000)))
        << id;
  }
}

TEST_F(NodeManagerITest, LocalizesOncePerApplicationAndCleansUp) {
  StartNm();
  std::string binary = UploadScript("quick", "echo ok > result\n");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Start(Context(kApp, "a" + std::to_string(i), binary)).ok());
  }
  ASSERT_TRUE(Start(Context(kApp2, "b0", binary)).ok());
  for (const char* id : {"a0", "a1", "a2", "a3", "b0"}) {
    wire::ContainerStatus s = WaitComplete(id);
    EXPECT_EQ(s.exit_code, 0) << id << ": " << s.diagnostics;
    EXPECT_EQ(s.result, "ok\n");
  }
  EXPECT_EQ(nm_->localizer()->downloads(), 2);
  std::string app_dir = JoinPath(JoinPath(dir_.Join("nm"), "apps"), kApp);
  EXPECT_TRUE(PathExists(JoinPath(app_dir, "job")));
  rm_.handler->CleanupOnNextHeartbeat(kApp);
  ASSERT_TRUE(Eventually([&] { return !PathExists(app_dir); }));
  EXPECT_FALSE(StatusOf("a0").ok());  // Forgotten with its application.
  EXPECT_TRUE(StatusOf("b0").ok());
  // A new container of the cleaned-up app localizes again.
  ASSERT_TRUE(Start(Context(kApp, "a9", binary)).ok());
  EXPECT_EQ(WaitComplete("a9").exit_code, 0);
  EXPECT_EQ(nm_->localizer()->downloads(), 3);
}

TEST_F(NodeManagerITest, MissingBinaryNeverStarts) {
  StartNm();
  ASSERT_TRUE(Start(Context(kApp, "c1", "/.staging/no-such-binary")).ok());
  wire::ContainerStatus status = WaitComplete("c1");
  EXPECT_EQ(status.exit_code, -1);
  EXPECT_EQ(status.diagnostics.rfind("localization failed", 0), 0u) << status.diagnostics;
  // A binary that cannot be executed (no #! line, not ELF): exec fails.
  dfs::DfsClient::CreateOptions create;
  create.replication = 1;
  auto out = dfs_client_->Create("/.staging/garbage", create);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write(std::string("\x7f" "ELF garbage\0\0", 14)).ok());
  ASSERT_TRUE((*out)->Close().ok());
  ASSERT_TRUE(Start(Context(kApp2, "c2", "/.staging/garbage")).ok());
  status = WaitComplete("c2");
  EXPECT_EQ(status.exit_code, -1);
  EXPECT_EQ(status.diagnostics.rfind("launch failed", 0), 0u) << status.diagnostics;
}

TEST_F(NodeManagerITest, RefusesBadRequests) {
  StartNm();
  std::string binary = UploadScript("sleeper", "sleep 100\n");
  auto code = [&](const wire::LaunchContext& c) { return Start(c).code(); };
  EXPECT_EQ(code(Context(kApp, "big", binary, 4096)), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(Context("../etc", "c", binary)), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(Context(kApp, "a/b", binary)), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(Context(kApp, "c", "relative/path")), Status::Code::kInvalidArgument);
  EXPECT_EQ(code(Context(kApp, "c", binary, 0)), Status::Code::kInvalidArgument);
  for (const char* name : {"../x", ".hidden", "stderr", "result", "a/b"}) {
    auto c = Context(kApp, "c", binary);
    c.files[name] = "x";
    EXPECT_EQ(code(c), Status::Code::kInvalidArgument) << name;
  }
  // 1024 MB on the node: two of 512 fit, a third does not until one ends.
  ASSERT_TRUE(Start(Context(kApp, "m1", binary, 512)).ok());
  ASSERT_TRUE(Start(Context(kApp, "m2", binary, 512)).ok());
  Status s = Start(Context(kApp, "m3", binary, 512));
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "free")) << s.ToString();
  EXPECT_EQ(Start(Context(kApp, "m1", binary, 1)).code(), Status::Code::kAlreadyExists);
  ASSERT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer("m1"); }).ok());
  WaitComplete("m1", milliseconds(5000));
  EXPECT_TRUE(Start(Context(kApp, "m3", binary, 512)).ok());
}

// The RM counts a released container's room free at once; the NM holds it
// until the process is gone. A container that needs the room of one being
// stopped is accepted and launches once that one has ended.
TEST_F(NodeManagerITest, AContainerWaitsForTheRoomOfOneBeingStopped) {
  StartNm();
  std::string binary = UploadScript("sleeper", "sleep 100\n");
  ASSERT_TRUE(Start(Context(kApp, "m1", binary, 512)).ok());
  ASSERT_TRUE(Start(Context(kApp, "m2", binary, 512)).ok());
  ASSERT_TRUE(client_->Call("StopContainer", [&](auto& stub) { stub.StopContainer("m1"); }).ok());
  Status s = Start(Context(kApp, "m3", binary, 512));
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Still no room beyond what is being stopped.
  EXPECT_EQ(Start(Context(kApp, "m4", binary, 512)).code(), Status::Code::kUnavailable);
  WaitComplete("m1", milliseconds(5000));
  ASSERT_TRUE(Eventually([&] {
    // Launched: its working directory (with its stdout) exists.
    auto status = StatusOf("m3");
    return status.ok() && status->state == wire::ContainerState::RUNNING &&
           PathExists(ContainerDir(kApp, "m3") + "/stdout");
  }));
  auto m3 = StatusOf("m3");
  ASSERT_TRUE(m3.ok());
  EXPECT_EQ(m3->state, wire::ContainerState::RUNNING) << m3->diagnostics;
}

TEST_F(NodeManagerITest, HeartbeatsRegisterReportAndObeyTheRm) {
  StartNm();
  ASSERT_TRUE(Eventually([&] { return !rm_.handler->registrations().empty(); }));
  wire::NodeInfo info = rm_.handler->registrations()[0];
  EXPECT_EQ(info.id, "nm-0-0");
  EXPECT_EQ(info.host, "127.0.0.1");
  EXPECT_EQ(info.rpc_port, nm_->rpc_port());
  EXPECT_EQ(info.shuffle_port, nm_->shuffle_port());
  EXPECT_EQ(info.rack, "/r0");
  EXPECT_EQ(info.datanode_id, "dn-0-0");
  EXPECT_EQ(info.capability.vcores, 8);
  EXPECT_EQ(info.capability.memory_mb, 1024);

  std::string quick = UploadScript("quick", "exit 7\n");
  std::string sleeper = UploadScript("sleeper", "sleep 100\n");
  ASSERT_TRUE(Start(Context(kApp, "q", quick)).ok());
  ASSERT_TRUE(Start(Context(kApp2, "s", sleeper)).ok());  // Binaries are per app.
  ASSERT_TRUE(Eventually([&] { return rm_.handler->completed().count("q") > 0; }));
  EXPECT_EQ(rm_.handler->completed().at("q").exit_code, 7);
  EXPECT_EQ(rm_.handler->completed().at("q").resource.memory_mb, 128);  // The grant.
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : rm_.handler->last_heartbeat()) {
      if (c.container_id == "s" && c.state == wire::ContainerState::RUNNING) return true;
    }
    return false;
  }));
  // A completed container is reported once, then no more.
  int beats = rm_.handler->heartbeats();
  ASSERT_TRUE(Eventually([&] { return rm_.handler->heartbeats() >= beats + 5; }));
  EXPECT_EQ(rm_.handler->completed_reports("q"), 1);

  rm_.handler->StopOnNextHeartbeat("s");
  ASSERT_TRUE(Eventually([&] { return rm_.handler->completed().count("s") > 0; }, milliseconds(5000)));
  EXPECT_EQ(rm_.handler->completed().at("s").diagnostics.rfind("stopped", 0), 0u);

  rm_.handler->ReregisterOnNextHeartbeat();
  ASSERT_TRUE(Eventually([&] { return rm_.handler->registrations().size() >= 2; }));
}

TEST_F(NodeManagerITest, RegistersOnceTheRmComesUp) {
  int port = rm_.port();
  rm_.server->Stop();
  NodeManager::Options options = NmOptions();
  options.rm_address = "127.0.0.1:" + std::to_string(port);
  StartNm(options);
  std::this_thread::sleep_for(milliseconds(300));  // A few failed attempts.
  testing::FakeRm late;
  ASSERT_TRUE(late.Start(port).ok());
  ASSERT_TRUE(Eventually([&] { return !late.handler->registrations().empty(); }));
  ASSERT_TRUE(Eventually([&] { return late.handler->heartbeats() > 0; }));
  late.server->Stop();
}

TEST_F(NodeManagerITest, RpcServerSurvivesGarbage) {
  StartNm();
  for (const std::string& junk : {std::string(64, '\xff'), std::string("\x00\x00\x00\x10garbage!", 12),
                                  std::string(100000, 'A')}) {
    boost::asio::io_context io;
    dfs::dataplane::tcp::socket socket(io);
    ASSERT_TRUE(dfs::dataplane::Connect(&socket, "127.0.0.1", nm_->rpc_port(),
                                        milliseconds(2000)).ok());
    (void)::send(socket.native_handle(), junk.data(), junk.size(), MSG_NOSIGNAL);
    dfs::dataplane::ShutdownSocket(&socket);
  }
  std::string binary = UploadScript("quick", "exit 0\n");
  auto fresh = NmClient::Connect("node manager", "127.0.0.1", nm_->rpc_port());
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->Call("StartContainer", [&](auto& stub) {
    stub.StartContainer(Context(kApp, "c1", binary));
  }).ok());
  EXPECT_EQ(WaitComplete("c1").exit_code, 0);
}

// When the RM says an application is over, the NM writes every container's
// stdout and stderr into the DFS (/.logs/<app>/<node>) before it deletes
// the application's directory.
TEST_F(NodeManagerITest, CleanupAggregatesTheLogsIntoTheDfs) {
  StartNm();
  std::string binary = UploadScript("talker", "echo out-$MR_CONTAINER_ID\n"
                                              "echo err-$MR_CONTAINER_ID >&2\n");
  for (const char* id : {"t1", "t2"}) ASSERT_TRUE(Start(Context(kApp, id, binary)).ok());
  for (const char* id : {"t1", "t2"}) EXPECT_EQ(WaitComplete(id).exit_code, 0);
  std::string app_dir = JoinPath(JoinPath(dir_.Join("nm"), "apps"), kApp);
  rm_.handler->CleanupOnNextHeartbeat(kApp);
  ASSERT_TRUE(Eventually([&] { return !PathExists(app_dir); }));
  auto logs = ReadAppLogs(dfs_client_.get(), kApp);
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  ASSERT_EQ(logs->size(), 1u);
  const std::vector<LogRecord>& records = logs->at("nm-0-0");
  std::map<std::string, std::string> text;
  for (const LogRecord& r : records) text[r.container_id + " " + r.stream] = r.text;
  EXPECT_EQ(text["t1 stdout"], "out-t1\n");
  EXPECT_EQ(text["t1 stderr"], "err-t1\n");
  EXPECT_EQ(text["t2 stdout"], "out-t2\n");
  EXPECT_EQ(text["t2 stderr"], "err-t2\n");
}

// A restarted NM names the applications whose directories it finds; the RM
// says which are over, and their leftover logs are aggregated before the
// directories go. Running ones are left alone.
TEST_F(NodeManagerITest, ARestartedNmAggregatesAndCleansFinishedApplications) {
  std::string apps = JoinPath(dir_.Join("nm"), "apps");
  std::string leftover = JoinPath(JoinPath(JoinPath(apps, kApp), "containers"), "old1");
  ASSERT_TRUE(CreateDirs(leftover).ok());
  ASSERT_TRUE(WriteStringToFile(JoinPath(leftover, "stderr"), "from the last run\n", false).ok());
  ASSERT_TRUE(CreateDirs(JoinPath(apps, kApp2)).ok());
  StartNm();
  ASSERT_TRUE(Eventually([&] { return !rm_.handler->registrations().empty(); }));
  std::vector<std::string> named = rm_.handler->local_app_ids();
  std::sort(named.begin(), named.end());
  EXPECT_EQ(named, (std::vector<std::string>{kApp, kApp2}));
  rm_.handler->CleanupOnNextHeartbeat(kApp);  // kApp2 still runs.
  ASSERT_TRUE(Eventually([&] { return !PathExists(JoinPath(apps, kApp)); }));
  EXPECT_TRUE(PathExists(JoinPath(apps, kApp2)));
  auto logs = ReadAppLogs(dfs_client_.get(), kApp);
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  ASSERT_EQ(logs->at("nm-0-0").size(), 1u);
  EXPECT_EQ(logs->at("nm-0-0")[0].container_id, "old1");
  EXPECT_EQ(logs->at("nm-0-0")[0].text, "from the last run\n");
}

// A container the RM preempts is stopped and its status says so, on the
// RM's heartbeat and the AM's poll alike.
TEST_F(NodeManagerITest, APreemptedContainerSaysSo) {
  StartNm();
  std::string sleeper = UploadScript("sleeper", "sleep 100\n");
  ASSERT_TRUE(Start(Context(kApp, "p", sleeper)).ok());
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : rm_.handler->last_heartbeat()) {
      if (c.container_id == "p" && c.state == wire::ContainerState::RUNNING) return true;
    }
    return false;
  }));
  rm_.handler->PreemptOnNextHeartbeat("p");
  wire::ContainerStatus status = WaitComplete("p");
  EXPECT_TRUE(status.preempted);
  EXPECT_EQ(status.diagnostics.rfind("preempted", 0), 0u) << status.diagnostics;
  ASSERT_TRUE(Eventually([&] { return rm_.handler->completed().count("p") > 0; }));
  EXPECT_TRUE(rm_.handler->completed().at("p").preempted);
}

// A container is complete only once its whole process group is gone: what
// the exited leader left behind in its group is killed first, so the room
// the NM reports free has no process in it.
TEST_F(NodeManagerITest, AContainerIsCompleteOnlyOnceItsProcessGroupIsGone) {
  StartNm();
  std::string binary = UploadScript("leaver", "trap '' TERM\n"
                                              "sh -c 'trap \"\" TERM; echo $$ > child; sleep 60' &\n"
                                              "while [ ! -s child ]; do sleep 0.01; done\n"
                                              "exit 0\n");
  ASSERT_TRUE(Start(Context(kApp, "g", binary)).ok());
  wire::ContainerStatus status = WaitComplete("g");
  EXPECT_EQ(status.exit_code, 0) << status.diagnostics;
  std::string child_file =
      JoinPath(JoinPath(JoinPath(JoinPath(dir_.Join("nm"), "apps"), kApp), "containers/g"), "child");
  Result<std::string> child = ReadFileToString(child_file);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  pid_t pid = std::atoi(child->c_str());
  ASSERT_GT(pid, 0);
  // Gone, or a zombie waiting for its new parent to reap it.
  Result<std::string> stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  if (stat.ok()) {
    size_t paren = stat->rfind(')');
    ASSERT_NE(paren, std::string::npos);
    EXPECT_EQ((*stat)[paren + 2], 'Z') << *stat;
  }
}

}  // namespace
}  // namespace mr::sched::nm

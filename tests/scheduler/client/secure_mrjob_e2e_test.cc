// A job on a cluster with security (`mrcluster up --security`, issue 16),
// submitted by an ordinary local user the cluster's owner added (`mrcluster
// user add nobody`): it runs as that user's job with the RM's tokens (the
// AM's container token, job credential, application token and shuffle
// secret; each task's container token) and finishes with exactly the counts
// an independent count gives; another user (daemon, also added) can neither
// kill it nor read its logs.
//
// Needs root (to run tools as other users with setpriv); skips otherwise.
#include <sys/stat.h>

#include <future>
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "tests/scheduler/scheduler_cluster.h"

namespace mr::sched {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Quote;
using mr::testing::RunCommand;

constexpr char kAsNobody[] = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
constexpr char kAsDaemon[] = "setpriv --reuid=1 --regid=1 --clear-groups ";
constexpr int64_t kChunk = mr::testing::kSchedulerTestChunk;

class SecureMrjobE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run tools as other users (setpriv)";
    std::string missing = mr::testing::MissingSchedulerBinaries();
    if (!missing.empty()) GTEST_SKIP() << "cluster binaries not available: " << missing;
    // Other users reach the cluster's directory (their credentials are in it).
    ASSERT_EQ(::chmod(DirName(cluster_.dir()).c_str(), 0755), 0);
    CommandResult up = cluster_.Up("--security");
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    for (const char* user : {"nobody", "daemon"}) {
      CommandResult add = RunCommand(Quote(BinPath("mrcluster")) + " user add " + user +
                                     " --dir " + Quote(cluster_.dir()));
      ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
    }
    auto dfs = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
    dfs_ = std::move(dfs).value();
    // `user add` made nobody's DFS home, /user/nobody, where its job writes.
  }

  CommandResult Mrjob(const std::string& as, const std::string& args, int timeout_s = 180) {
    return RunCommand(as + Quote(BinPath("mrjob")) + " --cluster " + Quote(cluster_.dir()) + " " +
                          args,
                      timeout_s);
  }

  mr::testing::SchedulerCluster cluster_;
  std::unique_ptr<dfs::DfsClient> dfs_;
};

TEST_F(SecureMrjobE2ETest, AUsersWordCountFinishesExactlyAndAnotherUserCannotKillIt) {
  std::map<std::string, int64_t> want;
  ASSERT_TRUE(mr::testing::PutDfsFile(dfs_.get(), "/in/a.txt",
                                      mr::testing::WordCountText(2 * kChunk, 7, &want))
                  .ok());
  // The other user tries while it runs (or, if it is that quick, once it
  // ended: refused all the same).
  std::future<CommandResult> job = std::async(std::launch::async, [&] {
    return Mrjob(kAsNobody, "submit --binary " + Quote(BinPath("wordcount")) +
                                " --input /in --output /user/nobody/wc --reducers 2");
  });
  std::string app_id;
  ASSERT_TRUE(mr::testing::Eventually(
      [&] {
        CommandResult list = Mrjob("", "list");
        std::smatch m;
        if (std::regex_search(list.out, m, std::regex("(app_[0-9]+_[0-9]+)"))) app_id = m[1];
        return !app_id.empty();
      },
      std::chrono::seconds(60)));
  CommandResult kill = Mrjob(kAsDaemon, "kill " + app_id);
  EXPECT_EQ(kill.exit_code, 1) << kill.out << kill.err;
  EXPECT_NE(kill.err.find("user daemon may not act for " + app_id + " (owned by nobody)"),
            std::string::npos)
      << kill.err;
  CommandResult logs = Mrjob(kAsDaemon, "logs " + app_id + " am");
  EXPECT_NE(logs.exit_code, 0) << logs.out << logs.err;

  CommandResult done = job.get();
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_NE(done.out.find("SUCCEEDED map 100%  reduce 100%"), std::string::npos) << done.out;
  EXPECT_EQ(mr::testing::ReadWordCounts(dfs_.get(), "/user/nobody/wc", 2), want);
  CommandResult status = Mrjob("", "status " + app_id);
  EXPECT_NE(status.out.find("nobody"), std::string::npos) << status.out;
  // Its owner reads its logs.
  CommandResult own_logs = Mrjob(kAsNobody, "logs " + app_id + " am");
  EXPECT_EQ(own_logs.exit_code, 0) << own_logs.out << own_logs.err;
}

}  // namespace
}  // namespace mr::sched

// mrjob as users run it: usage errors exit 2 before anything is contacted;
// the checks before a submission (the binary, the input, the output) exit 1
// with one clear line, against a real local DFS with no job started.
#include <sys/stat.h>

#include <string>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "scheduler/client/mrjob_commands.h"
#include "scheduler/client/submit.h"
#include "tests/dfs/client/local_dfs.h"
#include "test_util.h"

namespace mr::sched {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Quote;
using mr::testing::RunCommand;

CommandResult Mrjob(const std::string& args) {
  return RunCommand(Quote(BinPath("mrjob")) + " " + args, 60);
}

TEST(MrjobUsageTest, UsageErrorsExit2WithOneLine) {
  mr::testing::ScopedTempDir tmp;
  std::string c = "--cluster " + Quote(tmp.path()) + " ";
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& k : std::vector<Case>{
           {c, "a verb is required"},
           {c + "frobnicate", "unknown verb 'frobnicate'"},
           {"list", "--cluster DIR is required"},
           {c + "status", "status: wrong number of operands"},
           {c + "status a b", "status: wrong number of operands"},
           {c + "kill", "kill: wrong number of operands"},
           {c + "logs", "logs: wrong number of operands"},
           {c + "kill app_1 --json", "kill does not take --json"},
           {c + "list --binary /bin/true", "list does not take --binary"},
           {c + "list --attempts", "list does not take --attempts"},
           {c + "status app_1 --queue prod", "status does not take --queue"},
           {c + "status app_1 -- --x=1", "status takes no job flags"},
           {c + "submit --input /in --output /out", "--binary PATH is required"},
           {c + "submit --binary /bin/true --output /out", "--input is required"},
           {c + "submit --binary /bin/true --input /in", "--output is required"},
           {c + "submit --binary /bin/true --input /in --output /out --partitioner=foo",
            "--partitioner must be hash or range"},
           {c + "submit --binary /bin/true --input in --output /out", "--input"},
           {c + "submit --binary /bin/true --input /in --output /a//b", "--output"},
           {c + "submit --binary /bin/true --input /in --output /out --reducers=-1",
            "--reducers must not be negative"},
           {c + "--no_such_flag list", "unknown flag"},
       }) {
    CommandResult r = Mrjob(k.args);
    EXPECT_EQ(r.exit_code, 2) << k.args << "\n" << r.err;
    EXPECT_NE(r.err.find(k.message), std::string::npos) << k.args << "\n" << r.err;
    EXPECT_EQ(r.err.find("mrjob: "), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(MrjobUsageTest, HelpListsTheVerbsAndExits0) {
  CommandResult r = Mrjob("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* verb : {"submit", "status", "list", "kill", "logs"}) {
    EXPECT_NE((r.out + r.err).find(verb), std::string::npos) << verb;
  }
}

TEST(MrjobUsageTest, ParsedSubmitKeepsTheJobsFlags) {
  MrjobArgs args;
  args.words = {"submit"};
  args.cluster = "/c";
  args.binary = "/bin/true";
  args.input = "/in";
  args.output = "/out";
  args.reducers = 3;
  args.partitioner = "range";
  args.job_args = {"--pattern=x", "--", "y"};
  args.saw_double_dash = true;
  auto command = ParseMrjobCommand(args);
  ASSERT_TRUE(command.ok()) << command.status().ToString();
  EXPECT_EQ(AmArguments(command->submit),
            (std::vector<std::string>{"--mr_role=am", "--input=/in", "--output=/out",
                                      "--reducers=3", "--partitioner=range", "--pattern=x", "--",
                                      "y"}));
  SubmitOptions defaults = command->submit;
  defaults.reducers = 0;
  defaults.partitioner = "";
  defaults.job_args.clear();
  EXPECT_EQ(AmArguments(defaults),
            (std::vector<std::string>{"--mr_role=am", "--input=/in", "--output=/out"}));
}

TEST(MrjobUsageTest, ExtractJobArgsSplitsAtTheFirstDoubleDash) {
  std::vector<std::string> words = {"mrjob", "submit", "--binary", "b", "--", "--x", "--", "z"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  int argc = static_cast<int>(argv.size());
  bool saw = false;
  EXPECT_EQ(ExtractJobArgs(&argc, argv.data(), &saw),
            (std::vector<std::string>{"--x", "--", "z"}));
  EXPECT_TRUE(saw);
  EXPECT_EQ(argc, 4);
}

TEST(MrjobPreSubmitTest, ABadBinaryOrClusterFailsBeforeAnythingRuns) {
  mr::testing::ScopedTempDir tmp;
  std::string not_exec = tmp.Join("job.txt");
  ASSERT_TRUE(WriteStringToFile(not_exec, "#!/bin/sh\n", false).ok());
  ::chmod(not_exec.c_str(), 0644);
  std::string c = "--cluster " + Quote(tmp.path()) + " submit --input /in --output /out ";
  CommandResult r = Mrjob(c + "--binary " + Quote(tmp.Join("missing")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "mrjob: job binary " + tmp.Join("missing") + " does not exist\n");
  r = Mrjob(c + "--binary " + Quote(not_exec));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "mrjob: job binary " + not_exec + " is not executable\n");
  r = Mrjob(c + "--binary " + Quote(tmp.path()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is not a file"), std::string::npos) << r.err;
  // A program that is not a job binary (it does not answer the flag check).
  r = Mrjob(c + "--binary /bin/true");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is not a MapReduce job binary"), std::string::npos) << r.err;
  // A good binary, but no cluster there.
  r = Mrjob(c + "--binary " + Quote(mr::testing::BinPath("wordcount")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cluster.conf"), std::string::npos) << r.err;
  // status of a cluster without a resource manager is a failure, not usage.
  r = Mrjob("--cluster " + Quote(tmp.path()) + " list");
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST(MrjobPreSubmitTest, AMissingInputOrAnExistingOutputFailsBeforeSubmitting) {
  std::string missing = mr::testing::MissingDfsDaemons();
  if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
  mr::testing::LocalDfs cluster;
  CommandResult up = cluster.Up(1, 1);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  auto dfs = dfs::DfsClient::ConnectToCluster(cluster.dir());
  ASSERT_TRUE(dfs.ok()) << dfs.status().ToString();
  for (const char* path : {"/in/a", "/out/part-r-00000"}) {
    dfs::DfsClient::CreateOptions one_replica;
    one_replica.replication = 1;
    auto writer = (*dfs)->Create(path, one_replica);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("x\n").ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  std::string c = "--cluster " + Quote(cluster.dir()) + " submit --binary " +
                  Quote(mr::testing::BinPath("wordcount")) + " ";
  CommandResult r = Mrjob(c + "--input /nope --output /new");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "mrjob: input /nope does not exist in the DFS\n");
  r = Mrjob(c + "--input /in --output /out");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "mrjob: output /out already exists\n");
  // Nothing was staged (the staging root is part of a new namespace).
  auto staged = (*dfs)->List("/.staging");
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_TRUE(staged->empty());
}

}  // namespace
}  // namespace mr::sched

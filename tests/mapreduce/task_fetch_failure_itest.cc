// A reduce attempt (`wordcount --mr_role=task`, a real process) whose map
// outputs partly live on a shuffle service that is gone: it fetches what it
// can, then hands back the lost maps in its TaskResult (fetch_failed_maps)
// and exits non-zero with one line on stderr naming them. No DFS is needed:
// a reduce connects to it only after its copy phase.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "counters.h"
#include "map_output_index.h"
#include "scheduler/nodemanager/progress_file.h"
#include "scheduler/shuffle/shuffle_server.h"
#include "segment.h"
#include "task_spec_io.h"
#include "test_util.h"

namespace mr {
namespace {

constexpr char kApp[] = "app_1764237600000_0009";

// A port nothing listens on (bound once, then closed).
int DeadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(TaskFetchFailureITest, ReduceReportsTheMapsItCouldNotFetch) {
  testing::ScopedTempDir dir;
  std::string apps = dir.Join("apps");
  std::string output_dir = JoinPath(JoinPath(apps, kApp), "output");
  ASSERT_TRUE(CreateDirs(output_dir).ok());
  // Map 1's output, served.
  std::string map1 = JoinPath(output_dir, "m_000001_0.out");
  auto writer = SegmentFileWriter::Create(map1, 1);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->StartPartition(0).ok());
  ASSERT_TRUE((*writer)->Append("word", "1").ok());
  auto file = (*writer)->Finish();
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(WriteMapOutputIndex(*file, 1).ok());
  shuffle::ShuffleServer::Options options;
  options.apps_dir = apps;
  auto server = shuffle::ShuffleServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  int dead = DeadPort();
  wire::TaskSpec spec;
  spec.app_id = kApp;
  spec.is_map = false;
  spec.index = 0;
  spec.num_reducers = 1;
  spec.output_dir = "/out/_attempts/r_000000_0";
  for (auto [index, port] : {std::pair{5, dead}, {1, (*server)->port()}, {3, dead}}) {
    wire::MapOutputLocation location;
    location.map_index = index;
    location.host = "127.0.0.1";
    location.shuffle_port = port;
    location.output_name = "m_00000" + std::to_string(index) + "_0.out";
    spec.map_outputs.push_back(location);
  }
  std::string container = dir.Join("container");
  ASSERT_TRUE(CreateDirs(container).ok());
  ASSERT_TRUE(WriteStringToFile(JoinPath(container, "task_spec"), EncodeTaskSpec(spec), false).ok());

  testing::CommandResult r = testing::RunCommand(
      "env -C " + testing::Quote(container) + " MR_APP_ID=" + kApp +
          " MR_DFS_MASTER=127.0.0.1:1 MR_NODE_HOST=127.0.0.1 " +
          testing::Quote(testing::BinPath("wordcount")) +
          " --mr_role=task --mr_task_spec=task_spec --mr_shuffle_unreachable_ms=500",
      60);
  (*server)->Stop();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // One line at the end of stderr, naming the maps and where they were.
  ASSERT_FALSE(r.err.empty());
  std::string last = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
  EXPECT_NE(last.find("task r_000000_0 failed"), std::string::npos) << last;
  EXPECT_NE(last.find("3 (m_000003_0.out on 127.0.0.1:" + std::to_string(dead)),
            std::string::npos) << last;
  EXPECT_NE(last.find("5 (m_000005_0.out on 127.0.0.1:" + std::to_string(dead)),
            std::string::npos) << last;

  Result<std::string> result = ReadFileToString(JoinPath(container, "result"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  Counters counters;
  std::vector<int32_t> failed;
  ASSERT_TRUE(DecodeTaskResult(*result, &counters, &failed).ok());
  EXPECT_EQ(failed, (std::vector<int32_t>{3, 5}));
  // Map 1's segment was fetched: a third of the copy phase.
  sched::ProgressReport progress = sched::ReadProgressFile(JoinPath(container, "progress"));
  EXPECT_NEAR(progress.fraction, 1.0 / 9, 1e-6);
  EXPECT_GE(progress.ticks, 1);
}

TEST(TaskResultTest, FetchFailedMapsRoundTrip) {
  Counters counters;
  counters.Add("g", "n", 3);
  std::string bytes = EncodeTaskResult(counters, {7, 2, 7});
  Counters decoded;
  std::vector<int32_t> failed = {99};
  ASSERT_TRUE(DecodeTaskResult(bytes, &decoded, &failed).ok());
  EXPECT_EQ(failed, (std::vector<int32_t>{2, 7}));
  EXPECT_EQ(decoded.Value("g", "n"), 3);
  ASSERT_TRUE(DecodeTaskResult(EncodeTaskResult(counters), &decoded, &failed).ok());
  EXPECT_TRUE(failed.empty());
  EXPECT_EQ(decoded.Value("g", "n"), 6);
  failed = {1};
  EXPECT_FALSE(DecodeTaskResult("\xff\xfe garbage", &decoded, &failed).ok());
  EXPECT_EQ(failed, std::vector<int32_t>{1});
}

}  // namespace
}  // namespace mr

// The aggregated log format: records round-trip, any bytes in a log, and a
// damaged file is Corruption rather than a misread.
#include "scheduler/logs/aggregated_logs.h"

#include <gtest/gtest.h>

namespace mr::sched {
namespace {

TEST(AggregatedLogsTest, RecordsRoundTrip) {
  std::vector<LogRecord> in = {
      {"app_1_0001_c000002", "stdout", ""},
      {"app_1_0001_c000002", "stderr", std::string("line\n\0binary\nno newline at end", 33)},
      {"app_1_0001_c000009", "stderr", "x 5\n"},
  };
  std::string file;
  for (const LogRecord& r : in) AppendLogRecord(r, &file);
  auto out = ParseLogRecords(file);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ((*out)[i].container_id, in[i].container_id);
    EXPECT_EQ((*out)[i].stream, in[i].stream);
    EXPECT_EQ((*out)[i].text, in[i].text);
  }
  EXPECT_TRUE(ParseLogRecords("")->empty());
  EXPECT_EQ(AggregatedLogDir("app_1_0001"), "/.logs/app_1_0001");
  EXPECT_EQ(AggregatedLogPath("app_1_0001", "nm-1-2"), "/.logs/app_1_0001/nm-1-2");
}

TEST(AggregatedLogsTest, DamagedFilesAreCorruption) {
  std::string file;
  AppendLogRecord({"c", "stderr", "hello\n"}, &file);
  for (size_t cut = 1; cut < file.size(); ++cut) {
    EXPECT_TRUE(ParseLogRecords(file.substr(0, cut)).status().IsCorruption()) << cut;
  }
  EXPECT_TRUE(ParseLogRecords("c stderr 99999999999999999999\n").status().IsCorruption());
  EXPECT_TRUE(ParseLogRecords("c stderr -1\n\n").status().IsCorruption());
  EXPECT_TRUE(ParseLogRecords("c stderr\n").status().IsCorruption());
  EXPECT_TRUE(ParseLogRecords("c stderr 1 extra\nx\n").status().IsCorruption());
}

}  // namespace
}  // namespace mr::sched

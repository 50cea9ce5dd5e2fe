// The kept-logs file: records round-trip, any bytes in a log, and a damaged
// file is Corruption rather than a misread.
#include "scheduler/client/aggregated_logs.h"

#include <gtest/gtest.h>

namespace mr::sched {
namespace {

TEST(AggregatedLogsTest, RecordsRoundTrip) {
  std::vector<LogRecord> in = {
      {"m_000000_0", "stdout", "app_1_0001_c000002", "nm-1-1", "SUCCEEDED", ""},
      {"m_000000_0", "stderr", "app_1_0001_c000002", "nm-1-1", "FAILED",
       std::string("line\n\0binary\nno newline at end", 33)},
      {"r_000001_2", "stderr", "app_1_0001_c000009", "nm-2-2", "KILLED", "x 5\n"},
  };
  std::string file;
  for (const LogRecord& r : in) AppendLogRecord(r, &file);
  auto out = ParseLogRecords(file);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ((*out)[i].attempt_id, in[i].attempt_id);
    EXPECT_EQ((*out)[i].stream, in[i].stream);
    EXPECT_EQ((*out)[i].container_id, in[i].container_id);
    EXPECT_EQ((*out)[i].node_id, in[i].node_id);
    EXPECT_EQ((*out)[i].state, in[i].state);
    EXPECT_EQ((*out)[i].text, in[i].text);
  }
  EXPECT_TRUE(ParseLogRecords("")->empty());
  EXPECT_EQ(AggregatedLogPath("app_1_0001"), "/.logs/app_1_0001");
}

TEST(AggregatedLogsTest, DamagedFilesAreCorruption) {
  std::string file;
  AppendLogRecord({"m_000000_0", "stderr", "c", "nm", "FAILED", "hello\n"}, &file);
  for (size_t cut = 1; cut < file.size(); ++cut) {
    EXPECT_TRUE(ParseLogRecords(file.substr(0, cut)).status().IsCorruption()) << cut;
  }
  EXPECT_TRUE(ParseLogRecords("a b c d e 99999999999999999999\n").status().IsCorruption());
  EXPECT_TRUE(ParseLogRecords("a b c d e -1\n\n").status().IsCorruption());
  EXPECT_TRUE(ParseLogRecords("a b c d\n").status().IsCorruption());
}

}  // namespace
}  // namespace mr::sched

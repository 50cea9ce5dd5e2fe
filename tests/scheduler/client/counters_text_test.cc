// The client prints a cluster job's counters exactly as a local run does:
// the engine's JSON, read back, formats as Counters::ToText.
#include "scheduler/client/counters_text.h"

#include <gtest/gtest.h>

#include "counters.h"

namespace mr::sched {
namespace {

TEST(CountersTextTest, JsonReadBackPrintsAsTheLocalRunner) {
  Counters c;
  c.AddFramework("Map input records", 1234);
  c.AddFramework("Map output records", 0);
  c.Add("File System", "Local bytes written", int64_t{1} << 40);
  c.Add("Job Counters", "Data-local map tasks", 3);
  c.Add("User \"quoted\" group", "tab\there\\nl\nhigh\xff", -5);
  auto groups = ParseCountersJson(c.ToJson());
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  EXPECT_EQ(FormatCountersText(*groups), c.ToText());
  EXPECT_EQ(CounterValue(*groups, "Job Counters", "Data-local map tasks"), 3);
  EXPECT_EQ(CounterValue(*groups, "Job Counters", "nope"), 0);
  EXPECT_EQ(CounterValue(*groups, "nope", "nope"), 0);
}

TEST(CountersTextTest, EmptyIsNoCountersAndJunkIsRefused) {
  auto empty = ParseCountersJson("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(FormatCountersText(*empty), "");
  auto braces = ParseCountersJson("{}\n");
  ASSERT_TRUE(braces.ok());
  EXPECT_TRUE(braces->empty());
  for (const char* bad : {"{", "[]", "{\"g\": 1}", "{\"g\": {\"n\": \"1\"}}", "{\"g\":{}} x",
                          "{\"g\":{\"n\":1,}}", "{\"g\":{\"n\":1.5}}"}) {
    EXPECT_FALSE(ParseCountersJson(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mr::sched

// Counters: lookup, merging, and the JSON the runner writes to _counters.json
// (and a cluster job's AM hands the RM), read back with FromJson.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "counters.h"

namespace mr {
namespace {

using Groups = std::map<std::string, std::map<std::string, int64_t>>;

// Every counter, by group then name.
Groups GroupsOf(const Counters& counters) {
  Groups groups;
  counters.ForEach([&](const std::string& group, const std::string& name, int64_t value) {
    groups[group][name] = value;
  });
  return groups;
}

TEST(CountersTest, GetIsStableAndValueDefaultsToZero) {
  Counters c;
  Counter* a = c.Get("g", "a");
  a->Increment(3);
  for (int i = 0; i < 1000; ++i) c.Add("g", "other" + std::to_string(i), i);
  EXPECT_EQ(a, c.Get("g", "a"));
  a->Increment();
  EXPECT_EQ(c.Value("g", "a"), 4);
  EXPECT_EQ(c.Value("g", "missing"), 0);
  EXPECT_EQ(c.Value("missing", "a"), 0);
  c.AddFramework(counter::kMapInputRecords, 7);
  EXPECT_EQ(c.Value(kFrameworkGroup, counter::kMapInputRecords), 7);
}

TEST(CountersTest, MergeFromAdds) {
  Counters a, b;
  a.Add("g", "both", 5);
  a.Add("g", "only a", 1);
  b.Add("g", "both", 7);
  b.Add("h", "only b", -2);
  a.MergeFrom(b);
  EXPECT_EQ(a.Value("g", "both"), 12);
  EXPECT_EQ(a.Value("g", "only a"), 1);
  EXPECT_EQ(a.Value("h", "only b"), -2);
  // The source is unchanged; merging again adds again.
  EXPECT_EQ(b.Value("g", "both"), 7);
  EXPECT_EQ(b.Value("g", "only a"), 0);
  a.MergeFrom(b);
  EXPECT_EQ(a.Value("g", "both"), 19);
  Counters empty;
  a.MergeFrom(empty);
  EXPECT_EQ(a.Value("g", "both"), 19);
}

TEST(CountersTest, ToJsonHasGroupsOfIntegers) {
  Counters c;
  c.AddFramework(counter::kMapInputRecords, 1234);
  c.AddFramework(counter::kMapOutputRecords, 0);
  c.Add(kFileSystemGroup, counter::kLocalBytesWritten, 1LL << 40);
  c.Add("User \"quoted\" group", "tab\there\\nl\nhigh\xff", -5);
  std::string json = c.ToJson();
  EXPECT_EQ(json.back(), '\n');
  EXPECT_NE(json.find("\"Map input records\":1234"), std::string::npos) << json;
  EXPECT_NE(json.find("\"Local bytes written\":1099511627776"), std::string::npos) << json;

  Result<Counters> parsed = Counters::FromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << json;
  Groups expected = {
      {"Map-Reduce Framework", {{"Map input records", 1234}, {"Map output records", 0}}},
      {"File System", {{"Local bytes written", 1LL << 40}}},
      {"User \"quoted\" group", {{"tab\there\\nl\nhigh\xff", -5}}},
  };
  EXPECT_EQ(GroupsOf(*parsed), expected) << json;
  // Read back, it prints as the original: a cluster job's counters print as
  // a local run's.
  EXPECT_EQ(parsed->ToText(), c.ToText());
}

TEST(CountersTest, EmptyToJsonIsAnEmptyObject) {
  Counters c;
  Result<Counters> parsed = Counters::FromJson(c.ToJson());
  ASSERT_TRUE(parsed.ok()) << c.ToJson();
  EXPECT_TRUE(GroupsOf(*parsed).empty());
}

TEST(CountersTest, FromJsonTakesNothingAsNoCountersAndRefusesJunk) {
  Result<Counters> empty = Counters::FromJson("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ToText(), "");
  Result<Counters> braces = Counters::FromJson("{}\n");
  ASSERT_TRUE(braces.ok());
  EXPECT_EQ(braces->ToText(), "");
  for (const char* bad : {"{", "[]", "{\"g\": 1}", "{\"g\": {\"n\": \"1\"}}", "{\"g\":{}} x",
                          "{\"g\":{\"n\":1,}}", "{\"g\":{\"n\":1.5}}",
                          "{\"g\":{\"raw\ttab\":1}}"}) {
    EXPECT_TRUE(Counters::FromJson(bad).status().IsInvalidArgument()) << bad;
  }
}

// User code may name a group "" (Context::GetCounter takes any name).
TEST(CountersTest, EmptyGroupNameStillNests) {
  Counters c;
  c.Add("", "x", 1);
  c.Add("g", "y", 2);
  Result<Counters> parsed = Counters::FromJson(c.ToJson());
  ASSERT_TRUE(parsed.ok()) << c.ToJson();
  Groups expected = {{"", {{"x", 1}}}, {"g", {{"y", 2}}}};
  EXPECT_EQ(GroupsOf(*parsed), expected) << c.ToJson();
  EXPECT_EQ(c.ToText(), "  \n    x=1\n  g\n    y=2\n");
}

TEST(CountersTest, ToTextListsEveryCounterUnderItsGroup) {
  Counters c;
  c.Add("B group", "x", 1);
  c.Add("A group", "y", 2);
  c.Add("A group", "z", 3);
  EXPECT_EQ(c.ToText(), "  A group\n    y=2\n    z=3\n  B group\n    x=1\n");
}

}  // namespace
}  // namespace mr

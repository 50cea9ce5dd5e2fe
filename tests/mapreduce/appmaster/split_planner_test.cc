// Split planning: one split per chunk, fixed-size records moved to record
// boundaries, the majority chunk's replicas as preferences, datanode ids
// mapped to NM ids.
#include "mapreduce/appmaster/split_planner.h"

#include <gtest/gtest.h>

namespace mr::am {
namespace {

ChunkLocation Chunk(int64_t offset, int64_t length, std::vector<ReplicaLocation> replicas) {
  return ChunkLocation{offset, length, std::move(replicas)};
}

TEST(SplitPlannerTest, TextInputHasOneSplitPerChunkAtChunkBoundaries) {
  InputFile file{"/in/a", 250,
                 {Chunk(0, 100, {{"dn-1", "/r1"}, {"dn-2", "/r2"}}),
                  Chunk(100, 100, {{"dn-3", "/r2"}}), Chunk(200, 50, {{"dn-4", "/r1"}})}};
  auto splits = PlanSplits({file}, 1);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  ASSERT_EQ(splits->size(), 3u);
  EXPECT_EQ((*splits)[0].offset, 0);
  EXPECT_EQ((*splits)[0].length, 100);
  EXPECT_EQ((*splits)[1].offset, 100);
  EXPECT_EQ((*splits)[1].length, 100);
  EXPECT_EQ((*splits)[2].offset, 200);
  EXPECT_EQ((*splits)[2].length, 50);
  EXPECT_EQ((*splits)[0].path, "/in/a");
  EXPECT_EQ((*splits)[0].datanode_ids, (std::vector<std::string>{"dn-1", "dn-2"}));
  EXPECT_EQ((*splits)[0].racks, (std::vector<std::string>{"/r1", "/r2"}));
  EXPECT_EQ((*splits)[1].datanode_ids, (std::vector<std::string>{"dn-3"}));
  EXPECT_EQ((*splits)[2].racks, (std::vector<std::string>{"/r1"}));
}

TEST(SplitPlannerTest, FilesKeepTheirOrderAndEmptyFilesHaveNoSplit) {
  InputFile a{"/in/a", 10, {Chunk(0, 10, {{"dn-1", "/r1"}})}};
  InputFile empty{"/in/b", 0, {}};
  InputFile c{"/in/c", 5, {Chunk(0, 5, {{"dn-2", "/r1"}})}};
  auto splits = PlanSplits({a, empty, c}, 1);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 2u);
  EXPECT_EQ((*splits)[0].path, "/in/a");
  EXPECT_EQ((*splits)[1].path, "/in/c");
}

TEST(SplitPlannerTest, FixedRecordsMoveBoundariesUpToRecordStarts) {
  // Records of 30 bytes, chunks of 100: records start at 0, 30, 60, 90, 120,
  // ..., so splits are [0, 120), [120, 210), [210, 300).
  InputFile file{"/in/r", 300,
                 {Chunk(0, 100, {{"dn-1", "/r1"}}), Chunk(100, 100, {{"dn-2", "/r1"}}),
                  Chunk(200, 100, {{"dn-3", "/r2"}})}};
  auto splits = PlanSplits({file}, 30);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  ASSERT_EQ(splits->size(), 3u);
  EXPECT_EQ((*splits)[0].offset, 0);
  EXPECT_EQ((*splits)[0].length, 120);
  EXPECT_EQ((*splits)[1].offset, 120);
  EXPECT_EQ((*splits)[1].length, 90);
  EXPECT_EQ((*splits)[2].offset, 210);
  EXPECT_EQ((*splits)[2].length, 90);
  int64_t covered = 0;
  for (const MapSplit& s : *splits) {
    EXPECT_EQ(s.offset % 30, 0);
    EXPECT_EQ(s.length % 30, 0);
    covered += s.length;
  }
  EXPECT_EQ(covered, 300);
  // [0, 120): 100 bytes in chunk 0, 20 in chunk 1: chunk 0's replicas.
  EXPECT_EQ((*splits)[0].datanode_ids, (std::vector<std::string>{"dn-1"}));
  // [120, 210): 80 bytes in chunk 1, 10 in chunk 2.
  EXPECT_EQ((*splits)[1].datanode_ids, (std::vector<std::string>{"dn-2"}));
  EXPECT_EQ((*splits)[2].datanode_ids, (std::vector<std::string>{"dn-3"}));
}

TEST(SplitPlannerTest, AChunkWithNoRecordStartHasNoSplit) {
  // Records of 100 bytes, chunks of 64: chunk [64, 128) holds the start of
  // the record at 100; chunk [128, 192) holds none (the next is at 200).
  InputFile file{"/in/r", 300,
                 {Chunk(0, 64, {}), Chunk(64, 64, {}), Chunk(128, 64, {}), Chunk(192, 64, {}),
                  Chunk(256, 44, {})}};
  auto splits = PlanSplits({file}, 100);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 3u);
  EXPECT_EQ((*splits)[0].offset, 0);
  EXPECT_EQ((*splits)[0].length, 100);
  EXPECT_EQ((*splits)[1].offset, 100);
  EXPECT_EQ((*splits)[1].length, 100);
  EXPECT_EQ((*splits)[2].offset, 200);
  EXPECT_EQ((*splits)[2].length, 100);
}

TEST(SplitPlannerTest, MajorityChunkTiesGoToTheEarlierChunk) {
  // Records of 20, chunks of 50: split [40, 100) has 10 bytes in chunk 0 and
  // 50 in chunk 1 -> chunk 1; split [0, 40) is in chunk 0 only.
  InputFile file{"/in/r", 100,
                 {Chunk(0, 50, {{"dn-a", "/r1"}}), Chunk(50, 50, {{"dn-b", "/r2"}})}};
  auto splits = PlanSplits({file}, 20);
  ASSERT_TRUE(splits.ok());
  ASSERT_EQ(splits->size(), 2u);
  EXPECT_EQ((*splits)[1].offset, 60);
  EXPECT_EQ((*splits)[1].datanode_ids, (std::vector<std::string>{"dn-b"}));
  // Equal overlap (text, split == chunk) is the chunk itself.
  InputFile even{"/in/t", 100,
                 {Chunk(0, 50, {{"dn-a", "/r1"}}), Chunk(50, 50, {{"dn-b", "/r2"}})}};
  auto text = PlanSplits({even}, 1);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ((*text)[0].datanode_ids, (std::vector<std::string>{"dn-a"}));
  EXPECT_EQ((*text)[1].datanode_ids, (std::vector<std::string>{"dn-b"}));
}

TEST(SplitPlannerTest, FixedRecordFileOfPartialRecordIsRefused) {
  InputFile file{"/in/r", 250, {Chunk(0, 250, {})}};
  auto splits = PlanSplits({file}, 100);
  ASSERT_FALSE(splits.ok());
  EXPECT_EQ(splits.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(splits.status().message().find("/in/r"), std::string::npos);
}

TEST(SplitPlannerTest, NoRackLabelIsNoRackPreference) {
  InputFile file{"/in/a", 10, {Chunk(0, 10, {{"dn-1", "-"}, {"dn-2", ""}, {"dn-3", "/r1"}})}};
  auto splits = PlanSplits({file}, 1);
  ASSERT_TRUE(splits.ok());
  EXPECT_EQ((*splits)[0].racks, (std::vector<std::string>{"/r1"}));
}

TEST(SplitPlannerTest, PreferredNodeManagersMapsReplicasThroughTheirDatanodes) {
  MapSplit split;
  split.datanode_ids = {"dn-0-1", "dn-1-0", "dn-9-9", "dn-0-1"};
  DatanodeToNodeManager nms = {{"dn-0-1", "nm-0-1"}, {"dn-1-0", "nm-1-0"}, {"dn-0-0", "nm-0-0"}};
  // In replica order; a replica without an NM and a repeat are left out.
  EXPECT_EQ(PreferredNodeManagers(split, nms), (std::vector<std::string>{"nm-0-1", "nm-1-0"}));
  EXPECT_TRUE(PreferredNodeManagers(split, {}).empty());
}

}  // namespace
}  // namespace mr::am

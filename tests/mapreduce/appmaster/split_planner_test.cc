// Split planning: one split per chunk, fixed-size records moved to record
// boundaries, the majority chunk's replicas as preferences, datanode ids
// mapped to NM ids; small splits combined into map tasks by locality.
#include "mapreduce/appmaster/split_planner.h"

#include <algorithm>
#include <map>
#include <utility>

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

MapSplit Split(std::string path, int64_t offset, int64_t length,
               std::vector<std::string> datanodes, std::vector<std::string> racks) {
  MapSplit split;
  split.path = std::move(path);
  split.offset = offset;
  split.length = length;
  split.datanode_ids = std::move(datanodes);
  split.racks = std::move(racks);
  return split;
}

// Byte ranges by file, adjacent ones merged.
using Ranges = std::map<std::string, std::vector<std::pair<int64_t, int64_t>>>;

void AddRange(const std::string& path, int64_t offset, int64_t length, Ranges* ranges) {
  (*ranges)[path].push_back({offset, offset + length});
}

Ranges Normalize(Ranges ranges) {
  for (auto& [path, list] : ranges) {
    std::sort(list.begin(), list.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    for (const auto& r : list) {
      if (!merged.empty() && merged.back().second == r.first) {
        merged.back().second = r.second;
      } else {
        merged.push_back(r);
      }
    }
    list = std::move(merged);
  }
  return ranges;
}

// Every byte of every split is in exactly one task's pieces, and each
// task's length is the sum of its pieces.
void ExpectSameBytes(const std::vector<MapSplit>& splits, const std::vector<MapTaskInput>& tasks) {
  Ranges want, got;
  int64_t want_bytes = 0, got_bytes = 0;
  for (const MapSplit& s : splits) {
    AddRange(s.path, s.offset, s.length, &want);
    want_bytes += s.length;
  }
  for (const MapTaskInput& task : tasks) {
    int64_t bytes = 0;
    for (const MapTaskInput::Piece& p : task.pieces) {
      AddRange(p.path, p.offset, p.length, &got);
      bytes += p.length;
    }
    EXPECT_EQ(task.length, bytes);
    got_bytes += bytes;
  }
  EXPECT_EQ(got_bytes, want_bytes);  // With equal ranges: no byte twice.
  EXPECT_EQ(Normalize(got), Normalize(want));
}

std::vector<int64_t> Lengths(const std::vector<MapTaskInput>& tasks) {
  std::vector<int64_t> out;
  for (const MapTaskInput& task : tasks) out.push_back(task.length);
  return out;
}

TEST(CombineSplitsTest, SmallFilesOnOneNodeFillTasksUpToTheTarget) {
  std::vector<MapSplit> splits;
  for (int i = 0; i < 10; ++i) {
    splits.push_back(Split("/in/f" + std::to_string(i), 0, 10, {"dn-1"}, {"/r1"}));
  }
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 35);
  ExpectSameBytes(splits, tasks);
  // Three full groups from the node; the last 10 bytes (under half the
  // target) wait for the rack pass.
  EXPECT_EQ(Lengths(tasks), (std::vector<int64_t>{30, 30, 30, 10}));
  ASSERT_EQ(tasks[0].pieces.size(), 3u);
  EXPECT_EQ(tasks[0].pieces[0].path, "/in/f0");
  EXPECT_EQ(tasks[0].pieces[2].path, "/in/f2");
  for (const MapTaskInput& task : tasks) {
    EXPECT_EQ(task.datanode_ids, (std::vector<std::string>{"dn-1"}));
    EXPECT_EQ(task.racks, (std::vector<std::string>{"/r1"}));
  }
}

TEST(CombineSplitsTest, SplitsGoWithTheNodeHoldingTheirReplicas) {
  // Alternating nodes: each task holds one node's splits only.
  std::vector<MapSplit> splits;
  for (int i = 0; i < 8; ++i) {
    bool a = i % 2 == 0;
    splits.push_back(Split("/in/f" + std::to_string(i), 0, 10, {a ? "dn-a" : "dn-b"},
                           {a ? "/r1" : "/r2"}));
  }
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 40);
  ExpectSameBytes(splits, tasks);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].datanode_ids, (std::vector<std::string>{"dn-a"}));
  EXPECT_EQ(tasks[0].racks, (std::vector<std::string>{"/r1"}));
  EXPECT_EQ(tasks[1].datanode_ids, (std::vector<std::string>{"dn-b"}));
  for (const MapTaskInput::Piece& p : tasks[0].pieces) {
    int n = std::stoi(p.path.substr(5));
    EXPECT_EQ(n % 2, 0) << p.path;
  }
}

TEST(CombineSplitsTest, NodesRoundRobinSoTasksSpreadOverNodes) {
  // Every split on both nodes: dn-1 and dn-2 take turns, not dn-1 all.
  std::vector<MapSplit> splits;
  for (int i = 0; i < 4; ++i) {
    splits.push_back(Split("/in/f" + std::to_string(i), 0, 10, {"dn-1", "dn-2"}, {"/r1"}));
  }
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 20);
  ExpectSameBytes(splits, tasks);
  EXPECT_EQ(Lengths(tasks), (std::vector<int64_t>{20, 20}));
  // Both nodes hold all bytes of either task: both are preferred.
  EXPECT_EQ(tasks[0].datanode_ids, (std::vector<std::string>{"dn-1", "dn-2"}));
}

TEST(CombineSplitsTest, LeftoversOfNodesCombineWithinTheirRack) {
  // One small split per node: none makes half a task alone, so the racks
  // group them.
  std::vector<MapSplit> splits = {
      Split("/in/a", 0, 10, {"dn-1"}, {"/r1"}), Split("/in/b", 0, 10, {"dn-3"}, {"/r2"}),
      Split("/in/c", 0, 10, {"dn-2"}, {"/r1"}), Split("/in/d", 0, 10, {"dn-4"}, {"/r2"})};
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 40);
  ExpectSameBytes(splits, tasks);
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_EQ(tasks[0].pieces.size(), 2u);
  EXPECT_EQ(tasks[0].pieces[0].path, "/in/a");
  EXPECT_EQ(tasks[0].pieces[1].path, "/in/c");
  EXPECT_EQ(tasks[0].racks, (std::vector<std::string>{"/r1"}));
  // Tied nodes all count as holding the most bytes.
  EXPECT_EQ(tasks[0].datanode_ids, (std::vector<std::string>{"dn-1", "dn-2"}));
  EXPECT_EQ(tasks[1].racks, (std::vector<std::string>{"/r2"}));
}

TEST(CombineSplitsTest, PreferencesAreTheNodesHoldingTheMostBytes) {
  std::vector<MapSplit> splits = {Split("/in/a", 0, 30, {"dn-2", "dn-1"}, {"/r2", "/r1"}),
                                  Split("/in/b", 0, 10, {"dn-1", "dn-3"}, {"/r1"})};
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 100);
  ExpectSameBytes(splits, tasks);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].datanode_ids, (std::vector<std::string>{"dn-1"}));  // 40 bytes.
  EXPECT_EQ(tasks[0].racks, (std::vector<std::string>{"/r1"}));
}

TEST(CombineSplitsTest, SplitsWithoutLocationsAreCombinedToo) {
  std::vector<MapSplit> splits = {Split("/in/a", 0, 10, {}, {}), Split("/in/b", 0, 10, {}, {}),
                                  Split("/in/c", 0, 10, {}, {})};
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 25);
  ExpectSameBytes(splits, tasks);
  EXPECT_EQ(Lengths(tasks), (std::vector<int64_t>{20, 10}));
  EXPECT_TRUE(tasks[0].datanode_ids.empty());
  EXPECT_TRUE(tasks[0].racks.empty());
}

TEST(CombineSplitsTest, FixedRecordSplitsStayWholeAndAdjacentPiecesMerge) {
  // Records of 30 over chunks of 100: splits [0, 120), [120, 210), [210,
  // 300), all on dn-1, plus a small file.
  InputFile file{"/in/r", 300,
                 {Chunk(0, 100, {{"dn-1", "/r1"}}), Chunk(100, 100, {{"dn-1", "/r1"}}),
                  Chunk(200, 100, {{"dn-1", "/r1"}})}};
  InputFile small{"/in/s", 60, {Chunk(0, 60, {{"dn-1", "/r1"}})}};
  auto splits = PlanSplits({file, small}, 30);
  ASSERT_TRUE(splits.ok()) << splits.status().ToString();
  // Target 250: [0, 120) + [120, 210) fit (210); then [210, 300) + the
  // small file (150). Record boundaries are never cut.
  std::vector<MapTaskInput> tasks = CombineSplits(*splits, 250);
  ExpectSameBytes(*splits, tasks);
  EXPECT_EQ(Lengths(tasks), (std::vector<int64_t>{210, 150}));
  ASSERT_EQ(tasks[0].pieces.size(), 1u);  // One range of /in/r, merged.
  EXPECT_EQ(tasks[0].pieces[0].offset, 0);
  EXPECT_EQ(tasks[0].pieces[0].length, 210);
  for (const MapTaskInput& task : tasks) {
    for (const MapTaskInput::Piece& p : task.pieces) {
      EXPECT_EQ(p.offset % 30, 0);
      EXPECT_EQ(p.length % 30, 0);
    }
  }
  // A target smaller than a record-aligned split never cuts it.
  std::vector<MapTaskInput> one_each = CombineSplits(*splits, 50);
  ExpectSameBytes(*splits, one_each);
  EXPECT_EQ(Lengths(one_each), (std::vector<int64_t>{120, 90, 90, 60}));
}

TEST(CombineSplitsTest, HugeFileChunksStayTasksAndItsTailTakesATinyFile) {
  InputFile huge{"/in/huge", 350,
                 {Chunk(0, 100, {{"dn-1", "/r1"}}), Chunk(100, 100, {{"dn-1", "/r1"}}),
                  Chunk(200, 100, {{"dn-1", "/r1"}}), Chunk(300, 50, {{"dn-1", "/r1"}})}};
  InputFile empty{"/in/empty", 0, {}};
  InputFile tiny{"/in/tiny", 1, {Chunk(0, 1, {{"dn-1", "/r1"}})}};
  auto splits = PlanSplits({huge, empty, tiny}, 1);
  ASSERT_TRUE(splits.ok());
  std::vector<MapTaskInput> tasks = CombineSplits(*splits, 100);
  ExpectSameBytes(*splits, tasks);
  EXPECT_EQ(Lengths(tasks), (std::vector<int64_t>{100, 100, 100, 51}));
  ASSERT_EQ(tasks[3].pieces.size(), 2u);
  EXPECT_EQ(tasks[3].pieces[0].path, "/in/huge");
  EXPECT_EQ(tasks[3].pieces[0].offset, 300);
  EXPECT_EQ(tasks[3].pieces[1].path, "/in/tiny");
  // A split larger than the target is a task of its own.
  std::vector<MapTaskInput> small_target = CombineSplits(*splits, 40);
  ExpectSameBytes(*splits, small_target);
  EXPECT_EQ(Lengths(small_target), (std::vector<int64_t>{100, 100, 100, 50, 1}));
}

TEST(CombineSplitsTest, NoTargetIsOneTaskPerSplit) {
  std::vector<MapSplit> splits = {Split("/in/a", 0, 10, {"dn-1", "dn-2"}, {"/r1"}),
                                  Split("/in/a", 10, 10, {"dn-3"}, {"/r2"})};
  std::vector<MapTaskInput> tasks = CombineSplits(splits, 0);
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_EQ(tasks[0].pieces.size(), 1u);
  EXPECT_EQ(tasks[1].pieces[0].offset, 10);
  EXPECT_EQ(tasks[0].datanode_ids, (std::vector<std::string>{"dn-1", "dn-2"}));
  EXPECT_EQ(tasks[1].racks, (std::vector<std::string>{"/r2"}));
  EXPECT_TRUE(CombineSplits({}, 100).empty());
  MapTaskInput task;
  task.datanode_ids = {"dn-3", "dn-1"};
  EXPECT_EQ(PreferredNodeManagers(task, {{"dn-1", "nm-1"}, {"dn-3", "nm-3"}}),
            (std::vector<std::string>{"nm-3", "nm-1"}));
}

}  // namespace
}  // namespace mr::am

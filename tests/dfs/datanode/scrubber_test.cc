#include "dfs/datanode/scrubber.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/test_util.h"

namespace mr::dfs {
namespace {

void WriteChunk(ChunkStore* store, int64_t id, const std::string& data) {
  auto writer = store->CreateChunk(id, 1);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(data).ok());
  ASSERT_TRUE((*writer)->Finalize().ok());
}

TEST(ScrubberTest, ReportsCorruptChunksOnly) {
  mr::testing::ScopedTempDir dir;
  auto store = ChunkStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  for (int id = 1; id <= 3; ++id) WriteChunk(store->get(), id, std::string(300000, 'a' + id));
  // Corrupt chunk 2.
  std::string path = JoinPath((*store)->chunk_dir(), ChunkDataName(2, 1));
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, 200000), 1);
  ::close(fd);

  std::mutex mu;
  std::vector<int64_t> corrupt;
  Scrubber::Options options;
  options.bytes_per_second = 64 << 20;
  options.pass_interval = std::chrono::milliseconds(10);
  Scrubber scrubber(store->get(), options, [&](const ChunkInfo& c, const Status& s) {
    EXPECT_TRUE(s.IsCorruption());
    std::lock_guard lock(mu);
    corrupt.push_back(c.chunk_id);
  });
  scrubber.Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (scrubber.passes_completed() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  scrubber.Stop();
  ASSERT_GE(scrubber.passes_completed(), 2u);
  std::lock_guard lock(mu);
  ASSERT_GE(corrupt.size(), 2u);
  for (int64_t id : corrupt) EXPECT_EQ(id, 2);
}

TEST(ScrubberTest, RateIsBoundedAndStopIsPrompt) {
  mr::testing::ScopedTempDir dir;
  auto store = ChunkStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  WriteChunk(store->get(), 1, std::string(4 << 20, 'z'));
  Scrubber::Options options;
  options.bytes_per_second = 1 << 20;  // The 4 MiB chunk takes ~4 s.
  Scrubber scrubber(store->get(), options, [](const ChunkInfo&, const Status&) {});
  auto start = std::chrono::steady_clock::now();
  scrubber.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  scrubber.Stop();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(scrubber.passes_completed(), 0u);
  EXPECT_LE(scrubber.bytes_verified(), 2u << 20);
}

// The directory scan notices a replica deleted under the store within its
// interval, even while a slow checksum pass is running.
TEST(ScrubberTest, DirectoryScanReportsLostReplicasDuringAPass) {
  mr::testing::ScopedTempDir dir;
  auto store = ChunkStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  WriteChunk(store->get(), 1, std::string(8 << 20, 'a'));  // The pass takes ~8 s.
  WriteChunk(store->get(), 2, std::string(1000, 'b'));
  std::mutex mu;
  std::vector<std::pair<int64_t, std::string>> lost;
  Scrubber::Options options;
  options.bytes_per_second = 1 << 20;
  options.scan_interval = std::chrono::milliseconds(50);
  Scrubber scrubber(
      store->get(), options, [](const ChunkInfo&, const Status&) {},
      [&](const ChunkInfo& c, const std::string& why) {
        std::lock_guard lock(mu);
        lost.emplace_back(c.chunk_id, why);
      });
  scrubber.Start();
  ASSERT_TRUE(mr::testing::Eventually([&] { return scrubber.scans_completed() >= 1; }));
  const auto removed = std::chrono::steady_clock::now();
  ASSERT_EQ(::unlink(JoinPath((*store)->chunk_dir(), ChunkDataName(2, 1)).c_str()), 0);
  ASSERT_TRUE(mr::testing::Eventually([&] {
    std::lock_guard lock(mu);
    return !lost.empty();
  }, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - removed, std::chrono::seconds(2));
  EXPECT_EQ(scrubber.passes_completed(), 0u) << "found during the pass, not after it";
  scrubber.Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].first, 2);
  EXPECT_EQ(lost[0].second, "data file missing");
  EXPECT_TRUE((*store)->Find(2).status().IsNotFound());
}

}  // namespace
}  // namespace mr::dfs

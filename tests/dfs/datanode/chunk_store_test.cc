#include "dfs/datanode/chunk_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/test_util.h"

namespace mr::dfs {
namespace {

using testing::RandomBytes;

// Writes `data` as a replica, appending in pieces of `piece` bytes.
ChunkInfo WriteChunk(ChunkStore* store, int64_t id, int64_t gen, const std::string& data,
                     size_t piece = 10000) {
  auto writer = store->CreateChunk(id, gen);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (size_t pos = 0; pos < data.size(); pos += piece) {
    EXPECT_TRUE((*writer)->Append(std::string_view(data).substr(pos, piece)).ok());
  }
  auto info = (*writer)->Finalize();
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? *info : ChunkInfo{};
}

void FlipByte(const std::string& path, uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(::pread(fd, &c, 1, offset), 1);
  c ^= 0x20;
  ASSERT_EQ(::pwrite(fd, &c, 1, offset), 1);
  ::close(fd);
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  auto files = ListInputFiles(dir);
  if (files.ok()) {
    for (const auto& f : *files) names.push_back(BaseName(f));
  }
  return names;
}

class ChunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ChunkStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  std::string DataPath(int64_t id, int64_t gen) {
    return JoinPath(store_->chunk_dir(), ChunkDataName(id, gen));
  }

  mr::testing::ScopedTempDir dir_;
  std::unique_ptr<ChunkStore> store_;
};

TEST_F(ChunkStoreTest, RoundTripSizes) {
  const std::vector<size_t> sizes = {0, 1, kChunkSliceBytes, kChunkSliceBytes + 1, 5 << 20};
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string data = RandomBytes(sizes[i], i);
    ChunkInfo info = WriteChunk(store_.get(), i, 1, data);
    EXPECT_EQ(info.length, sizes[i]);
    std::string back;
    ASSERT_TRUE(store_->ReadChunk(i, 1, 0, data.size(), &back).ok());
    EXPECT_EQ(back, data) << "size " << sizes[i];
    EXPECT_TRUE(store_->Verify(i).ok());
  }
  EXPECT_EQ(store_->List().size(), sizes.size());
}

TEST_F(ChunkStoreTest, PartialReadsAcrossSliceBoundaries) {
  std::string data = RandomBytes(3 * kChunkSliceBytes + 123, 7);
  WriteChunk(store_.get(), 1, 1, data, 7777);
  const uint64_t s = kChunkSliceBytes;
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {0, 1}, {s - 1, 2}, {s, s}, {s - 10, s + 20}, {5, 3 * s}, {3 * s, 123}, {3 * s + 122, 1},
      {data.size(), 0}};
  for (auto [offset, length] : ranges) {
    std::string back;
    ASSERT_TRUE(store_->ReadChunk(1, 1, offset, length, &back).ok()) << offset;
    EXPECT_EQ(back, data.substr(offset, length)) << offset << "+" << length;
  }
  std::string back;
  EXPECT_EQ(store_->ReadChunk(1, 1, data.size(), 1, &back).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(store_->ReadChunk(1, 2, 0, 1, &back).IsNotFound());  // Wrong generation.
}

TEST_F(ChunkStoreTest, FlippedByteDetectedOnReadAndVerify) {
  std::string data = RandomBytes(4 * kChunkSliceBytes, 3);
  WriteChunk(store_.get(), 9, 2, data);
  FlipByte(DataPath(9, 2), 2 * kChunkSliceBytes + 5);
  std::string back;
  // Slices 0-1 are intact; anything touching slice 2 is not.
  EXPECT_TRUE(store_->ReadChunk(9, 2, 0, 2 * kChunkSliceBytes, &back).ok());
  Status s = store_->ReadChunk(9, 2, 2 * kChunkSliceBytes - 1, 2, &back);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("chunk 9"), std::string::npos) << s.message();
  Status v = store_->Verify(9);
  EXPECT_TRUE(v.IsCorruption()) << v.ToString();
}

TEST_F(ChunkStoreTest, ReloadAfterRestartKeepsFinalizedAndRemovesTemps) {
  std::string data = RandomBytes(100000, 1);
  WriteChunk(store_.get(), 1, 1, data);
  WriteChunk(store_.get(), 2, 5, "two");
  std::string dir = store_->chunk_dir();
  store_.reset();
  // A crash mid-write leaves temp files; one between the two renames of a
  // finalize leaves .data without .meta.
  for (const std::string& name : {ChunkDataName(3, 1) + ".tmp", ChunkMetaName(3, 1) + ".tmp",
                                  ChunkDataName(4, 1)}) {
    ASSERT_TRUE(WriteStringToFile(JoinPath(dir, name), "left over", false).ok());
  }

  auto reopened = ChunkStore::Open(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  std::vector<ChunkInfo> chunks = (*reopened)->List();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].chunk_id, 1);
  EXPECT_EQ(chunks[0].length, data.size());
  EXPECT_EQ(chunks[1].chunk_id, 2);
  EXPECT_EQ(chunks[1].generation, 5);
  std::string back;
  ASSERT_TRUE((*reopened)->ReadChunk(1, 1, 0, data.size(), &back).ok());
  EXPECT_EQ(back, data);
  EXPECT_EQ(DirEntries(dir), (std::vector<std::string>{"1_1.data", "1_1.meta", "2_5.data",
                                                        "2_5.meta"}));
}

TEST_F(ChunkStoreTest, AbortLeavesNothing) {
  {
    auto writer = store_->CreateChunk(5, 1);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(RandomBytes(200000, 2)).ok());
    (*writer)->Abort();
  }
  {
    auto writer = store_->CreateChunk(6, 1);  // Destroyed without Finalize.
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("x").ok());
  }
  EXPECT_TRUE(store_->List().empty());
  EXPECT_TRUE(DirEntries(store_->chunk_dir()).empty());
  EXPECT_TRUE(store_->CreateChunk(5, 1).ok());  // The name is free again.
}

TEST_F(ChunkStoreTest, GenerationsAndDelete) {
  WriteChunk(store_.get(), 1, 1, "old");
  EXPECT_TRUE(store_->CreateChunk(1, 1).status().IsAlreadyExists());
  auto same = store_->CreateChunk(1, 2);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(store_->CreateChunk(1, 2).status().IsAlreadyExists());  // Concurrent writer.
  ASSERT_TRUE((*same)->Append("new").ok());
  ASSERT_TRUE((*same)->Finalize().ok());
  ASSERT_EQ(store_->List().size(), 1u);
  EXPECT_EQ(store_->List()[0].generation, 2);
  EXPECT_FALSE(PathExists(DataPath(1, 1)));
  ASSERT_TRUE(store_->Delete(1).ok());
  EXPECT_TRUE(store_->Delete(1).IsNotFound());
  EXPECT_TRUE(DirEntries(store_->chunk_dir()).empty());
}

TEST_F(ChunkStoreTest, ConcurrentWritersAndReaders) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string data = RandomBytes(300000 + t, t);
      ChunkInfo info = WriteChunk(store_.get(), 100 + t, 1, data, 4096);
      std::string back;
      for (int i = 0; i < 20; ++i) {
        if (!store_->ReadChunk(100 + t, 1, i * 1000, 70000, &back).ok() ||
            back != data.substr(i * 1000, 70000) || info.length != data.size()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->List().size(), 8u);
}

// A store on a "disk" of `capacity` bytes (--dfs_datanode_capacity_bytes).
std::unique_ptr<ChunkStore> StoreWithCapacity(const std::string& dir, int64_t capacity,
                                              int64_t reserved = 0) {
  DiskSpace::Options space;
  space.capacity_bytes = capacity;
  space.reserved_bytes = reserved;
  auto store = ChunkStore::Open(dir, space);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(ChunkStoreSpaceTest, CapacityCountsStoredReservedAndWrittenBytes) {
  mr::testing::ScopedTempDir dir;
  auto store = StoreWithCapacity(dir.path(), 1000000, /*reserved=*/100000);
  DiskSpace& space = store->space();
  EXPECT_EQ(space.Measure().capacity_bytes, 900000);
  EXPECT_EQ(space.Measure().available_bytes, 900000);

  WriteChunk(store.get(), 1, 1, RandomBytes(300000, 1));
  EXPECT_EQ(store->stored_bytes(), 300000u);
  EXPECT_EQ(space.Measure().available_bytes, 600000);

  // A write in progress holds its whole reservation, part of it written.
  auto writer = store->CreateChunk(2, 1, /*reserve_bytes=*/400000);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ(space.Measure().available_bytes, 200000);
  ASSERT_TRUE((*writer)->Append(RandomBytes(100000, 2)).ok());
  EXPECT_EQ(space.Measure().available_bytes, 200000);
  // No room for another chunk of that size: refused, and nothing is created.
  auto refused = store->CreateChunk(3, 1, 400000);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsNoSpace()) << refused.status().ToString();
  EXPECT_EQ(refused.status().message(), "200000 bytes free, needs 400000");
  // Finalized short of its reservation: the rest comes back.
  ASSERT_TRUE((*writer)->Finalize().ok());
  EXPECT_EQ(space.Measure().available_bytes, 500000);
  writer->reset();
  // An aborted write gives everything back.
  auto aborted = store->CreateChunk(4, 1, 100000);
  ASSERT_TRUE(aborted.ok());
  ASSERT_TRUE((*aborted)->Append(RandomBytes(50000, 4)).ok());
  (*aborted)->Abort();
  EXPECT_EQ(space.Measure().available_bytes, 500000);
  ASSERT_TRUE(store->Delete(1).ok());
  EXPECT_EQ(space.Measure().available_bytes, 800000);
  // The count survives a restart.
  store.reset();
  store = StoreWithCapacity(dir.path(), 1000000, 100000);
  EXPECT_EQ(store->stored_bytes(), 100000u);
}

TEST(ChunkStoreSpaceTest, WriteWithoutReservationStopsWhenFull) {
  mr::testing::ScopedTempDir dir;
  auto store = StoreWithCapacity(dir.path(), 200000);
  auto writer = store->CreateChunk(1, 1);  // Size unknown: reserved as it comes.
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(RandomBytes(150000, 1)).ok());
  Status s = (*writer)->Append(RandomBytes(60000, 2));
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  (*writer)->Abort();
  EXPECT_TRUE(DirEntries(store->chunk_dir()).empty());
  EXPECT_EQ(store->space().Measure().available_bytes, 200000);
}

TEST(ChunkStoreSpaceTest, RealDiskReportsItsSize) {
  mr::testing::ScopedTempDir dir;
  auto store = StoreWithCapacity(dir.path(), 0);
  DiskSpace::Usage usage = store->space().Measure();
  EXPECT_GT(usage.capacity_bytes, 0);
  EXPECT_GT(usage.available_bytes, 0);
  EXPECT_LE(usage.available_bytes, usage.capacity_bytes);
  // No file system has an exabyte free.
  EXPECT_TRUE(store->CreateChunk(1, 1, uint64_t{1} << 60).status().IsNoSpace());
}

TEST_F(ChunkStoreTest, DirectoryScanFindsMissingAndShortReplicas) {
  const std::string data = RandomBytes(200000, 3);
  for (int64_t id = 1; id <= 5; ++id) WriteChunk(store_.get(), id, 1, data);
  std::string meta2 = JoinPath(store_->chunk_dir(), ChunkMetaName(2, 1));
  ASSERT_EQ(::unlink(DataPath(1, 1).c_str()), 0);
  ASSERT_EQ(::unlink(meta2.c_str()), 0);
  ASSERT_EQ(::truncate(DataPath(3, 1).c_str(), 1000), 0);
  ASSERT_TRUE(store_->Delete(4).ok());  // A deletion is no loss.
  std::vector<LostReplica> lost = store_->ScanForLostReplicas();
  ASSERT_EQ(lost.size(), 3u);
  EXPECT_EQ(lost[0].info.chunk_id, 1);
  EXPECT_EQ(lost[0].why, "data file missing");
  EXPECT_EQ(lost[1].info.chunk_id, 2);
  EXPECT_EQ(lost[1].why, "meta file missing");
  EXPECT_EQ(lost[2].info.chunk_id, 3);
  EXPECT_EQ(lost[2].why, "data file has 1000 bytes, not 200000");
  // Dropped from the store, what was left of them unlinked; found once.
  ASSERT_EQ(store_->List().size(), 1u);
  EXPECT_EQ(store_->List()[0].chunk_id, 5);
  EXPECT_EQ(store_->stored_bytes(), data.size());
  EXPECT_EQ(DirEntries(store_->chunk_dir()),
            (std::vector<std::string>{ChunkDataName(5, 1), ChunkMetaName(5, 1)}));
  EXPECT_TRUE(store_->ScanForLostReplicas().empty());
  // The lost chunks can be written again (re-replication back to this node).
  WriteChunk(store_.get(), 1, 1, data);
  EXPECT_TRUE(store_->ScanForLostReplicas().empty());
}

}  // namespace
}  // namespace mr::dfs

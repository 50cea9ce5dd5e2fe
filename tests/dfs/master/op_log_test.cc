// MasterState + OpLog: mutations survive reopen, checkpoints, and crashes
// that leave a torn or corrupt tail record.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/file.h"
#include "dfs/master/op_log.h"
#include "dfs/master/master_state.h"
#include "dfs_types.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

class OpLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<MasterState> Open(int64_t checkpoint_every_ops = 0) {
    MasterState::Options options;
    options.dir = dir_.path();
    options.checkpoint_every_ops = checkpoint_every_ops;
    options.clock_ms = [this] { return ++clock_ms_; };
    auto state = MasterState::Open(options);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *std::move(state) : nullptr;
  }

  static wire::NamespaceImage Image(const MasterState& state) {
    wire::NamespaceImage image;
    state.ns().SaveImage(&image);
    image.next_chunk_id = state.next_chunk_id();
    image.last_sequence = state.last_sequence();
    return image;
  }

  // Six ops: a directory, a closed two-chunk file, an open file, a rename.
  static void WriteSomeOps(MasterState* state, const std::string& prefix) {
    ASSERT_TRUE(state->Mkdirs(prefix + "/dir").ok());
    ASSERT_TRUE(state->Create(prefix + "/dir/f", 3, 1000, "c1").ok());
    ASSERT_TRUE(state->AddChunk(prefix + "/dir/f", "c1").ok());
    ASSERT_TRUE(state->AddChunk(prefix + "/dir/f", "c1").ok());
    ASSERT_TRUE(state->Complete(prefix + "/dir/f", "c1", 17).ok());
    ASSERT_TRUE(state->Rename(prefix + "/dir/f", prefix + "/g").ok());
  }

  std::vector<std::string> Files(const std::string& prefix) {
    std::vector<std::string> out;
    for (const std::string& p : *ListInputFiles(dir_.path())) {
      if (BaseName(p).starts_with(prefix)) out.push_back(p);
    }
    return out;
  }

  std::string NewestLog() { return Files("oplog.").back(); }

  void ChangeFile(const std::string& path, const std::function<void(std::string*)>& change) {
    std::string bytes = *ReadFileToString(path);
    change(&bytes);
    ASSERT_TRUE(RemoveAll(path).ok());
    ASSERT_TRUE(WriteStringToFile(path, bytes, true).ok());
  }

  mr::testing::ScopedTempDir dir_;
  int64_t clock_ms_ = 1000;
};

TEST_F(OpLogTest, ReopenReplaysEveryOp) {
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSomeOps(state.get(), "");
    std::vector<int64_t> removed;
    ASSERT_TRUE(state->Create("/tmp/x", 1, 10, "c2").ok());
    ASSERT_TRUE(state->AddChunk("/tmp/x", "c2").ok());
    ASSERT_TRUE(state->Delete("/tmp", true, &removed).ok());
    EXPECT_EQ(removed, std::vector<int64_t>{3});
    ASSERT_TRUE(state->Create("/open", 2, 10, "c3").ok());
    before = Image(*state);
    EXPECT_EQ(before.last_sequence, 10);
    EXPECT_EQ(before.next_chunk_id, 4);
  }
  auto state = Open();
  EXPECT_EQ(Image(*state), before);
  EXPECT_EQ(state->ns().Stat("/g")->length, 1017);
  EXPECT_TRUE(state->ns().Stat("/open")->under_construction);
  auto chunk = state->AddChunk("/open", "c3");
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->chunk_id, 4);  // Chunk ids are never reused.
}

TEST_F(OpLogTest, FailedOpsAreNotLogged) {
  auto state = Open();
  ASSERT_TRUE(state->Mkdirs("/a").ok());
  EXPECT_FALSE(state->Create("/a", 1, 10, "c").ok());
  EXPECT_FALSE(state->AddChunk("/a", "c").ok());
  EXPECT_FALSE(state->Mkdirs("bad").ok());
  EXPECT_EQ(state->last_sequence(), 1);
  EXPECT_EQ(state->next_chunk_id(), 1);
}

TEST_F(OpLogTest, CheckpointThenMoreOpsThenReopen) {
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSomeOps(state.get(), "/one");
    ASSERT_TRUE(state->Checkpoint().ok());
    EXPECT_EQ(Files("checkpoint.").size(), 1u);
    EXPECT_EQ(Files("oplog.").size(), 1u);  // The old log is gone.
    WriteSomeOps(state.get(), "/two");
    before = Image(*state);
  }
  auto state = Open();
  EXPECT_EQ(Image(*state), before);
  ASSERT_TRUE(state->Checkpoint().ok());
  ASSERT_TRUE(state->Checkpoint().ok());  // Nothing new: a no-op.
  state.reset();
  EXPECT_EQ(Image(*Open()), before);
}

TEST_F(OpLogTest, AutomaticCheckpoints) {
  wire::NamespaceImage before;
  {
    auto state = Open(/*checkpoint_every_ops=*/4);
    WriteSomeOps(state.get(), "/a");
    WriteSomeOps(state.get(), "/b");
    before = Image(*state);
  }
  ASSERT_EQ(Files("checkpoint.").size(), 1u);
  EXPECT_EQ(Image(*Open()), before);
}

TEST_F(OpLogTest, TornTailKeepsEveryCompleteRecord) {
  wire::NamespaceImage after_recovery;
  {
    auto state = Open();
    WriteSomeOps(state.get(), "");
    ASSERT_TRUE(state->Rename("/g", "/h").ok());
  }
  {
    auto state = Open();
    ASSERT_TRUE(state->Rename("/h", "/g").ok());  // Undone: the log is now 6 then 1 op.
  }
  // The newest log holds one record; cut it short.
  ChangeFile(NewestLog(), [](std::string* b) { b->resize(b->size() - 3); });
  {
    auto state = Open();
    EXPECT_EQ(state->last_sequence(), 7);
    EXPECT_TRUE(state->ns().Stat("/h").ok());
    ASSERT_TRUE(state->Mkdirs("/after").ok());  // Appends after recovery work.
    after_recovery = Image(*state);
  }
  EXPECT_EQ(Image(*Open()), after_recovery);
}

TEST_F(OpLogTest, TornHeaderInTheOnlyLog) {
  {
    auto state = Open();
    WriteSomeOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) { b->append("\x05\x00", 2); });
  auto state = Open();
  EXPECT_EQ(state->last_sequence(), 6);
}

TEST_F(OpLogTest, CorruptLastRecordIsDroppedEarlierKept) {
  {
    auto state = Open();
    WriteSomeOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) { (*b)[b->size() - 2] ^= 0x40; });
  auto state = Open();
  EXPECT_EQ(state->last_sequence(), 5);  // The rename is gone.
  EXPECT_TRUE(state->ns().Stat("/dir/f").ok());
  EXPECT_TRUE(state->ns().Stat("/g").status().IsNotFound());
  EXPECT_EQ(state->ns().Stat("/dir/f")->length, 1017);
}

TEST_F(OpLogTest, CorruptCheckpointRefusesToStart) {
  {
    auto state = Open();
    WriteSomeOps(state.get(), "");
    ASSERT_TRUE(state->Checkpoint().ok());
  }
  ChangeFile(Files("checkpoint.").back(), [](std::string* b) { (*b)[b->size() / 2] ^= 1; });
  MasterState::Options options;
  options.dir = dir_.path();
  auto state = MasterState::Open(options);
  EXPECT_TRUE(state.status().IsCorruption()) << state.status().ToString();
}

// Group commit: threads append (serialized, as the master's mutex does) and
// then SyncTo concurrently. Every acknowledged record is durable and comes
// back on reopen, and the syncs were shared.
TEST_F(OpLogTest, ConcurrentAppendAndSyncShareFsyncs) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  auto no_checkpoint = [](const wire::NamespaceImage&) { return Status::OK(); };
  auto no_replay = [](const wire::OpLogRecord&) { return Status::OK(); };
  auto log = OpLog::Open(dir_.path(), no_checkpoint, no_replay);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::mutex append_mu;  // The owner's lock.
  std::vector<std::map<int64_t, std::string>> acked(kThreads);  // Per thread: seq -> path.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        wire::OpLogRecord r;
        r.__set_mkdirs(wire::MkdirsOp());
        r.mkdirs.path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        {
          std::lock_guard<std::mutex> lock(append_mu);
          r.sequence = (*log)->last_sequence() + 1;
          ASSERT_TRUE((*log)->AppendNoSync(r).ok());
        }
        ASSERT_TRUE((*log)->SyncTo(r.sequence).ok());
        ASSERT_GE((*log)->synced_sequence(), r.sequence);  // Durable when acknowledged.
        acked[t][r.sequence] = r.mkdirs.path;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  constexpr int64_t kRecords = kThreads * kPerThread;
  EXPECT_EQ((*log)->last_sequence(), kRecords);
  EXPECT_EQ((*log)->synced_sequence(), kRecords);
  int64_t syncs = (*log)->sync_count();
  EXPECT_GT(syncs, 0);
  EXPECT_LT(syncs, kRecords);
  std::cout << kRecords << " records, " << syncs << " fsyncs\n";
  log->reset();  // Nothing left to sync: every record was acknowledged.

  std::map<int64_t, std::string> replayed;
  auto collect = [&](const wire::OpLogRecord& r) {
    replayed[r.sequence] = r.mkdirs.path;
    return Status::OK();
  };
  auto reopened = OpLog::Open(dir_.path(), no_checkpoint, collect);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(static_cast<int64_t>(replayed.size()), kRecords);
  for (const auto& mine : acked) {
    for (const auto& [seq, path] : mine) EXPECT_EQ(replayed[seq], path) << "op " << seq;
  }
}

// Mutations from many threads with automatic checkpoints in between: a
// checkpoint (which swaps the log file) never races a syncer.
TEST_F(OpLogTest, ConcurrentMutationsWithCheckpoints) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 100;
  wire::NamespaceImage before;
  {
    auto state = Open(/*checkpoint_every_ops=*/37);
    std::mutex mu;  // The service's lock.
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int64_t seq;
          {
            std::lock_guard<std::mutex> lock(mu);
            ASSERT_TRUE(state->Mkdirs("/t" + std::to_string(t) + "/" + std::to_string(i)).ok());
            seq = state->last_sequence();
          }
          ASSERT_TRUE(state->SyncTo(seq).ok());
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    before = Image(*state);
    EXPECT_EQ(before.last_sequence, kThreads * kPerThread);
  }
  EXPECT_EQ(Files("checkpoint.").size(), 1u);
  EXPECT_EQ(Image(*Open()), before);
}

}  // namespace
}  // namespace mr::dfs

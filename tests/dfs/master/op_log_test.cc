// MasterState + OpLog: mutations survive reopen, checkpoints, and crashes
// that leave a torn or corrupt tail record; with and without preallocated
// (zero-padded) log files.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/file.h"
#include "dfs/master/op_log.h"
#include "dfs/master/master_state.h"
#include "dfs/master/record_framing.h"
#include "dfs_types.h"
#include "tests/dfs/master/op_log_test_util.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

// The parameter: the log's preallocation step in bytes (0 = plain appends;
// a small step makes most appends grow the file).
class OpLogTest : public ::testing::TestWithParam<int64_t> {
 protected:
  std::unique_ptr<MasterState> Open(int64_t checkpoint_every_ops = 0) {
    return OpenDir(dir_.path(), checkpoint_every_ops);
  }

  std::unique_ptr<MasterState> OpenDir(const std::string& dir, int64_t checkpoint_every_ops = 0) {
    MasterState::Options options;
    options.dir = dir;
    options.checkpoint_every_ops = checkpoint_every_ops;
    options.log_preallocate_bytes = GetParam();
    options.clock_ms = [this] { return ++clock_ms_; };
    auto state = MasterState::Open(options);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *std::move(state) : nullptr;
  }

  std::vector<std::string> Files(const std::string& prefix) {
    std::vector<std::string> out;
    for (const std::string& p : *ListInputFiles(dir_.path())) {
      if (BaseName(p).starts_with(prefix)) out.push_back(p);
    }
    return out;
  }

  std::string NewestLog() { return Files("oplog.").back(); }

  // Where the intact records of a log end (zero padding may follow).
  static size_t RecordsEnd(const std::string& bytes) {
    ParsedRecords parsed = ParseFramedRecords(bytes);
    EXPECT_EQ(parsed.tail_problem, "");
    return parsed.valid_bytes;
  }

  // What a kill -9 leaves: the files as the kernel has them, synced or not.
  void CopyDirTo(const std::string& to) {
    for (const std::string& p : *ListInputFiles(dir_.path())) {
      ASSERT_TRUE(WriteStringToFile(JoinPath(to, BaseName(p)), *ReadFileToString(p), true).ok());
    }
  }

  mr::testing::ScopedTempDir dir_;
  int64_t clock_ms_ = 1000;
};

TEST_P(OpLogTest, ReopenReplaysEveryOp) {
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
    std::vector<int64_t> removed;
    ASSERT_TRUE(state->Create("/tmp/x", 1, 10, "c2").ok());
    ASSERT_TRUE(state->AddChunk("/tmp/x", "c2").ok());
    ASSERT_TRUE(state->Delete("/tmp", true, &removed).ok());
    EXPECT_EQ(removed, std::vector<int64_t>{3});
    ASSERT_TRUE(state->Create("/open", 2, 10, "c3").ok());
    before = ImageOf(*state);
    EXPECT_EQ(before.last_sequence, 10);
    EXPECT_EQ(before.next_chunk_id, 4);
  }
  auto state = Open();
  EXPECT_EQ(ImageOf(*state), before);
  EXPECT_EQ(state->ns().Stat("/g")->length, 1017);
  EXPECT_TRUE(state->ns().Stat("/open")->under_construction);
  auto chunk = state->AddChunk("/open", "c3");
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->chunk_id, 4);  // Chunk ids are never reused.
}

TEST_P(OpLogTest, FailedOpsAreNotLogged) {
  auto state = Open();
  ASSERT_TRUE(state->Mkdirs("/a").ok());
  EXPECT_FALSE(state->Create("/a", 1, 10, "c").ok());
  EXPECT_FALSE(state->AddChunk("/a", "c").ok());
  EXPECT_FALSE(state->Mkdirs("bad").ok());
  EXPECT_EQ(state->last_sequence(), 1);
  EXPECT_EQ(state->next_chunk_id(), 1);
}

TEST_P(OpLogTest, CheckpointThenMoreOpsThenReopen) {
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSixOps(state.get(), "/one");
    ASSERT_TRUE(state->Checkpoint().ok());
    // This one and the one before: the format's, at op 0 (master_state.h).
    EXPECT_EQ(Files("checkpoint.").size(), 2u);
    // The new log, and the old one, kept with the checkpoint before (op 0).
    EXPECT_EQ(Files("oplog.").size(), 2u);
    WriteSixOps(state.get(), "/two");
    before = ImageOf(*state);
  }
  auto state = Open();
  EXPECT_EQ(ImageOf(*state), before);
  ASSERT_TRUE(state->Checkpoint().ok());
  ASSERT_TRUE(state->Checkpoint().ok());  // Nothing new: a no-op.
  state.reset();
  EXPECT_EQ(ImageOf(*Open()), before);
}

TEST_P(OpLogTest, AutomaticCheckpoints) {
  wire::NamespaceImage before;
  {
    auto state = Open(/*checkpoint_every_ops=*/4);
    WriteSixOps(state.get(), "/a");
    WriteSixOps(state.get(), "/b");
    before = ImageOf(*state);
  }
  // Checkpoints at ops 4, 8 and 12; the last two are kept (op_log.h).
  ASSERT_EQ(Files("checkpoint.").size(), 2u);
  EXPECT_EQ(ImageOf(*Open()), before);
}

TEST_P(OpLogTest, TornTailKeepsEveryCompleteRecord) {
  wire::NamespaceImage after_recovery;
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
    ASSERT_TRUE(state->Rename("/g", "/h").ok());
  }
  {
    auto state = Open();
    ASSERT_TRUE(state->Rename("/h", "/g").ok());  // Undone: the log is now 6 then 1 op.
  }
  // The newest log holds one record; cut it short (and its padding).
  ChangeFile(NewestLog(), [](std::string* b) { b->resize(RecordsEnd(*b) - 3); });
  {
    auto state = Open();
    EXPECT_EQ(state->last_sequence(), 7);
    EXPECT_TRUE(state->ns().Stat("/h").ok());
    ASSERT_TRUE(state->Mkdirs("/after").ok());  // Appends after recovery work.
    after_recovery = ImageOf(*state);
  }
  EXPECT_EQ(ImageOf(*Open()), after_recovery);
}

TEST_P(OpLogTest, TornHeaderInTheOnlyLog) {
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) {
    b->resize(RecordsEnd(*b));
    b->append("\x05\x00", 2);
  });
  auto state = Open();
  EXPECT_EQ(state->last_sequence(), 6);
}

// Part of a header, then the preallocated zeros.
TEST_P(OpLogTest, TornHeaderThenZeros) {
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) {
    size_t end = RecordsEnd(*b);
    b->resize(std::max(b->size(), end + 64), '\0');
    (*b)[end] = 0x05;
  });
  auto state = Open();
  EXPECT_EQ(state->last_sequence(), 6);
  EXPECT_EQ(*FileSize(NewestLog()), static_cast<uint64_t>(GetParam()));
}

TEST_P(OpLogTest, CorruptLastRecordIsDroppedEarlierKept) {
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) { (*b)[RecordsEnd(*b) - 2] ^= 0x40; });
  auto state = Open();
  EXPECT_EQ(state->last_sequence(), 5);  // The rename is gone.
  EXPECT_TRUE(state->ns().Stat("/dir/f").ok());
  EXPECT_TRUE(state->ns().Stat("/g").status().IsNotFound());
  EXPECT_EQ(state->ns().Stat("/dir/f")->length, 1017);
}

TEST_P(OpLogTest, CorruptCheckpointRefusesToStart) {
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
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
TEST_P(OpLogTest, ConcurrentAppendAndSyncShareFsyncs) {
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
TEST_P(OpLogTest, ConcurrentMutationsWithCheckpoints) {
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
    before = ImageOf(*state);
    EXPECT_EQ(before.last_sequence, kThreads * kPerThread);
  }
  EXPECT_EQ(Files("checkpoint.").size(), 2u);  // The newest and the one before.
  EXPECT_EQ(ImageOf(*Open()), before);
}


// A log ends in its zero padding: the records read back, nothing else, and
// recovery cuts the padding off the log it leaves behind.
TEST_P(OpLogTest, PreallocatedLogEndsCleanlyInZeros) {
  wire::NamespaceImage before;
  std::string log;
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
    before = ImageOf(*state);
    log = NewestLog();
    std::string bytes = *ReadFileToString(log);
    ParsedRecords parsed = ParseFramedRecords(bytes);
    EXPECT_EQ(parsed.tail_problem, "");
    EXPECT_EQ(parsed.payloads.size(), 6u);
    if (GetParam() > 0) {
      EXPECT_EQ(bytes.size() % GetParam(), 0u);  // Grown in whole steps,
      EXPECT_LT(parsed.valid_bytes, bytes.size());  // zeros after the records.
    } else {
      EXPECT_EQ(parsed.valid_bytes, bytes.size());
    }
  }
  auto state = Open();
  EXPECT_EQ(ImageOf(*state), before);
  std::string bytes = *ReadFileToString(log);  // Now an older log.
  EXPECT_EQ(ParseFramedRecords(bytes).valid_bytes, bytes.size());
  EXPECT_NE(NewestLog(), log);
  EXPECT_EQ(*FileSize(NewestLog()), static_cast<uint64_t>(GetParam()));
}

// A crash mid-append into the padding: a record cut short, zeros after it.
TEST_P(OpLogTest, TornRecordThenZeros) {
  wire::NamespaceImage after_recovery;
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
  }
  ChangeFile(NewestLog(), [](std::string* b) {
    size_t end = RecordsEnd(*b);
    std::fill(b->begin() + static_cast<std::ptrdiff_t>(end - 5), b->end(), '\0');
  });
  {
    auto state = Open();
    EXPECT_EQ(state->last_sequence(), 5);  // The rename is gone.
    EXPECT_TRUE(state->ns().Stat("/dir/f").ok());
    ASSERT_TRUE(state->Mkdirs("/after").ok());
    after_recovery = ImageOf(*state);
  }
  EXPECT_EQ(ImageOf(*Open()), after_recovery);
}

// Zeros are an end only if nothing but zeros follows them.
TEST(RecordFramingTest, ZeroPaddingIsACleanEndOnlyAtTheEnd) {
  std::string a, b, c;
  AppendFramedRecord(&a, "first");
  AppendFramedRecord(&b, "second record");
  AppendFramedRecord(&c, "third");
  std::string zeros(100, '\0');

  ParsedRecords padded = ParseFramedRecords(a + b + c + zeros);
  EXPECT_EQ(padded.tail_problem, "");
  EXPECT_EQ(padded.payloads.size(), 3u);
  EXPECT_EQ(padded.valid_bytes, (a + b + c).size());

  ParsedRecords short_padding = ParseFramedRecords(a + std::string(5, '\0'));
  EXPECT_EQ(short_padding.tail_problem, "");
  EXPECT_EQ(short_padding.valid_bytes, a.size());

  // A record lost to zeros before a later one that landed.
  ParsedRecords hole = ParseFramedRecords(a + std::string(b.size(), '\0') + c + zeros);
  EXPECT_NE(hole.tail_problem, "");
  EXPECT_EQ(hole.payloads.size(), 1u);
  EXPECT_EQ(hole.valid_bytes, a.size());

  ParsedRecords stray = ParseFramedRecords(a + zeros + "\x01");
  EXPECT_NE(stray.tail_problem, "");
  EXPECT_EQ(stray.valid_bytes, a.size());
}

// An older log is not the crash site: zeros over a record in its middle, or
// over its end, are Corruption, not an end.
TEST_P(OpLogTest, ZerosInAnOlderLogAreCorruption) {
  for (bool to_the_end : {false, true}) {
    SCOPED_TRACE(to_the_end ? "zeros to the end" : "one record zeroed");
    for (const std::string& p : Files("")) ASSERT_TRUE(RemoveAll(p).ok());
    {
      auto state = Open();
      WriteSixOps(state.get(), "");
    }
    std::string older = NewestLog();
    {
      auto state = Open();  // Starts the next log.
      ASSERT_TRUE(state->Mkdirs("/later").ok());
    }
    ChangeFile(older, [&](std::string* b) {
      std::vector<size_t> at = RecordOffsets(*b);
      ASSERT_EQ(at.size(), 6u);
      size_t end = to_the_end ? b->size() : at[3];
      std::fill(b->begin() + static_cast<std::ptrdiff_t>(at[2]),
                b->begin() + static_cast<std::ptrdiff_t>(end), '\0');
    });
    MasterState::Options options;
    options.dir = dir_.path();
    auto state = MasterState::Open(options);
    EXPECT_TRUE(state.status().IsCorruption()) << state.status().ToString();
  }
}

// After a kill -9 (the files as the kernel held them, padding included) a
// restart replays every record and appends after the last one.
TEST_P(OpLogTest, RestartAfterKillAppendsAfterTheLastRecord) {
  mr::testing::ScopedTempDir crashed;
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSixOps(state.get(), "");
    ASSERT_TRUE(state->SyncTo(state->last_sequence()).ok());
    before = ImageOf(*state);
    CopyDirTo(crashed.path());
  }
  wire::NamespaceImage after;
  {
    auto state = OpenDir(crashed.path());
    EXPECT_EQ(ImageOf(*state), before);
    ASSERT_TRUE(state->Mkdirs("/after").ok());
    ASSERT_TRUE(state->Create("/after/f", 1, 10, "c").ok());
    EXPECT_EQ(state->last_sequence(), 8);
    after = ImageOf(*state);
  }
  auto state = OpenDir(crashed.path());
  EXPECT_EQ(ImageOf(*state), after);
  EXPECT_TRUE(state->ns().Stat("/after/f").ok());
}

// A checkpoint starts a new, preallocated log; records after it survive a
// kill -9 too.
TEST_P(OpLogTest, CheckpointStartsAPreallocatedLog) {
  mr::testing::ScopedTempDir crashed;
  wire::NamespaceImage before;
  {
    auto state = Open();
    WriteSixOps(state.get(), "/one");
    ASSERT_TRUE(state->Checkpoint().ok());
    // The new log, and the one the checkpoint covers (kept with op 0's).
    ASSERT_EQ(Files("oplog.").size(), 2u);
    EXPECT_EQ(*FileSize(NewestLog()), static_cast<uint64_t>(GetParam()));
    WriteSixOps(state.get(), "/two");
    ASSERT_TRUE(state->SyncTo(state->last_sequence()).ok());
    before = ImageOf(*state);
    CopyDirTo(crashed.path());
  }
  EXPECT_EQ(ImageOf(*OpenDir(crashed.path())), before);
  EXPECT_EQ(ImageOf(*Open()), before);
}

INSTANTIATE_TEST_SUITE_P(Preallocate, OpLogTest,
                         ::testing::Values(0, 256, OpLog::kDefaultPreallocateBytes),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return info.param == 0 ? std::string("Off")
                                                  : std::to_string(info.param) + "B";
                         });

}  // namespace
}  // namespace mr::dfs

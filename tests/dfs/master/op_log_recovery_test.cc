// A master that cannot rebuild its namespace says why, and recovery mode
// (MasterState::Recover, dfs_master --recover) keeps the longest consistent
// prefix: a damaged record that intact ones follow, a truncated older log, a
// damaged or truncated checkpoint, an op that cannot be applied; plus the
// older formats (image version 1, CompleteOp lease recoveries) still read.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/file.h"
#include "dfs/master/master_state.h"
#include "dfs/master/record_framing.h"
#include "dfs_types.h"
#include "tests/dfs/master/op_log_test_util.h"
#include "rpc/thrift_codec.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Quote;
using mr::testing::RunCommand;

class OpLogRecoveryTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<MasterState>> Open() {
    MasterState::Options options;
    options.dir = dir_.path();
    options.clock_ms = [this] { return ++clock_ms_; };
    return MasterState::Open(options);
  }

  std::unique_ptr<MasterState> OpenOk() {
    auto state = Open();
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? std::move(state).value() : nullptr;
  }

  // Recovery mode; its report as one string, one line each.
  std::string Recover() {
    MasterState::Options options;
    options.dir = dir_.path();
    auto lines = MasterState::Recover(options);
    EXPECT_TRUE(lines.ok()) << lines.status().ToString();
    std::string report;
    for (const std::string& line : lines.ok() ? *lines : std::vector<std::string>()) {
      report += line + "\n";
    }
    return report;
  }

  // Ten ops: a directory, a closed two-chunk file, a rename, four mkdirs.
  static void WriteTenOps(MasterState* state, const std::string& prefix) {
    WriteSixOps(state, prefix);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(state->Mkdirs(prefix + "/m" + std::to_string(i)).ok());
  }

  std::vector<std::string> Files(const std::string& prefix) {
    std::vector<std::string> out;
    for (const std::string& name : mr::testing::ListDir(dir_.path())) {
      if (name.starts_with(prefix)) out.push_back(dir_.Join(name));
    }
    return out;
  }

  // Writes `records` as the log oplog.<first> (as a master would have).
  void WriteLog(int64_t first, const std::vector<wire::OpLogRecord>& records) {
    std::string bytes;
    for (const wire::OpLogRecord& r : records) AppendFramedRecord(&bytes, EncodeThrift(r));
    char name[64];
    std::snprintf(name, sizeof(name), "oplog.%020lld", static_cast<long long>(first));
    ASSERT_TRUE(WriteStringToFile(dir_.Join(name), bytes, true).ok());
  }

  static wire::OpLogRecord Mkdirs(int64_t sequence, const std::string& path) {
    wire::OpLogRecord r;
    r.sequence = sequence;
    r.time_ms = 1000 + sequence;
    r.next_chunk_id = 1;
    r.__set_mkdirs(wire::MkdirsOp());
    r.mkdirs.path = path;
    return r;
  }

  mr::testing::ScopedTempDir dir_;
  int64_t clock_ms_ = 1000;
};

TEST_F(OpLogRecoveryTest, DamagedRecordThatIntactOnesFollowStopsTheMaster) {
  wire::NamespaceImage after_two;
  {
    auto state = OpenOk();
    ASSERT_TRUE(state->Mkdirs("/dir").ok());
    ASSERT_TRUE(state->Create("/dir/f", 3, 1000, "c1").ok());
    after_two = ImageOf(*state);
    ASSERT_TRUE(state->AddChunk("/dir/f", "c1").ok());
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(state->Mkdirs("/m" + std::to_string(i)).ok());
  }
  // A bit flip in op 3, with seven acknowledged ops after it: not the torn
  // tail of a crash, so the master must not drop them silently.
  ChangeFile(Files("oplog.").back(), [](std::string* b) {
    std::vector<size_t> at = RecordOffsets(*b);
    ASSERT_EQ(at.size(), 10u);
    (*b)[at[2] + kRecordHeaderBytes + 3] ^= 0x10;
  });
  auto refused = Open();
  ASSERT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("record checksum mismatch"), std::string::npos);
  EXPECT_NE(refused.status().message().find("yet an intact record follows"), std::string::npos)
      << refused.status().ToString();

  std::string report = Recover();
  EXPECT_NE(report.find("kept ops through 2"), std::string::npos) << report;
  EXPECT_NE(report.find("dropped every op from 3 on: 7 readable (through op 10), "),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("_salvaged-"), std::string::npos) << report;
  auto state = OpenOk();
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->last_sequence(), 2);
  wire::NamespaceImage now = ImageOf(*state);
  // The chunk counter skips past any id a dropped op may have handed out.
  EXPECT_GE(now.next_chunk_id, after_two.next_chunk_id + MasterState::kSalvageChunkIdGap);
  now.next_chunk_id = after_two.next_chunk_id;
  EXPECT_EQ(now, after_two);
  // The old files are kept aside, not deleted; the master goes on from op 3.
  EXPECT_EQ(Files("_salvaged-").size(), 1u);
  ASSERT_TRUE(state->Mkdirs("/after").ok());
  state.reset();
  EXPECT_TRUE(OpenOk()->ns().Stat("/after").ok());
}

TEST_F(OpLogRecoveryTest, TruncatedOlderLogStopsTheMaster) {
  {
    auto state = OpenOk();
    WriteTenOps(state.get(), "");
  }
  std::string older = Files("oplog.").back();
  {
    auto state = OpenOk();  // Starts the next log.
    ASSERT_TRUE(state->Mkdirs("/later").ok());
  }
  ChangeFile(older, [](std::string* b) { b->resize(RecordOffsets(*b)[4] + 5); });
  auto refused = Open();
  ASSERT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("in a log that is not the newest"), std::string::npos)
      << refused.status().ToString();
  std::string report = Recover();
  EXPECT_NE(report.find("kept ops through 4"), std::string::npos) << report;
  EXPECT_NE(report.find("dropped every op from 5 on: 1 readable (through op 11), "),
            std::string::npos)
      << report;
  auto state = OpenOk();
  EXPECT_EQ(state->last_sequence(), 4);
  EXPECT_TRUE(state->ns().Stat("/dir/f")->under_construction);
  EXPECT_TRUE(state->ns().Stat("/later").status().IsNotFound());
}

TEST_F(OpLogRecoveryTest, DamagedOrTruncatedCheckpointIsRebuiltFromThePreviousOne) {
  for (bool truncate : {false, true}) {
    SCOPED_TRACE(truncate ? "truncated" : "damaged");
    for (const std::string& p : mr::testing::ListDir(dir_.path())) {
      ASSERT_TRUE(RemoveAll(dir_.Join(p)).ok());
    }
    wire::NamespaceImage before;
    {
      auto state = OpenOk();
      WriteTenOps(state.get(), "/a");
      ASSERT_TRUE(state->Checkpoint().ok());
      WriteTenOps(state.get(), "/b");
      ASSERT_TRUE(state->Checkpoint().ok());
      WriteTenOps(state.get(), "/c");
      before = ImageOf(*state);
    }
    ASSERT_EQ(Files("checkpoint.").size(), 2u);  // The newest and the previous one.
    ChangeFile(Files("checkpoint.").back(), [&](std::string* b) {
      if (truncate) {
        b->resize(b->size() / 2);
      } else {
        (*b)[b->size() / 2] ^= 1;
      }
    });
    auto refused = Open();
    ASSERT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("checkpoint.00000000000000000020"),
              std::string::npos)
        << refused.status().ToString();
    std::string report = Recover();
    EXPECT_NE(report.find("skipped " + dir_.path() + "/checkpoint.00000000000000000020"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("started from the checkpoint at op 10; kept ops through 30"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("dropped nothing"), std::string::npos) << report;
    auto state = OpenOk();
    EXPECT_EQ(ImageOf(*state), before);  // Nothing lost.
  }
}

TEST_F(OpLogRecoveryTest, OpThatCannotBeAppliedIsNamedWithItsReason) {
  // A log an older master could write: a component past today's limit.
  wire::OpLogRecord bad = Mkdirs(2, "/" + std::string(300, 'x'));
  wire::OpLogRecord after = Mkdirs(3, "/after");
  after.next_chunk_id = 500;  // Chunks a dropped op handed out.
  WriteLog(1, {Mkdirs(1, "/ok"), bad, after});
  auto refused = Open();
  ASSERT_TRUE(refused.status().IsCorruption()) << refused.status().ToString();
  const std::string& why = refused.status().message();
  EXPECT_NE(why.find("op 2 (mkdirs /xxxxxxxx"), std::string::npos) << why;
  EXPECT_NE(why.find("cannot be applied"), std::string::npos) << why;
  EXPECT_NE(why.find("a component is longer than 255 bytes"), std::string::npos) << why;
  EXPECT_LT(why.size(), 400u) << "one readable line";

  std::string report = Recover();
  EXPECT_NE(report.find("kept ops through 1"), std::string::npos) << report;
  EXPECT_NE(report.find("dropped every op from 2 on: 2 readable (through op 3)\n"),
            std::string::npos)
      << report;
  auto state = OpenOk();
  EXPECT_TRUE(state->ns().Stat("/ok").ok());
  EXPECT_TRUE(state->ns().Stat("/after").status().IsNotFound());
  EXPECT_EQ(state->next_chunk_id(), 500 + MasterState::kSalvageChunkIdGap);
}

TEST_F(OpLogRecoveryTest, OlderFormatsStillRead) {
  // A version-1 checkpoint (no incomplete files) holding a file being
  // written, then an older master's lease recovery of it (CompleteOp with
  // lease_recovery): replayed as an incomplete file.
  wire::NamespaceImage image;
  image.version = 1;
  image.last_sequence = 5;
  image.next_chunk_id = 3;
  wire::InodeRecord& dir = image.inodes.emplace_back();
  dir.path = "/d";
  dir.is_dir = true;
  wire::InodeRecord& file = image.inodes.emplace_back();
  file.path = "/d/f";
  file.replication = 3;
  file.chunk_size = 1000;
  file.under_construction = true;
  file.lease_holder = "gone";
  for (int64_t id : {1, 2}) {
    wire::ChunkRecord& c = file.chunks.emplace_back();
    c.chunk_id = id;
    c.generation = 1;
    c.length = id == 1 ? 1000 : 0;
  }
  std::string bytes;
  AppendFramedRecord(&bytes, EncodeThrift(image));
  ASSERT_TRUE(WriteStringToFile(dir_.Join("checkpoint.00000000000000000005"), bytes, true).ok());
  wire::OpLogRecord recovery;
  recovery.sequence = 6;
  recovery.time_ms = 2000;
  recovery.next_chunk_id = 3;
  recovery.__set_complete(wire::CompleteOp());
  recovery.complete.path = "/d/f";
  recovery.complete.client_name = "gone";
  recovery.complete.last_chunk_length = 40;
  recovery.complete.__set_lease_recovery(true);
  WriteLog(6, {recovery});

  auto state = OpenOk();
  ASSERT_NE(state, nullptr);
  auto st = state->ns().Stat("/d/f");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->under_construction);
  EXPECT_TRUE(st->incomplete);
  EXPECT_EQ(st->length, 1040);
  // A new checkpoint is version 2, and keeps the state.
  ASSERT_TRUE(state->Checkpoint().ok());
  state.reset();
  EXPECT_TRUE(OpenOk()->ns().Stat("/d/f")->incomplete);
}

// The daemon: exits 1 naming the damage and the way out; --recover repairs;
// then it serves.
TEST_F(OpLogRecoveryTest, DaemonSaysWhyAndRecoverRepairs) {
  // The bad op's path holds an escape sequence: both messages print it
  // escaped.
  WriteLog(1, {Mkdirs(1, "/ok"), Mkdirs(2, "/\x1b[31m" + std::string(300, 'x')),
               Mkdirs(3, "/more")});
  const std::string master = Quote(BinPath("dfs_master")) + " --dir " + Quote(dir_.path());
  CommandResult refused = RunCommand(master + " --port 0", 30);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("op 2 (mkdirs /\\033[31mxxx"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--recover"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find('\x1b'), std::string::npos) << refused.err;
  CommandResult recovered = RunCommand(master + " --recover", 30);
  EXPECT_EQ(recovered.exit_code, 0) << recovered.err;
  EXPECT_NE(recovered.out.find("dfs_master --recover: dropped every op from 2 on: 2 readable"),
            std::string::npos)
      << recovered.out;
  EXPECT_EQ(recovered.out.find('\x1b'), std::string::npos) << recovered.out;
  auto state = OpenOk();
  EXPECT_TRUE(state->ns().Stat("/ok").ok());
}

}  // namespace
}  // namespace mr::dfs

// Integration tests of the DFS client library and mrdfs against a real local
// cluster (local_dfs.h): `mrcluster up --racks 2 --nodes-per-rack 2
// --chunk-size 1 MiB`, one master and four datanode processes on 127.0.0.1.
// Each test starts its own cluster.
//
// The tests skip only if the daemons are not built (dfs_master,
// dfs_datanode, mrcluster, mrdfs missing from MR_BIN_DIR, or a datanode
// without --master); once they exist, anything wrong is a failure.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/master/dfs_path.h"
#include "security/identity.h"
#include "tests/dfs/client/dfs_cluster_test.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

using testing::RandomBytes;

using mr::testing::BinPath;
using mr::testing::CommandResult;
using mr::testing::Quote;
using mr::testing::RunCommand;

constexpr int64_t kChunk = mr::testing::kLocalDfsChunk;

class DfsClientITest : public mr::testing::DfsClusterTest {
 protected:
  void SetUp() override {
    StartCluster();
    if (HasFatalFailure() || IsSkipped()) return;
    ASSERT_EQ(client_->options().default_chunk_size, kChunk);
  }

  CommandResult Mrdfs(const std::string& args) {
    return RunCommand(Quote(BinPath("mrdfs")) + " --cluster " + Quote(cluster_.dir()) + " " +
                          args,
                      120);
  }

  Status WriteFile(const std::string& path, const std::string& data, size_t piece = 100000,
                   DfsClient::CreateOptions options = {}) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileWriter> writer, client_->Create(path, options));
    for (size_t at = 0; at < data.size(); at += piece) {
      RETURN_NOT_OK(writer->Write(std::string_view(data).substr(at, piece)));
    }
    EXPECT_EQ(writer->bytes_written(), static_cast<int64_t>(data.size()));
    return writer->Close();
  }

  Result<std::string> ReadFile(const std::string& path, size_t piece = 77777) {
    ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, client_->Open(path));
    std::string all, part;
    while (true) {
      RETURN_NOT_OK(reader->Read(piece, &part));
      if (part.empty()) break;
      all += part;
    }
    return all;
  }

};

const std::vector<int64_t> kSizes = {0, 1, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk + 12345};

TEST_F(DfsClientITest, ClientRoundTrips) {
  for (int64_t size : kSizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string path = "/rt/file-" + std::to_string(size);
    std::string data = RandomBytes(size, size + 1);
    ASSERT_TRUE(WriteFile(path, data).ok());

    Result<DfsFileStatus> status = client_->Stat(path);
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->length, size);
    EXPECT_FALSE(status->is_dir);
    EXPECT_FALSE(status->under_construction);
    EXPECT_EQ(status->replication, 3);
    EXPECT_EQ(status->chunk_size, kChunk);

    // Close returns at the master's minimum of 2 replicas; the third reports
    // asynchronously, and as a pipeline finalizes from its tail, the first
    // two are often replicas 2 and 3, on one rack. Wait for all three.
    Result<std::vector<DfsChunk>> chunks = client_->GetChunkLocations(path);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (chunks.ok() && std::chrono::steady_clock::now() < deadline &&
           std::any_of(chunks->begin(), chunks->end(),
                       [](const DfsChunk& c) { return c.replicas.size() < 3; })) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      chunks = client_->GetChunkLocations(path);
    }
    ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
    ASSERT_EQ(static_cast<int64_t>(chunks->size()), (size + kChunk - 1) / kChunk);
    for (const DfsChunk& c : *chunks) {
      EXPECT_EQ(c.replicas.size(), 3u);
      std::set<std::string> nodes, racks;
      for (const DfsReplica& r : c.replicas) {
        nodes.insert(r.node_id);
        racks.insert(r.rack);
        EXPECT_EQ(r.host, "127.0.0.1");
        EXPECT_GT(r.port, 0);
      }
      EXPECT_EQ(nodes.size(), c.replicas.size()) << "two replicas on one node";
      if (c.replicas.size() >= 2) {
        EXPECT_EQ(racks.size(), 2u) << "replicas in one rack";
      }
    }

    Result<std::string> back = ReadFile(path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == data) << "read " << back->size() << " bytes";

    // Positional reads across chunk boundaries, Seek, and EOF.
    Result<std::unique_ptr<DfsFileReader>> reader = client_->Open(path);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->length(), size);
    std::string part;
    for (int64_t at : {int64_t{0}, kChunk - 2, kChunk, size - 3, size}) {
      if (at < 0 || at > size) continue;
      ASSERT_TRUE((*reader)->ReadAt(at, 5, &part).ok());
      EXPECT_EQ(part, data.substr(at, 5)) << "at " << at;
    }
    if (size > 10) {
      ASSERT_TRUE((*reader)->Seek(size - 10).ok());
      ASSERT_TRUE((*reader)->Read(100, &part).ok());
      EXPECT_EQ(part, data.substr(size - 10));
    }
    ASSERT_TRUE((*reader)->Seek(size).ok());
    ASSERT_TRUE((*reader)->Read(100, &part).ok());
    EXPECT_TRUE(part.empty());
    EXPECT_FALSE((*reader)->Seek(size + 1).ok());
  }
}

TEST_F(DfsClientITest, CreateRulesAndFailedWritesLeaveNoFile) {
  ASSERT_TRUE(WriteFile("/c/a", "first").ok());
  Result<std::unique_ptr<DfsFileWriter>> again = client_->Create("/c/a", {});
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();

  DfsClient::CreateOptions overwrite;
  overwrite.overwrite = true;
  ASSERT_TRUE(WriteFile("/c/a", "second!", 3, overwrite).ok());
  EXPECT_EQ(*ReadFile("/c/a"), "second!");
  // A directory is never replaced.
  EXPECT_FALSE(client_->Create("/c", overwrite).ok());
  // Names at the limits: the temporary name beside them is cut short,
  // between characters (a 255-byte name of 3-byte ones; a 4096-byte path).
  std::string wide = "/c/";
  for (int i = 0; i < 85; ++i) wide += "\xe2\x82\xac";  // U+20AC, 3 bytes.
  std::string full = "/c/" + std::string(kMaxDfsComponentBytes, 'l');
  while (full.size() + 1 + kMaxDfsComponentBytes < kMaxDfsPathBytes) {
    full += "/" + std::string(kMaxDfsComponentBytes, 'l');
  }
  full += "/" + std::string(kMaxDfsPathBytes - full.size() - 1, 'f');
  for (const std::string& path : {wide, full}) {
    ASSERT_TRUE(WriteFile(path, "one").ok());
    ASSERT_TRUE(WriteFile(path, "two", 3, overwrite).ok()) << path.size();
    EXPECT_EQ(*ReadFile(path), "two");
  }

  // A file being written is not readable yet, and visible once closed.
  {
    Result<std::unique_ptr<DfsFileWriter>> w = client_->Create("/c/open", {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("data").ok());
    Result<DfsFileStatus> st = client_->Stat("/c/open");
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->under_construction);
    EXPECT_EQ(client_->Open("/c/open").status().code(), Status::Code::kUnavailable);
    EXPECT_EQ(Mrdfs("cat /c/open").exit_code, 1);
    ASSERT_TRUE((*w)->Close().ok());
    EXPECT_EQ(*ReadFile("/c/open"), "data");
  }

  // Aborted, and destroyed without Close: no file either way.
  {
    Result<std::unique_ptr<DfsFileWriter>> w = client_->Create("/c/aborted", {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(RandomBytes(kChunk + 5, 1)).ok());
    (*w)->Abort();
    EXPECT_FALSE((*w)->Write("x").ok());
    EXPECT_FALSE((*w)->Close().ok());
  }
  {
    Result<std::unique_ptr<DfsFileWriter>> w = client_->Create("/c/dropped", {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("partial").ok());
  }
  EXPECT_TRUE(client_->Stat("/c/aborted").status().IsNotFound());
  EXPECT_TRUE(client_->Stat("/c/dropped").status().IsNotFound());

  // Bad arguments fail before any RPC or at the master, not silently.
  EXPECT_EQ(client_->Create("relative", {}).status().code(), Status::Code::kInvalidArgument);
  DfsClient::CreateOptions odd;
  odd.chunk_size = 1000;  // Not a multiple of 64 KiB.
  EXPECT_FALSE(client_->Create("/c/odd", odd).ok());
  EXPECT_TRUE(client_->Open("/c/missing").status().IsNotFound());
  EXPECT_FALSE(client_->Open("/c").ok());  // A directory.
}

TEST_F(DfsClientITest, NamespaceOperations) {
  ASSERT_TRUE(client_->Mkdirs("/n/a/b").ok());
  ASSERT_TRUE(WriteFile("/n/a/f", "hello").ok());
  Result<std::vector<DfsFileStatus>> list = client_->List("/n/a");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, "/n/a/b");
  EXPECT_TRUE((*list)[0].is_dir);
  EXPECT_EQ((*list)[1].path, "/n/a/f");
  EXPECT_EQ((*list)[1].length, 5);

  ASSERT_TRUE(client_->Rename("/n/a/f", "/n/g").ok());
  EXPECT_TRUE(client_->Stat("/n/a/f").status().IsNotFound());
  EXPECT_EQ(*ReadFile("/n/g"), "hello");
  EXPECT_TRUE(client_->Rename("/n/missing", "/n/h").IsNotFound());

  EXPECT_FALSE(client_->Delete("/n/a", /*recursive=*/false).ok());  // Not empty.
  ASSERT_TRUE(client_->Delete("/n/a", /*recursive=*/true).ok());
  EXPECT_TRUE(client_->Stat("/n/a/b").status().IsNotFound());
  ASSERT_TRUE(client_->Delete("/n/g", false).ok());
  EXPECT_TRUE(client_->Delete("/n/g", false).IsNotFound());
}

// The reader's first choice for chunk 0 is corrupted on disk: the read must
// return the right bytes from another replica, and the bad one must go.
TEST_F(DfsClientITest, ReadFailsOverFromACorruptReplica) {
  std::string data = RandomBytes(2 * kChunk + 100, 7);
  ASSERT_TRUE(WriteFile("/corrupt/f", data).ok());
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/corrupt/f");
  ASSERT_TRUE(reader.ok());
  const DfsChunk chunk = (*reader)->chunks()[0];
  ASSERT_GE(chunk.replicas.size(), 2u);
  const std::string bad_node = chunk.replicas[0].node_id;
  const std::string bad_file = cluster_.ChunkDataPath(bad_node, chunk);
  Result<std::string> stored = ReadFileToString(bad_file);
  ASSERT_TRUE(stored.ok()) << bad_file << ": " << stored.status().ToString();
  ASSERT_EQ(*stored, data.substr(0, kChunk));
  std::string corrupted = *stored;
  corrupted[12345] ^= 0x5a;
  {
    std::fstream f(bad_file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12345);
    f.put(corrupted[12345]);
    ASSERT_TRUE(f.good()) << bad_file;
  }
  ASSERT_EQ(*ReadFileToString(bad_file), corrupted);

  std::string all, part;
  while (true) {
    ASSERT_TRUE((*reader)->Read(1 << 20, &part).ok());
    if (part.empty()) break;
    all += part;
  }
  EXPECT_TRUE(all == data);

  // Reported to the master, which deletes that replica (and re-replicates,
  // possibly onto the same node again — then with the right bytes).
  EXPECT_TRUE(mr::testing::EventuallyNotHolding(bad_file, corrupted))
      << "the corrupt replica on " << bad_node << " is still there after 30 s";
}

// A datanode dies: reads fail over to the other replicas, and writes route
// around it while the master still believes it alive.
TEST_F(DfsClientITest, ReadsAndWritesSurviveADeadDatanode) {
  std::string data = RandomBytes(3 * kChunk + 1, 9);
  ASSERT_TRUE(WriteFile("/dead/f", data).ok());
  Result<std::unique_ptr<DfsFileReader>> reader = client_->Open("/dead/f");
  ASSERT_TRUE(reader.ok());
  const std::string victim = (*reader)->chunks()[0].replicas[0].node_id;
  ASSERT_TRUE(cluster_.KillNode(victim)) << victim;

  std::string all, part;
  while (true) {
    ASSERT_TRUE((*reader)->Read(300000, &part).ok());
    if (part.empty()) break;
    all += part;
  }
  EXPECT_TRUE(all == data);

  std::string more = RandomBytes(4 * kChunk, 10);
  Status written = WriteFile("/dead/g", more, 1 << 20);
  ASSERT_TRUE(written.ok()) << written.ToString();
  Result<std::string> back = ReadFile("/dead/g");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == more);
}

// A datanode dies in the middle of a chunk: the writer rewrites that chunk
// to the surviving datanodes, and the file is whole. Replication 4 on 4
// datanodes puts every node in every pipeline, so the kill always hits it.
TEST_F(DfsClientITest, WriteSurvivesADatanodeDyingMidChunk) {
  std::string data = RandomBytes(4 * kChunk, 11);
  DfsClient::CreateOptions options;
  options.replication = 4;
  Result<std::unique_ptr<DfsFileWriter>> writer = client_->Create("/midchunk", options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const size_t first = kChunk + kChunk / 2;
  ASSERT_TRUE((*writer)->Write(std::string_view(data).substr(0, first)).ok());
  ASSERT_TRUE(cluster_.KillNode("dn-1-1"));
  for (size_t at = first; at < data.size(); at += 65536) {
    Status s = (*writer)->Write(std::string_view(data).substr(at, 65536));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Status closed = (*writer)->Close();
  ASSERT_TRUE(closed.ok()) << closed.ToString();
  Result<std::string> back = ReadFile("/midchunk");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  Result<std::vector<DfsChunk>> chunks = client_->GetChunkLocations("/midchunk");
  ASSERT_TRUE(chunks.ok());
  for (size_t i = 1; i < chunks->size(); ++i) {
    for (const DfsReplica& r : (*chunks)[i].replicas) EXPECT_NE(r.node_id, "dn-1-1") << i;
  }
}

// ---- mrdfs --------------------------------------------------------------------

TEST_F(DfsClientITest, MrdfsPutGetCatRoundTrips) {
  for (int64_t size : kSizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string data = RandomBytes(size, 100 + size);
    std::string local = cluster_.Join("in-" + std::to_string(size));
    ASSERT_TRUE(WriteStringToFile(local, data, false).ok());
    std::string dfs_path = "/cli/f" + std::to_string(size);
    CommandResult put = Mrdfs("put " + Quote(local) + " " + dfs_path);
    ASSERT_EQ(put.exit_code, 0) << put.err;

    std::string out = cluster_.Join("out-" + std::to_string(size));
    CommandResult get = Mrdfs("get " + dfs_path + " " + Quote(out));
    ASSERT_EQ(get.exit_code, 0) << get.err;
    Result<std::string> got = ReadFileToString(out);
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(*got == data) << "get gave " << got->size() << " bytes";

    CommandResult cat = Mrdfs("cat " + dfs_path);
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    EXPECT_TRUE(cat.out == data) << "cat gave " << cat.out.size() << " bytes";
  }
  // put into a directory keeps the local name; get into a directory too.
  std::string local = cluster_.Join("named.txt");
  ASSERT_TRUE(WriteStringToFile(local, "named", false).ok());
  ASSERT_EQ(Mrdfs("mkdir /into").exit_code, 0);
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /into").exit_code, 0);
  EXPECT_EQ(Mrdfs("cat /into/named.txt").out, "named");
  ASSERT_TRUE(CreateDirs(cluster_.Join("outdir")).ok());
  ASSERT_EQ(Mrdfs("get /into/named.txt " + Quote(cluster_.Join("outdir"))).exit_code, 0);
  EXPECT_EQ(*ReadFileToString(cluster_.Join("outdir/named.txt")), "named");
}

TEST_F(DfsClientITest, MrdfsLsStatDuFsck) {
  std::string local = cluster_.Join("data");
  const int64_t size = 2 * kChunk + kChunk / 2;
  ASSERT_TRUE(WriteStringToFile(local, RandomBytes(size, 5), false).ok());
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /data/x").exit_code, 0);
  ASSERT_EQ(Mrdfs("mkdir /data/sub").exit_code, 0);
  ASSERT_EQ(Mrdfs("put --replication 2 " + Quote(local) + " /data/sub/y").exit_code, 0);

  CommandResult ls = Mrdfs("ls /data");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("/data/x"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(std::to_string(size)), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("d   -"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("/data/sub/y"), std::string::npos) << "ls is not recursive";

  CommandResult ls_json = Mrdfs("ls --json /data");
  ASSERT_EQ(ls_json.exit_code, 0) << ls_json.err;
  EXPECT_EQ(ls_json.out.rfind("{\"path\":\"/data\",\"entries\":[", 0), 0u) << ls_json.out;
  EXPECT_NE(ls_json.out.find("{\"path\":\"/data/sub\",\"type\":\"dir\""), std::string::npos);
  EXPECT_NE(ls_json.out.find("{\"path\":\"/data/x\",\"type\":\"file\",\"length\":" +
                             std::to_string(size) + ",\"replication\":3"),
            std::string::npos)
      << ls_json.out;

  CommandResult stat = Mrdfs("stat /data/x");
  ASSERT_EQ(stat.exit_code, 0) << stat.err;
  EXPECT_NE(stat.out.find("length: " + std::to_string(size)), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find("chunks: 3"), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find("rack /r1"), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find("rack /r2"), std::string::npos) << stat.out;

  CommandResult stat_json = Mrdfs("stat --json /data/x");
  ASSERT_EQ(stat_json.exit_code, 0) << stat_json.err;
  const std::string& sj = stat_json.out;
  size_t chunk_entries = 0;
  for (size_t at = sj.find("\"chunk_id\""); at != std::string::npos;
       at = sj.find("\"chunk_id\"", at + 1)) {
    ++chunk_entries;
  }
  EXPECT_EQ(chunk_entries, 3u) << sj;
  EXPECT_NE(sj.find("\"offset\":" + std::to_string(2 * kChunk) + ",\"length\":" +
                    std::to_string(kChunk / 2)),
            std::string::npos)
      << sj;
  EXPECT_NE(sj.find("\"rack\":\"/r1\""), std::string::npos);
  EXPECT_NE(sj.find("\"rack\":\"/r2\""), std::string::npos);
  EXPECT_NE(sj.find("\"node\":\"dn-"), std::string::npos) << sj;

  CommandResult du = Mrdfs("du --json /data");
  ASSERT_EQ(du.exit_code, 0) << du.err;
  EXPECT_NE(du.out.find("\"files\":2,\"directories\":2,\"bytes\":" + std::to_string(2 * size) +
                        ",\"raw_bytes\":" + std::to_string(5 * size)),
            std::string::npos)
      << du.out;
  CommandResult du_text = Mrdfs("du /data");
  char du_row[160];
  std::snprintf(du_row, sizeof(du_row), "%-14lld %-14lld %-8d %-8d /data\n",
                static_cast<long long>(2 * size), static_cast<long long>(5 * size), 2, 2);
  EXPECT_EQ(du_text.out, std::string("SIZE           RAW_SIZE       FILES    DIRS     PATH\n") +
                             du_row);

  CommandResult fsck = Mrdfs("fsck --json");
  ASSERT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  EXPECT_NE(fsck.out.find("\"status\":\"HEALTHY\""), std::string::npos) << fsck.out;
  EXPECT_NE(fsck.out.find("\"files\":2"), std::string::npos) << fsck.out;
  EXPECT_NE(fsck.out.find("\"chunks\":6,\"healthy\":6,\"corrupt\":0,\"under_replicated\":0,\"missing\":0"),
            std::string::npos)
      << fsck.out;
  CommandResult fsck_text = Mrdfs("fsck /data/sub");
  ASSERT_EQ(fsck_text.exit_code, 0);
  EXPECT_NE(fsck_text.out.find("status: HEALTHY"), std::string::npos) << fsck_text.out;
  EXPECT_NE(fsck_text.out.find("chunks: 3"), std::string::npos) << fsck_text.out;
}

// The permission verbs and ls -l, as the cluster's own user (a superuser:
// the cluster runs without keys here, docs/DFS.md "Permissions").
TEST_F(DfsClientITest, MrdfsChmodChownChgrpAndLsL) {
  const std::string me = security::ProcessUserName();
  std::string local = cluster_.Join("perm");
  ASSERT_TRUE(WriteStringToFile(local, "hello", false).ok());
  ASSERT_EQ(Mrdfs("mkdir /p").exit_code, 0);
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /p/f").exit_code, 0);
  auto f = client_->Stat("/p/f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->owner, me);
  EXPECT_EQ(f->group, "supergroup");
  EXPECT_EQ(f->mode, 0644);
  EXPECT_EQ(client_->Stat("/p")->mode, 0755);

  ASSERT_EQ(Mrdfs("chmod 640 /p/f").exit_code, 0);
  CommandResult ls = Mrdfs("ls -l /p");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.rfind("-rw-r-----   3 " + me + " supergroup          5 ", 0), 0u) << ls.out;
  EXPECT_NE(ls.out.find(" /p/f\n"), std::string::npos) << ls.out;
  CommandResult root = Mrdfs("ls -l /");
  EXPECT_NE(root.out.find("drwxrwxrwt   - " + me), std::string::npos) << root.out;
  EXPECT_NE(root.out.find(" /tmp\n"), std::string::npos) << root.out;

  ASSERT_EQ(Mrdfs("chown alice:staff /p/f").exit_code, 0);
  EXPECT_EQ(client_->Stat("/p/f")->owner, "alice");
  EXPECT_EQ(client_->Stat("/p/f")->group, "staff");
  ASSERT_EQ(Mrdfs("chgrp -R audit /p").exit_code, 0);
  ASSERT_EQ(Mrdfs("chmod -R 1700 /p").exit_code, 0);
  for (const char* path : {"/p", "/p/f"}) {
    EXPECT_EQ(client_->Stat(path)->group, "audit") << path;
    EXPECT_EQ(client_->Stat(path)->mode, 01700) << path;
  }
  ASSERT_EQ(Mrdfs("chown -R bob /p").exit_code, 0);
  EXPECT_EQ(client_->Stat("/p")->owner, "bob");
  EXPECT_EQ(client_->Stat("/p/f")->group, "audit");

  CommandResult stat = Mrdfs("stat /p/f");
  EXPECT_NE(stat.out.find("permission: -rwx-----T (1700)\nowner: bob\ngroup: audit\n"),
            std::string::npos)
      << stat.out;
  CommandResult json = Mrdfs("ls --json /p");
  EXPECT_NE(json.out.find("\"owner\":\"bob\",\"group\":\"audit\",\"mode\":\"1700\""),
            std::string::npos)
      << json.out;
  CommandResult who = Mrdfs("whoami");
  EXPECT_EQ(who.exit_code, 0);
  EXPECT_NE(who.out.find("user: " + me + "\n"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("superuser: yes"), std::string::npos) << who.out;

  // The umask: a flag of every DFS client.
  ASSERT_EQ(Mrdfs("--dfs_umask 077 mkdir /private/deeper").exit_code, 0);
  EXPECT_EQ(client_->Stat("/private/deeper")->mode, 0700);
  EXPECT_EQ(client_->Stat("/private")->mode, 0700);
  ASSERT_EQ(Mrdfs("--dfs_umask 027 put " + Quote(local) + " /private/g").exit_code, 0);
  EXPECT_EQ(client_->Stat("/private/g")->mode, 0640);

  // Usage errors exit 2, failures 1, each with one line.
  for (const char* bad : {"chmod u+x /p", "chmod 755", "chown a:b:c /p", "chgrp -r x /p",
                          "ls -R /p"}) {
    CommandResult r = Mrdfs(bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
  }
  CommandResult missing = Mrdfs("chmod 700 /nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
}

// Kill a datanode and wait past the master's heartbeat timeout: fsck shows
// under-replicated chunks (or healthy ones if re-replication already caught up).
TEST_F(DfsClientITest, MrdfsFsckSeesLostReplicas) {
  std::string local = cluster_.Join("data");
  ASSERT_TRUE(WriteStringToFile(local, RandomBytes(4 * kChunk, 6), false).ok());
  // Replication 4 on 4 nodes: after a node dies no placement can heal it.
  ASSERT_EQ(Mrdfs("put --replication 4 " + Quote(local) + " /f").exit_code, 0);
  Result<std::vector<DfsChunk>> chunks = client_->GetChunkLocations("/f");
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 4u);
  ASSERT_TRUE(cluster_.KillNode((*chunks)[0].replicas[0].node_id));
  CommandResult fsck;
  for (int i = 0; i < 200; ++i) {
    fsck = Mrdfs("fsck --json /f");
    if (fsck.out.find("\"under_replicated\":0") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(fsck.exit_code, 0) << fsck.err;
  EXPECT_NE(fsck.out.find("\"status\":\"UNDER_REPLICATED\""), std::string::npos) << fsck.out;
  EXPECT_NE(fsck.out.find("\"missing\":0"), std::string::npos) << fsck.out;
  EXPECT_NE(fsck.out.find("\"live_replicas\":3,\"replication\":4,\"corrupt_replicas\":0,"
                          "\"state\":\"under_replicated\""),
            std::string::npos)
      << fsck.out;
  CommandResult text = Mrdfs("fsck /f");
  EXPECT_NE(text.out.find("under_replicated, 3 of 4 replicas live, 0 corrupt"), std::string::npos)
      << text.out;
}

TEST_F(DfsClientITest, MrdfsNamespaceVerbs) {
  ASSERT_EQ(Mrdfs("mkdir /m/a/b").exit_code, 0);
  std::string local = cluster_.Join("small");
  ASSERT_TRUE(WriteStringToFile(local, "abc", false).ok());
  ASSERT_EQ(Mrdfs("put " + Quote(local) + " /m/a/f").exit_code, 0);
  ASSERT_EQ(Mrdfs("mv /m/a/f /m/g").exit_code, 0);
  EXPECT_EQ(Mrdfs("cat /m/g").out, "abc");
  EXPECT_EQ(Mrdfs("cat /m/a/f").exit_code, 1);
  ASSERT_EQ(Mrdfs("mv /m/g /m/a/b").exit_code, 0);  // Into a directory.
  EXPECT_EQ(Mrdfs("cat /m/a/b/g").out, "abc");

  CommandResult rm_dir = Mrdfs("rm /m/a");
  EXPECT_EQ(rm_dir.exit_code, 1) << "a non-empty directory needs -r";
  EXPECT_NE(rm_dir.err.find("non-empty"), std::string::npos) << rm_dir.err;
  ASSERT_EQ(Mrdfs("rm -r /m/a").exit_code, 0);
  EXPECT_EQ(Mrdfs("stat /m/a").exit_code, 1);
  EXPECT_EQ(Mrdfs("ls /m").out, "");
  EXPECT_EQ(Mrdfs("rm /m/a").exit_code, 1);  // Gone already.
}

TEST_F(DfsClientITest, MrdfsErrorsAndExitCodes) {
  // A missing file: exit 1, one clear line.
  std::string out = cluster_.Join("out");
  CommandResult missing = Mrdfs("get /no/such " + Quote(out));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "mrdfs: get: Not found: /no/such\n");
  EXPECT_FALSE(PathExists(out));
  EXPECT_EQ(Mrdfs("cat /no/such").exit_code, 1);
  EXPECT_EQ(Mrdfs("stat /no/such").exit_code, 1);
  EXPECT_EQ(Mrdfs("put " + Quote(cluster_.Join("no-local")) + " /x").exit_code, 1);

  // put onto an existing file: 1 unless -f.
  std::string one = cluster_.Join("one"), two = cluster_.Join("two");
  ASSERT_TRUE(WriteStringToFile(one, "one", false).ok());
  ASSERT_TRUE(WriteStringToFile(two, "two-two", false).ok());
  ASSERT_EQ(Mrdfs("put " + Quote(one) + " /p").exit_code, 0);
  CommandResult exists = Mrdfs("put " + Quote(two) + " /p");
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_NE(exists.err.find("exists"), std::string::npos) << exists.err;
  EXPECT_EQ(Mrdfs("cat /p").out, "one");
  ASSERT_EQ(Mrdfs("put -f " + Quote(two) + " /p").exit_code, 0);
  EXPECT_EQ(Mrdfs("cat /p").out, "two-two");

  // get onto an existing local file: 1 unless -f; no temp file left behind.
  std::string dest_dir = cluster_.Join("dest");
  ASSERT_TRUE(CreateDirs(dest_dir).ok());
  std::string dest = JoinPath(dest_dir, "file");
  ASSERT_TRUE(WriteStringToFile(dest, "old", false).ok());
  EXPECT_EQ(Mrdfs("get /p " + Quote(dest)).exit_code, 1);
  EXPECT_EQ(*ReadFileToString(dest), "old");
  ASSERT_EQ(Mrdfs("get -f /p " + Quote(dest)).exit_code, 0);
  EXPECT_EQ(*ReadFileToString(dest), "two-two");
  EXPECT_EQ(Mrdfs("get /no/such " + Quote(JoinPath(dest_dir, "other"))).exit_code, 1);
  EXPECT_EQ(mr::testing::ListDir(dest_dir), std::vector<std::string>{"file"});

  // Usage errors: 2.
  for (const std::string& args :
       {std::string("stat relative/path"), std::string("ls /a/../b"), std::string("rm /a//b"),
        std::string("mkdir /a/"), "stat /" + std::string(300, 'x'), std::string("frobnicate /"),
        std::string("put only-one"), std::string("cat"), std::string("cat -f /p"),
        std::string("put --json " + Quote(one) + " /q"), std::string("--no_such_flag ls")}) {
    CommandResult r = Mrdfs(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  CommandResult no_cluster = RunCommand(Quote(BinPath("mrdfs")) + " ls /", 30);
  EXPECT_EQ(no_cluster.exit_code, 2) << no_cluster.err;
}

TEST_F(DfsClientITest, MrdfsUnreachableMasterIsAFailure) {
  // Take the cluster down; the same cluster.conf now names a dead master.
  cluster_.Down();
  CommandResult r = Mrdfs("ls /");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("Unavailable"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mr::dfs

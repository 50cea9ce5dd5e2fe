// Permissions through the master's RPC handler (MasterService), with the
// caller set as the RPC server sets it (security::ScopedIdentity): a fresh
// namespace's layout; ordinary users alice and bob (not on this host: their
// groups come from the test) refused what HDFS refuses — reading bob's
// private file, deleting or replacing his entries in /tmp, writing into his
// directory, writing to his open file with his client name, renewing his
// lease, chmod/chown of what they do not own, the datanodes' calls — with
// nothing changed; umasks and modes of new files; and every permission kept
// across a restart, from the log and from a checkpoint.
#include <map>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "dfs/master/master_client.h"
#include "dfs/master/master_server.h"
#include "rpc/status_codes.h"
#include "security/identity.h"
#include "test_util.h"

namespace mr::dfs {
namespace {

constexpr int64_t kChunkSize = 1 << 20;

security::Identity User(const std::string& name) { return {name, /*superuser=*/false, ""}; }

// Runs fn; the Status of the DfsError it throws, if any (what a client gets).
template <typename Fn>
Status Call(Fn&& fn) {
  try {
    fn();
    return Status::OK();
  } catch (const wire::DfsError& e) {
    return rpc::StatusFromCode(e.code, e.message);
  }
}

bool Refused(const Status& s) { return s.IsPermissionDenied(); }

class MasterPermissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gflags::SetCommandLineOption("dfs_master_startup_grace_ms", "0");
    Start();
  }

  void Start(int64_t checkpoint_every_ops = 10000) {
    MasterServer::Options options = MasterServer::Options::FromFlags();
    options.dir = dir_.Join("meta");
    options.checkpoint_every_ops = checkpoint_every_ops;
    options.service.groups_of = [](const std::string& user) {
      static const std::map<std::string, std::vector<std::string>> groups = {
          {"alice", {"alice", "staff"}}, {"bob", {"bob", "staff", "audit"}}, {"eve", {"eve"}}};
      auto it = groups.find(user);
      return it == groups.end() ? std::vector<std::string>() : it->second;
    };
    auto server = MasterServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    service_ = server_->service();
    // Datanodes (the test thread is the process's user: a superuser).
    int port = 9001;
    for (const char* id : {"a1", "a2", "b1"}) {
      wire::DatanodeInfo info;
      info.id = id;
      info.host = std::string("host-") + id;
      info.data_port = port++;
      info.rack = id[0] == 'a' ? "/r1" : "/r2";
      service_->RegisterDatanode(info);
      std::vector<wire::DatanodeCommand> commands;
      service_->Heartbeat(commands, id, int64_t{1} << 40, 0, 0, {});
    }
  }

  void Restart(int64_t checkpoint_every_ops = 10000) {
    server_.reset();
    Start(checkpoint_every_ops);
  }

  wire::FileStatus Stat(const std::string& path) {
    wire::FileStatus out;
    service_->Stat(out, path);
    return out;
  }

  // As `user` (its identity set as the RPC server would), writes a closed
  // one-chunk file with `mode` (umask 022).
  void WriteFile(const std::string& user, const std::string& path, int32_t mode) {
    std::string client = "client-" + user;
    {
      security::ScopedIdentity as(User(user));
      wire::FileStatus created;
      service_->Create(created, path, 2, kChunkSize, client, "host-a1", 022, mode);
      wire::LocatedChunk chunk;
      service_->AddChunk(chunk, path, client, {}, 0);
      wire::ChunkReplicaInfo replica;
      replica.chunk_id = chunk.chunk_id;
      replica.generation = chunk.generation;
      replica.length = 100;
      security::ScopedIdentity datanode({"dn", /*superuser=*/true, ""});
      for (const wire::DatanodeInfo& d : chunk.replicas) service_->ChunkReceived(d.id, replica);
    }
    security::ScopedIdentity as(User(user));
    ASSERT_TRUE(service_->Complete(path, client, 100)) << path;
  }

  testing::ScopedTempDir dir_;
  std::unique_ptr<MasterServer> server_;
  MasterService* service_ = nullptr;
};

TEST_F(MasterPermissionTest, ANewNamespaceHasTmpUserAndStaging) {
  const std::string superuser = security::ProcessUserName();
  wire::FileStatus root = Stat("/");
  EXPECT_EQ(root.owner, superuser);
  EXPECT_EQ(root.group, "supergroup");
  EXPECT_EQ(root.mode, 0755);
  EXPECT_EQ(Stat("/tmp").mode, 01777);
  EXPECT_EQ(Stat("/user").mode, 0755);
  EXPECT_EQ(Stat("/.staging").mode, 01777);
  EXPECT_EQ(Stat("/tmp").owner, superuser);
  // Formatted once: a restart finds the same, from checkpoint 0.
  {
    security::ScopedIdentity alice(User("alice"));
    service_->Mkdirs("/tmp/mine", 022, -1);
  }
  Restart();
  EXPECT_EQ(Stat("/tmp").mode, 01777);
  EXPECT_EQ(Stat("/tmp/mine").owner, "alice");
}

TEST_F(MasterPermissionTest, NewInodesGetTheCallerTheParentsGroupAndTheUmask) {
  security::ScopedIdentity alice(User("alice"));
  service_->Mkdirs("/tmp/a/b", 077, -1);
  EXPECT_EQ(Stat("/tmp/a/b").mode, 0700);
  EXPECT_EQ(Stat("/tmp/a").mode, 0700);  // 0777 less 077, plus u+wx.
  EXPECT_EQ(Stat("/tmp/a").owner, "alice");
  EXPECT_EQ(Stat("/tmp/a").group, "supergroup");  // /tmp's.
  service_->Mkdirs("/tmp/c", -1, -1);  // An old client: umask 022.
  EXPECT_EQ(Stat("/tmp/c").mode, 0755);
  service_->Mkdirs("/tmp/s", 022, 01777);
  EXPECT_EQ(Stat("/tmp/s").mode, 01755);
  wire::FileStatus file;
  service_->Create(file, "/tmp/d/e/f", 2, kChunkSize, "client-alice", "h", 027, -1);
  EXPECT_EQ(file.mode, 0640);
  EXPECT_EQ(file.owner, "alice");
  EXPECT_EQ(Stat("/tmp/d").mode, 0750);
  service_->Create(file, "/tmp/g", 2, kChunkSize, "client-alice", "h", 0, 0600);
  EXPECT_EQ(file.mode, 0600);
  EXPECT_TRUE(Call([&] { service_->Mkdirs("/tmp/x", 01000, -1); }).IsInvalidArgument());
  EXPECT_TRUE(Call([&] { service_->Mkdirs("/tmp/x", 022, 02000); }).IsInvalidArgument());
}

TEST_F(MasterPermissionTest, AliceCannotReadReplaceOrDeleteBobsPrivateFile) {
  WriteFile("bob", "/tmp/bob.txt", 0600);
  EXPECT_EQ(Stat("/tmp/bob.txt").owner, "bob");
  EXPECT_EQ(Stat("/tmp/bob.txt").mode, 0600);
  security::ScopedIdentity alice(User("alice"));
  std::vector<wire::LocatedChunk> located;
  Status read = Call([&] { service_->GetChunkLocations(located, "/tmp/bob.txt", 0, 100, false); });
  EXPECT_TRUE(Refused(read)) << read.ToString();
  EXPECT_NE(read.message().find("user=alice, access=READ, inode=\"/tmp/bob.txt\":bob:"
                                "supergroup:-rw-------"),
            std::string::npos)
      << read.ToString();
  EXPECT_TRUE(Refused(Call([&] { service_->Delete("/tmp/bob.txt", false); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Rename("/tmp/bob.txt", "/tmp/mine.txt", false); })));
  // Nor replace it with a file of hers (put -f), though /tmp is writable.
  WriteFile("alice", "/tmp/alice.txt", -1);
  EXPECT_TRUE(Refused(Call([&] { service_->Rename("/tmp/alice.txt", "/tmp/bob.txt", true); })));
  EXPECT_TRUE(Refused(Call([&] { service_->SetPermission("/tmp/bob.txt", 0644); })));
  EXPECT_TRUE(Refused(Call([&] { service_->SetOwner("/tmp/bob.txt", "alice", ""); })));
  // Nothing changed; bob can do it all.
  security::ScopedIdentity bob(User("bob"));
  EXPECT_EQ(Stat("/tmp/bob.txt").mode, 0600);
  EXPECT_EQ(Stat("/tmp/bob.txt").length, 100);
  service_->GetChunkLocations(located, "/tmp/bob.txt", 0, 100, false);
  EXPECT_EQ(located.size(), 1u);
  service_->Rename("/tmp/bob.txt", "/tmp/bob2.txt", false);
  service_->Delete("/tmp/bob2.txt", false);
  EXPECT_GE(service_->permission_denials(), 6);
}

TEST_F(MasterPermissionTest, AliceCannotWriteIntoBobsDirectory) {
  service_->Mkdirs("/user/bob", -1, -1);  // As a superuser makes a home directory.
  service_->SetOwner("/user/bob", "bob", "bob");
  WriteFile("bob", "/user/bob/data", -1);
  security::ScopedIdentity alice(User("alice"));
  wire::FileStatus file;
  EXPECT_TRUE(Refused(Call([&] {
    service_->Create(file, "/user/bob/evil", 2, kChunkSize, "client-alice", "h", 022, -1);
  })));
  EXPECT_TRUE(Refused(Call([&] { service_->Mkdirs("/user/bob/sub", 022, -1); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Delete("/user/bob/data", false); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Delete("/user/bob", true); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Rename("/user/bob/data", "/tmp/data", false); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Mkdirs("/user/alice", 022, -1); })));  // /user is root's.
  // She may read what is 0644 in 0755, and list it.
  std::vector<wire::FileStatus> entries;
  service_->List(entries, "/user/bob");
  EXPECT_EQ(entries.size(), 1u);
  std::vector<wire::LocatedChunk> located;
  service_->GetChunkLocations(located, "/user/bob/data", 0, 100, false);
  // Until bob closes his directory.
  {
    security::ScopedIdentity bob(User("bob"));
    service_->SetPermission("/user/bob", 0700);
  }
  EXPECT_TRUE(Refused(Call([&] { service_->List(entries, "/user/bob"); })));
  wire::FileStatus status;
  EXPECT_TRUE(Refused(Call([&] { service_->Stat(status, "/user/bob/data"); })));
  security::ScopedIdentity root({security::ProcessUserName(), true, ""});
  service_->Stat(status, "/user/bob/data");
  EXPECT_EQ(status.owner, "bob");
}

TEST_F(MasterPermissionTest, OnlyTheOwnerWritesAnOpenFileWhateverClientNameIsUsed) {
  wire::FileStatus file;
  {
    security::ScopedIdentity bob(User("bob"));
    service_->Create(file, "/tmp/open", 2, kChunkSize, "client-bob", "h", 022, -1);
  }
  security::ScopedIdentity alice(User("alice"));
  wire::LocatedChunk chunk;
  EXPECT_TRUE(Refused(Call([&] { service_->AddChunk(chunk, "/tmp/open", "client-bob", {}, 0); })));
  EXPECT_TRUE(Refused(Call([&] { service_->Complete("/tmp/open", "client-bob", 0); })));
  EXPECT_TRUE(Refused(Call([&] { service_->AbandonChunk("/tmp/open", "client-bob", 1); })));
  EXPECT_TRUE(Refused(Call([&] { service_->BumpChunkGeneration("/tmp/open", "client-bob", 1); })));
  EXPECT_TRUE(Refused(Call([&] { service_->RenewLease("client-bob"); })));
  // Nor take over the client name for a file of hers.
  EXPECT_TRUE(Refused(Call([&] {
    service_->Create(file, "/tmp/hers", 2, kChunkSize, "client-bob", "h", 022, -1);
  })));
  EXPECT_TRUE(Stat("/tmp/open").under_construction);
  // Her own client name, her own file: fine.
  service_->RenewLease("client-alice");
  service_->Create(file, "/tmp/hers", 2, kChunkSize, "client-alice", "h", 022, -1);
  service_->RenewLease("client-alice");
  security::ScopedIdentity bob(User("bob"));
  service_->RenewLease("client-bob");
  service_->AddChunk(chunk, "/tmp/open", "client-bob", {}, 0);
}

TEST_F(MasterPermissionTest, ChmodChownChgrpFollowHdfsRules) {
  WriteFile("bob", "/tmp/f", -1);
  security::ScopedIdentity bob(User("bob"));
  service_->SetPermission("/tmp/f", 0640);
  EXPECT_EQ(Stat("/tmp/f").mode, 0640);
  // The owner may give the file a group of his, not another, nor an owner.
  service_->SetOwner("/tmp/f", "", "audit");
  EXPECT_EQ(Stat("/tmp/f").group, "audit");
  Status s = Call([&] { service_->SetOwner("/tmp/f", "", "wheel"); });
  EXPECT_TRUE(Refused(s));
  EXPECT_NE(s.message().find("user=bob does not belong to group wheel"), std::string::npos);
  EXPECT_TRUE(Refused(Call([&] { service_->SetOwner("/tmp/f", "alice", ""); })));
  service_->SetOwner("/tmp/f", "bob", "staff");  // Naming himself is no change of owner.
  EXPECT_EQ(Stat("/tmp/f").group, "staff");
  EXPECT_FALSE(Call([&] { service_->SetPermission("/tmp/f", 02000); }).ok());
  EXPECT_FALSE(Call([&] { service_->SetOwner("/tmp/f", "", ""); }).ok());
  // A superuser may do anything, including give it away.
  security::ScopedIdentity root({security::ProcessUserName(), true, ""});
  service_->SetOwner("/tmp/f", "alice", "wheel");
  EXPECT_EQ(Stat("/tmp/f").owner, "alice");
  EXPECT_EQ(Stat("/tmp/f").group, "wheel");
  EXPECT_FALSE(Call([&] { service_->SetOwner("/tmp/f", "a:b", ""); }).ok());
  EXPECT_FALSE(Call([&] { service_->SetPermission("/nope", 0700); }).ok());
}

TEST_F(MasterPermissionTest, AFakeDatanodeIsRefused) {
  security::ScopedIdentity eve(User("eve"));
  wire::DatanodeInfo info;
  info.id = "evil";
  info.host = "127.0.0.1";
  info.data_port = 1;
  info.rack = "/r1";
  EXPECT_TRUE(Refused(Call([&] { service_->RegisterDatanode(info); })));
  std::vector<wire::DatanodeCommand> commands;
  EXPECT_TRUE(Refused(Call([&] { service_->Heartbeat(commands, "a1", 1 << 30, 0, 64, {}); })));
  EXPECT_TRUE(Refused(Call([&] { service_->ChunkReport("a1", {}); })));
  wire::ChunkReplicaInfo replica;
  replica.chunk_id = 1;
  replica.generation = 1;
  EXPECT_TRUE(Refused(Call([&] { service_->ChunkReceived("a1", replica); })));
  // Nothing changed: no new node, a1's replicas and load as they were.
  std::vector<wire::DatanodeStatus> nodes;
  service_->ListDatanodes(nodes);
  ASSERT_EQ(nodes.size(), 3u);
  for (const wire::DatanodeStatus& n : nodes) EXPECT_NE(n.active_transfers, 64) << n.info.id;
  wire::CallerInfo who;
  service_->WhoAmI(who);
  EXPECT_EQ(who.user, "eve");
  EXPECT_EQ(who.groups, std::vector<std::string>{"eve"});
  EXPECT_FALSE(who.superuser);
}

TEST_F(MasterPermissionTest, MembersOfTheSuperuserGroupAreSuperusers) {
  gflags::FlagSaver saver;
  gflags::SetCommandLineOption("dfs_permissions_superusergroup", "audit");
  security::ScopedIdentity bob(User("bob"));
  wire::CallerInfo who;
  service_->WhoAmI(who);
  EXPECT_TRUE(who.superuser);
  service_->Mkdirs("/anywhere", 022, -1);
  security::ScopedIdentity alice(User("alice"));
  EXPECT_TRUE(Refused(Call([&] { service_->Mkdirs("/elsewhere", 022, -1); })));
}

// MapReduce staging (scheduler/client/submit.cc): each submitter makes its
// job's directory under the sticky /.staging, 0700; nobody else may enter,
// remove or rename it; one made by someone else first is visibly theirs
// (submit refuses it) and cannot be taken over with chmod.
TEST_F(MasterPermissionTest, StagingIsSharedButEachJobsDirectoryIsPrivate) {
  {
    security::ScopedIdentity alice(User("alice"));
    service_->Mkdirs("/.staging/app_1", 022, 0700);
    WriteFile("alice", "/.staging/app_1/job", -1);
  }
  EXPECT_EQ(Stat("/.staging/app_1").owner, "alice");
  EXPECT_EQ(Stat("/.staging/app_1").mode, 0700);
  {
    security::ScopedIdentity bob(User("bob"));
    std::vector<wire::FileStatus> entries;
    EXPECT_TRUE(Refused(Call([&] { service_->List(entries, "/.staging/app_1"); })));
    EXPECT_TRUE(Refused(Call([&] { service_->Delete("/.staging/app_1", true); })));
    EXPECT_TRUE(Refused(Call([&] { service_->Rename("/.staging/app_1", "/.staging/x", false); })));
    EXPECT_TRUE(Refused(Call([&] { service_->Delete("/.staging/app_1/job", false); })));
    // Squatting the next app id: possible, but it stays bob's.
    service_->Mkdirs("/.staging/app_2", 0, 0777);
  }
  security::ScopedIdentity alice(User("alice"));
  service_->Mkdirs("/.staging/app_2", 022, 0700);  // mkdir -p: OK, and still bob's.
  EXPECT_EQ(Stat("/.staging/app_2").owner, "bob");
  EXPECT_TRUE(Refused(Call([&] { service_->SetPermission("/.staging/app_2", 0700); })));
  // The job's end: its AM, as alice, removes its directory.
  service_->Delete("/.staging/app_1", true);
}

TEST_F(MasterPermissionTest, PermissionsSurviveRestartFromTheLogAndFromACheckpoint) {
  WriteFile("bob", "/tmp/f", 0600);
  {
    security::ScopedIdentity bob(User("bob"));
    service_->Mkdirs("/tmp/d", 077, -1);
    service_->SetOwner("/tmp/f", "", "audit");
  }
  service_->SetPermission("/", 0711);
  service_->SetOwner("/user", "", "staff");
  auto expect_kept = [&](const char* when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(Stat("/tmp/f").owner, "bob");
    EXPECT_EQ(Stat("/tmp/f").group, "audit");
    EXPECT_EQ(Stat("/tmp/f").mode, 0600);
    EXPECT_EQ(Stat("/tmp/d").mode, 0700);
    EXPECT_EQ(Stat("/tmp/d").owner, "bob");
    EXPECT_EQ(Stat("/").mode, 0711);
    EXPECT_EQ(Stat("/user").group, "staff");
    security::ScopedIdentity alice(User("alice"));
    std::vector<wire::LocatedChunk> located;
    EXPECT_TRUE(Refused(Call([&] { service_->GetChunkLocations(located, "/tmp/f", 0, 1, false); })));
  };
  expect_kept("before");
  Restart();  // Replays the log.
  expect_kept("after a replay");
  Restart(/*checkpoint_every_ops=*/1);
  service_->Mkdirs("/tmp/more", -1, -1);  // Makes a checkpoint.
  Restart();
  expect_kept("after a checkpoint");
}

}  // namespace
}  // namespace mr::dfs

// The permission checker (permission.h, Namespace::CheckAccess), rule by
// rule, as HDFS's FSPermissionChecker: traverse, read, write on the parent
// or nearest ancestor, the sticky bit, sub-tree access for recursive
// deletes, ownership, the superuser; new inodes' owner, group and modes;
// chmod and chown; the refusal messages; permissions through a checkpoint
// and from images and records written before permissions.
#include <gtest/gtest.h>

#include "dfs/master/namespace.h"
#include "dfs/master/op_apply.h"
#include "dfs/master/permission.h"
#include "dfs_types.h"

namespace mr::dfs {
namespace {

constexpr auto kApply = MutationMode::kApply;

Caller User(const std::string& name, std::vector<std::string> groups = {}) {
  return Caller{name, std::move(groups), /*superuser=*/false};
}

AccessCheck Self(Access access) {
  AccessCheck check;
  check.self = access;
  return check;
}

AccessCheck Parent(Access access, bool sticky = false) {
  AccessCheck check;
  check.parent = access;
  check.sticky = sticky;
  return check;
}

AccessCheck Ancestor(Access access) {
  AccessCheck check;
  check.ancestor = access;
  return check;
}

TEST(PermissionTest, ModeStringsAsLsPrintsThem) {
  EXPECT_EQ(ModeString(true, 0755), "drwxr-xr-x");
  EXPECT_EQ(ModeString(false, 0640), "-rw-r-----");
  EXPECT_EQ(ModeString(true, 01777), "drwxrwxrwt");
  EXPECT_EQ(ModeString(true, 01770), "drwxrwx--T");
  EXPECT_EQ(ModeString(false, 0), "----------");
  EXPECT_EQ(OctalMode(0755), "0755");
  EXPECT_EQ(OctalMode(01777), "1777");
}

TEST(PermissionTest, ParsesOctalModesOnly) {
  EXPECT_EQ(*ParseOctalMode("755"), 0755);
  EXPECT_EQ(*ParseOctalMode("0640"), 0640);
  EXPECT_EQ(*ParseOctalMode("1777"), 01777);
  EXPECT_EQ(*ParseOctalMode("0"), 0);
  for (const char* bad : {"", "8", "2000", "u+x", "rwx", "-1", "0x1ff", "000000", "7777"}) {
    EXPECT_TRUE(ParseOctalMode(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(PermissionTest, OwnerAndGroupNames) {
  for (const char* ok : {"alice", "hdfs", "Domain.Users", "svc-1", "a$"}) {
    EXPECT_TRUE(ValidateOwnerName(ok).ok()) << ok;
  }
  for (std::string bad : {std::string(), std::string("a:b"), std::string("a b"),
                          std::string("a/b"), std::string(65, 'x'), std::string("tab\t"),
                          std::string("\xc3\xa9")}) {
    EXPECT_TRUE(ValidateOwnerName(bad).IsInvalidArgument()) << bad;
  }
}

TEST(PermissionTest, TheFirstMatchingClassDecides) {
  Permission p{"bob", "staff", 0074};  // The owner may do nothing; group and others may.
  EXPECT_FALSE(ModePermits(User("bob", {"staff"}), p, Access::kRead));
  EXPECT_TRUE(ModePermits(User("alice", {"staff"}), p, Access::kAll));
  EXPECT_TRUE(ModePermits(User("carol"), p, Access::kRead));
  EXPECT_FALSE(ModePermits(User("carol"), p, Access::kWrite));
  // Every bit asked for must be granted.
  EXPECT_FALSE(ModePermits(User("carol"), Permission{"bob", "staff", 0004},
                           Access::kReadExecute));
}

// A namespace as a cluster would have it: /tmp 1777, /home (root), bob's
// home 0755 with a private file, a group-shared file and an open file.
class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Mkdir("/tmp", "root", 01777);
    Mkdir("/home", "root", 0755);
    Mkdir("/home/bob", "bob", 0755);
    ASSERT_TRUE(ns_.SetOwner("/home/bob", "", "staff", kApply).ok());
    File("/home/bob/private", "bob", 0600);
    File("/home/bob/shared", "bob", 0640);
    File("/tmp/bobs", "bob", 0644);
    File("/tmp/alices", "alice", 0644);
  }

  void Mkdir(const std::string& path, const std::string& owner, int32_t mode) {
    NewInodeAttributes a;
    a.owner = owner;
    a.mode = mode;
    ASSERT_TRUE(ns_.Mkdirs(path, 1, kApply, a).ok()) << path;
  }

  void File(const std::string& path, const std::string& owner, int32_t mode) {
    NewInodeAttributes a;
    a.owner = owner;
    a.mode = mode;
    ASSERT_TRUE(ns_.Create(path, 3, 1 << 20, "c-" + owner, 1, kApply, a).ok()) << path;
  }

  Status Check(const Caller& caller, const std::string& path, const AccessCheck& check) {
    return ns_.CheckAccess(caller, path, check);
  }

  Namespace ns_{"root", "supergroup"};
  Caller alice_ = User("alice", {"alice"});
  Caller bob_ = User("bob", {"bob", "staff"});
  Caller staff_ = User("carol", {"staff"});
  Caller root_{"root", {}, /*superuser=*/true};
};

TEST_F(CheckerTest, NewInodesBelongToTheirCreatorWithTheParentsGroup) {
  auto file = ns_.Stat("/home/bob/private");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->permission, (Permission{"bob", "staff", 0600}));
  auto tmp = ns_.Stat("/tmp");
  EXPECT_EQ(tmp->permission, (Permission{"root", "supergroup", 01777}));
  EXPECT_EQ(ns_.RootPermission(), (Permission{"root", "supergroup", 0755}));
  // Missing parents: parent_mode, the creator, the nearest directory's group.
  NewInodeAttributes a;
  a.owner = "bob";
  a.mode = 0700;
  a.parent_mode = 0751;
  ASSERT_TRUE(ns_.Mkdirs("/home/bob/a/b/c", 2, kApply, a).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/a")->permission, (Permission{"bob", "staff", 0751}));
  EXPECT_EQ(ns_.Stat("/home/bob/a/b")->permission, (Permission{"bob", "staff", 0751}));
  EXPECT_EQ(ns_.Stat("/home/bob/a/b/c")->permission, (Permission{"bob", "staff", 0700}));
  ASSERT_TRUE(ns_.Create("/home/bob/x/y", 3, 1 << 20, "c", 2, kApply, a).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/x")->permission.mode, 0751);
  EXPECT_EQ(ns_.Stat("/home/bob/x/y")->permission, (Permission{"bob", "staff", 0700}));
  // mkdir -p of an existing directory changes nothing.
  a.mode = 0777;
  ASSERT_TRUE(ns_.Mkdirs("/home/bob/a/b/c", 3, kApply, a).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/a/b/c")->permission.mode, 0700);
  // Defaults: the superuser, 0755 and 0644.
  ASSERT_TRUE(ns_.Mkdirs("/d", 1, kApply).ok());
  ASSERT_TRUE(ns_.Create("/d/f", 3, 1 << 20, "c", 1, kApply).ok());
  EXPECT_EQ(ns_.Stat("/d")->permission, (Permission{"root", "supergroup", 0755}));
  EXPECT_EQ(ns_.Stat("/d/f")->permission, (Permission{"root", "supergroup", 0644}));
  a.mode = 02000;
  EXPECT_TRUE(ns_.Mkdirs("/e", 1, kApply, a).IsInvalidArgument());
}

TEST_F(CheckerTest, TraverseNeedsExecuteOnEveryAncestor) {
  EXPECT_TRUE(Check(alice_, "/home/bob/shared", {}).ok());
  ASSERT_TRUE(ns_.SetPermission("/home/bob", 0750, kApply).ok());
  Status s = Check(alice_, "/home/bob/shared", {});
  EXPECT_TRUE(s.IsPermissionDenied());
  EXPECT_EQ(s.ToString(),
            "Permission denied: user=alice, access=EXECUTE, inode=\"/home/bob\":bob:staff:"
            "drwxr-x---");
  // Also for a path below that does not exist, and for the directory's own
  // entries; the group may pass.
  EXPECT_TRUE(Check(alice_, "/home/bob/none/deeper", {}).IsPermissionDenied());
  EXPECT_TRUE(Check(staff_, "/home/bob/shared", {}).ok());
  // The directory itself is reached through /home only.
  EXPECT_TRUE(Check(alice_, "/home/bob", {}).ok());
  ASSERT_TRUE(ns_.SetPermission("/", 0700, kApply).ok());
  EXPECT_TRUE(Check(alice_, "/tmp", {}).IsPermissionDenied());
  EXPECT_TRUE(Check(alice_, "/", {}).ok());  // "/" has no ancestor.
}

TEST_F(CheckerTest, ReadingAFileNeedsRead) {
  Status s = Check(alice_, "/home/bob/private", Self(Access::kRead));
  EXPECT_EQ(s.ToString(),
            "Permission denied: user=alice, access=READ, inode=\"/home/bob/private\":bob:staff:"
            "-rw-------");
  EXPECT_TRUE(Check(bob_, "/home/bob/private", Self(Access::kRead)).ok());
  EXPECT_TRUE(Check(staff_, "/home/bob/shared", Self(Access::kRead)).ok());
  EXPECT_TRUE(Check(alice_, "/home/bob/shared", Self(Access::kRead)).IsPermissionDenied());
  EXPECT_TRUE(Check(staff_, "/home/bob/private", Self(Access::kRead)).IsPermissionDenied());
  // Listing a directory needs READ_EXECUTE on it.
  ASSERT_TRUE(ns_.SetPermission("/home/bob", 0711, kApply).ok());
  EXPECT_TRUE(Check(alice_, "/home/bob", Self(Access::kReadExecute)).IsPermissionDenied());
  EXPECT_TRUE(Check(alice_, "/home/bob/shared", {}).ok());  // Traverse is enough for stat.
  // A missing inode is the op's to report.
  EXPECT_TRUE(Check(alice_, "/home/bob/missing", Self(Access::kRead)).ok());
}

TEST_F(CheckerTest, CreatingNeedsWriteOnTheNearestExistingAncestor) {
  Status s = Check(alice_, "/home/bob/new", Ancestor(Access::kWrite));
  EXPECT_EQ(s.ToString(),
            "Permission denied: user=alice, access=WRITE, inode=\"/home/bob\":bob:staff:"
            "drwxr-xr-x");
  EXPECT_TRUE(Check(alice_, "/home/bob/a/b/c", Ancestor(Access::kWrite)).IsPermissionDenied());
  EXPECT_TRUE(Check(bob_, "/home/bob/a/b/c", Ancestor(Access::kWrite)).ok());
  EXPECT_TRUE(Check(alice_, "/tmp/a/b/c", Ancestor(Access::kWrite)).ok());
  EXPECT_TRUE(Check(alice_, "/newtop", Ancestor(Access::kWrite)).IsPermissionDenied());
  // Under a file: nothing to check, the op fails on its own.
  EXPECT_TRUE(Check(alice_, "/tmp/alices/x", Ancestor(Access::kWrite)).ok());
}

TEST_F(CheckerTest, DeletingNeedsWriteOnTheParent) {
  EXPECT_TRUE(Check(alice_, "/home/bob/private", Parent(Access::kWrite)).IsPermissionDenied());
  EXPECT_TRUE(Check(bob_, "/home/bob/private", Parent(Access::kWrite)).ok());
  // The file's own mode does not matter (POSIX): bob may delete his 0000 file.
  ASSERT_TRUE(ns_.SetPermission("/home/bob/private", 0, kApply).ok());
  EXPECT_TRUE(Check(bob_, "/home/bob/private", Parent(Access::kWrite, true)).ok());
}

TEST_F(CheckerTest, TheStickyBitKeepsOthersEntries) {
  Status s = Check(alice_, "/tmp/bobs", Parent(Access::kWrite, /*sticky=*/true));
  EXPECT_TRUE(s.IsPermissionDenied());
  EXPECT_EQ(s.ToString(),
            "Permission denied: by sticky bit: user=alice, path=\"/tmp/bobs\":bob:supergroup:"
            "-rw-r--r--, parent=\"/tmp\":root:supergroup:drwxrwxrwt");
  EXPECT_TRUE(Check(alice_, "/tmp/alices", Parent(Access::kWrite, true)).ok());
  EXPECT_TRUE(Check(bob_, "/tmp/bobs", Parent(Access::kWrite, true)).ok());
  // The directory's owner may remove any entry.
  Mkdir("/tmp/carols", "carol", 01777);
  File("/tmp/carols/a", "alice", 0644);
  EXPECT_TRUE(Check(staff_, "/tmp/carols/a", Parent(Access::kWrite, true)).ok());
  EXPECT_TRUE(Check(bob_, "/tmp/carols/a", Parent(Access::kWrite, true)).IsPermissionDenied());
  // Without the bit, write on the directory is enough.
  ASSERT_TRUE(ns_.SetPermission("/tmp", 0777, kApply).ok());
  EXPECT_TRUE(Check(alice_, "/tmp/bobs", Parent(Access::kWrite, true)).ok());
}

TEST_F(CheckerTest, RemovingATreeNeedsAllOnEveryNonEmptyDirectoryInIt) {
  Mkdir("/tmp/a", "alice", 0755);
  Mkdir("/tmp/a/bobs", "bob", 0755);
  File("/tmp/a/bobs/f", "bob", 0644);
  Mkdir("/tmp/a/bobs-empty", "bob", 0755);
  AccessCheck remove_tree = Parent(Access::kWrite, true);
  remove_tree.sub = Access::kAll;
  Status s = Check(alice_, "/tmp/a", remove_tree);
  EXPECT_EQ(s.ToString(),
            "Permission denied: user=alice, access=ALL, inode=\"/tmp/a/bobs\":bob:supergroup:"
            "drwxr-xr-x");
  // An empty directory of someone else's is no obstacle (HDFS's
  // ignoreEmptyDir), and neither are files.
  EXPECT_TRUE(Check(alice_, "/tmp/a/bobs-empty", Parent(Access::kWrite)).ok());
  ASSERT_TRUE(ns_.SetPermission("/tmp/a/bobs", 0777, kApply).ok());
  EXPECT_TRUE(Check(alice_, "/tmp/a", remove_tree).ok());
  // The root of the tree is checked too.
  ASSERT_TRUE(ns_.SetPermission("/tmp/a", 0555, kApply).ok());
  EXPECT_TRUE(Check(alice_, "/tmp/a", remove_tree).IsPermissionDenied());
}

TEST_F(CheckerTest, OwnershipChecks) {
  AccessCheck owner;
  owner.owner = true;
  EXPECT_EQ(Check(alice_, "/home/bob/shared", owner).ToString(),
            "Permission denied: user=alice is not the owner of inode=\"/home/bob/shared\"");
  EXPECT_TRUE(Check(bob_, "/home/bob/shared", owner).ok());
}

TEST_F(CheckerTest, TheSuperuserPassesEverything) {
  ASSERT_TRUE(ns_.SetPermission("/", 0, kApply).ok());
  ASSERT_TRUE(ns_.SetPermission("/home/bob/private", 0, kApply).ok());
  AccessCheck everything;
  everything.ancestor = everything.parent = everything.self = everything.sub = Access::kAll;
  everything.owner = everything.sticky = true;
  EXPECT_TRUE(Check(root_, "/home/bob/private", everything).ok());
  EXPECT_TRUE(Check(root_, "/tmp/bobs", everything).ok());
  EXPECT_TRUE(Check(User("root"), "/tmp/bobs", Self(Access::kRead)).IsPermissionDenied())
      << "the name alone makes no superuser";
  EXPECT_TRUE(Check(root_, "/a//b", {}).IsInvalidArgument());
}

TEST_F(CheckerTest, ChmodAndChownChangeOnlyWhatTheyName) {
  ASSERT_TRUE(ns_.SetOwner("/home/bob/shared", "carol", "", kApply).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/shared")->permission, (Permission{"carol", "staff", 0640}));
  ASSERT_TRUE(ns_.SetOwner("/home/bob/shared", "", "audit", kApply).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/shared")->permission, (Permission{"carol", "audit", 0640}));
  ASSERT_TRUE(ns_.SetPermission("/home/bob/shared", 01600, kApply).ok());
  EXPECT_EQ(ns_.Stat("/home/bob/shared")->permission.mode, 01600);
  EXPECT_TRUE(ns_.SetPermission("/home/bob/shared", 02000, kApply).IsInvalidArgument());
  EXPECT_TRUE(ns_.SetPermission("/nope", 0700, kApply).IsNotFound());
  EXPECT_TRUE(ns_.SetOwner("/nope", "a", "", kApply).IsNotFound());
  // A rename keeps them.
  ASSERT_TRUE(ns_.Rename("/home/bob/shared", "/tmp/moved", false, 5, kApply).ok());
  EXPECT_EQ(ns_.Stat("/tmp/moved")->permission, (Permission{"carol", "audit", 01600}));
}

TEST_F(CheckerTest, ACheckpointKeepsEveryPermission) {
  ASSERT_TRUE(ns_.SetPermission("/", 0711, kApply).ok());
  ASSERT_TRUE(ns_.SetOwner("/", "admin", "wheel", kApply).ok());
  wire::NamespaceImage image;
  ns_.SaveImage(&image);
  Namespace loaded("other-superuser", "other-group");
  ASSERT_TRUE(loaded.LoadImage(image).ok());
  EXPECT_EQ(loaded.RootPermission(), (Permission{"admin", "wheel", 0711}));
  for (const char* path : {"/tmp", "/home/bob", "/home/bob/private", "/home/bob/shared",
                           "/tmp/bobs", "/tmp/alices"}) {
    EXPECT_EQ(loaded.Stat(path)->permission, ns_.Stat(path)->permission) << path;
  }
}

TEST(PermissionCompatibilityTest, ImagesFromBeforePermissionsGetTheDefaults) {
  // A version 2 image: no root record, no owner, group or mode.
  wire::NamespaceImage image;
  image.version = 2;
  for (auto [path, is_dir] : {std::pair{"/a", true}, {"/a/f", false}}) {
    wire::InodeRecord& r = image.inodes.emplace_back();
    r.path = path;
    r.is_dir = is_dir;
    r.replication = 3;
    r.chunk_size = 1 << 20;
  }
  Namespace ns("hdfs", "supergroup");
  ASSERT_TRUE(ns.LoadImage(image).ok());
  EXPECT_EQ(ns.RootPermission(), (Permission{"hdfs", "supergroup", 0755}));
  EXPECT_EQ(ns.Stat("/a")->permission, (Permission{"hdfs", "supergroup", 0755}));
  EXPECT_EQ(ns.Stat("/a/f")->permission, (Permission{"hdfs", "supergroup", 0644}));
  // A mode out of range is damage.
  image.inodes[1].__set_mode(07777);
  Namespace other("hdfs", "supergroup");
  EXPECT_TRUE(other.LoadImage(image).IsCorruption());
}

TEST(PermissionCompatibilityTest, RecordsFromBeforePermissionsGetTheDefaults) {
  Namespace ns("hdfs", "supergroup");
  ASSERT_TRUE(ns.SetOwner("/", "", "users", kApply).ok());
  wire::OpLogRecord mkdirs;
  mkdirs.sequence = 1;
  mkdirs.__set_mkdirs(wire::MkdirsOp());
  mkdirs.mkdirs.path = "/a/b";
  ASSERT_TRUE(ApplyOpLogRecord(mkdirs, kApply, &ns).ok());
  wire::OpLogRecord create;
  create.sequence = 2;
  create.__set_create(wire::CreateOp());
  create.create.path = "/a/b/f";
  create.create.replication = 3;
  create.create.chunk_size = 1 << 20;
  create.create.client_name = "c";
  ASSERT_TRUE(ApplyOpLogRecord(create, kApply, &ns).ok());
  EXPECT_EQ(ns.Stat("/a")->permission, (Permission{"hdfs", "users", 0755}));
  EXPECT_EQ(ns.Stat("/a/b")->permission, (Permission{"hdfs", "users", 0755}));
  EXPECT_EQ(ns.Stat("/a/b/f")->permission, (Permission{"hdfs", "users", 0644}));
  // New records carry them; chmod and chown records apply.
  wire::OpLogRecord chown;
  chown.sequence = 3;
  chown.__set_set_owner(wire::SetOwnerOp());
  chown.set_owner.path = "/a/b/f";
  chown.set_owner.__set_owner("alice");
  ASSERT_TRUE(ApplyOpLogRecord(chown, kApply, &ns).ok());
  wire::OpLogRecord chmod;
  chmod.sequence = 4;
  chmod.__set_set_permission(wire::SetPermissionOp());
  chmod.set_permission.path = "/a/b/f";
  chmod.set_permission.mode = 0600;
  ASSERT_TRUE(ApplyOpLogRecord(chmod, kApply, &ns).ok());
  EXPECT_EQ(ns.Stat("/a/b/f")->permission, (Permission{"alice", "users", 0600}));
  EXPECT_EQ(DescribeOpLogRecord(chmod), "op 4 (chmod 0600 /a/b/f)");
  // A bad owner name in a record is refused, and changes nothing.
  chown.set_owner.__set_owner("a:b");
  EXPECT_TRUE(ApplyOpLogRecord(chown, kApply, &ns).IsInvalidArgument());
  EXPECT_EQ(ns.Stat("/a/b/f")->permission.owner, "alice");
}

}  // namespace
}  // namespace mr::dfs

// DFS permissions end to end, on a cluster made with `mrcluster up
// --security`, with two real local users, each with the credential the
// cluster's owner issued (`mrcluster user add`) and running mrdfs as
// themselves (setpriv): "bob" (the host's `daemon` user) and "alice"
// (`nobody`). Alice cannot read or delete bob's 0600 file, write into his
// 0755 directory, or remove his entries from the sticky /tmp; the owner of
// the cluster (the superuser) can; what alice tried changed nothing.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "common/file.h"
#include "test_util.h"

namespace mr::testing {
namespace {

constexpr char kBob[] = "daemon";
constexpr char kAlice[] = "nobody";
constexpr char kAsBob[] = "setpriv --reuid=1 --regid=1 --clear-groups ";
constexpr char kAsAlice[] = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

class DfsPermissionITest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run tools as other users (setpriv)";
    if (!PathExists(BinPath("mrcluster")) || !PathExists(BinPath("mrdfs"))) {
      GTEST_SKIP() << "mrcluster or mrdfs not built";
    }
    ASSERT_EQ(::chmod(tmp_.path().c_str(), 0755), 0);  // The users read their local files.
    CommandResult up = Mrcluster("up --security --racks 1 --nodes_per_rack 2");
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    for (const char* user : {kBob, kAlice}) {
      CommandResult add = Mrcluster(std::string("user add ") + user);
      ASSERT_EQ(add.exit_code, 0) << user << ": " << add.err;
    }
    local_ = tmp_.Join("local.txt");
    ASSERT_TRUE(WriteStringToFile(local_, "bob's secret\n", false).ok());
    ASSERT_EQ(::chmod(local_.c_str(), 0644), 0);
  }
  ~DfsPermissionITest() override {
    (void)RunCommand(Quote(BinPath("mrcluster")) + " down --dir " + Quote(dir()), 60);
  }
  std::string dir() const { return tmp_.Join("cluster"); }
  CommandResult Mrcluster(const std::string& args) {
    return RunCommand(Quote(BinPath("mrcluster")) + " " + args + " --dir " + Quote(dir()), 60);
  }
  CommandResult Mrdfs(const std::string& args, const std::string& as = "") {
    return RunCommand(as + Quote(BinPath("mrdfs")) + " --cluster " + Quote(dir()) + " " + args, 60);
  }
  // A refusal: exit 1, one line, HDFS's words.
  void ExpectRefused(const CommandResult& r, const std::string& what) {
    EXPECT_EQ(r.exit_code, 1) << what << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("Permission denied: "), std::string::npos) << what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
  }

  ScopedTempDir tmp_;
  std::string local_;
};

TEST_F(DfsPermissionITest, AliceCannotReadOrDeleteBobsFilesNorWriteIntoHisDirectory) {
  // `mrcluster user add` made bob's home; its group as an HDFS
  // administrator would set it.
  ASSERT_EQ(Mrdfs("chown daemon:daemon /user/daemon").exit_code, 0);
  // Bob writes a private file (umask 077: 0600) and a public directory.
  CommandResult put = Mrdfs("--dfs_umask 077 put " + Quote(local_) + " /user/daemon/secret", kAsBob);
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ASSERT_EQ(Mrdfs("mkdir /user/daemon/pub", kAsBob).exit_code, 0);
  ASSERT_EQ(Mrdfs("put " + Quote(local_) + " /tmp/bobs", kAsBob).exit_code, 0);
  CommandResult ls = Mrdfs("ls -l /user/daemon", kAsAlice);
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("drwxr-xr-x   - daemon daemon"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("-rw------- "), ls.out.find("\n") + 1) << ls.out;  // pub, then secret.
  EXPECT_NE(ls.out.find(" daemon daemon ", ls.out.find("\n")), std::string::npos) << ls.out;

  ExpectRefused(Mrdfs("cat /user/daemon/secret", kAsAlice), "cat");
  CommandResult cat = Mrdfs("cat /user/daemon/secret", kAsAlice);
  EXPECT_NE(cat.err.find("user=nobody, access=READ, inode=\"/user/daemon/secret\""),
            std::string::npos)
      << cat.err;
  EXPECT_EQ(cat.out, "");
  ExpectRefused(Mrdfs("get /user/daemon/secret " + Quote(tmp_.Join("stolen")), kAsAlice), "get");
  ExpectRefused(Mrdfs("rm /user/daemon/secret", kAsAlice), "rm");
  ExpectRefused(Mrdfs("rm -r /user/daemon", kAsAlice), "rm -r");
  ExpectRefused(Mrdfs("mv /user/daemon/secret /tmp/mine", kAsAlice), "mv");
  ExpectRefused(Mrdfs("put " + Quote(local_) + " /user/daemon/pub/x", kAsAlice), "put");
  ExpectRefused(Mrdfs("put -f " + Quote(local_) + " /user/daemon/secret", kAsAlice), "put -f");
  ExpectRefused(Mrdfs("mkdir /user/daemon/pub/sub", kAsAlice), "mkdir");
  ExpectRefused(Mrdfs("chmod 777 /user/daemon/secret", kAsAlice), "chmod");
  ExpectRefused(Mrdfs("chown nobody /user/daemon/secret", kAsAlice), "chown");
  ExpectRefused(Mrdfs("rm /tmp/bobs", kAsAlice), "rm in /tmp");
  ExpectRefused(Mrdfs("mkdir /user/eve", kAsAlice), "mkdir in /user");

  // Nothing changed: bob still reads his file, alone; the rest is as it was.
  CommandResult mine = Mrdfs("cat /user/daemon/secret", kAsBob);
  EXPECT_EQ(mine.out, "bob's secret\n") << mine.err;
  CommandResult listing = Mrdfs("ls /user/daemon/pub", kAsBob);
  EXPECT_EQ(listing.out, "");
  EXPECT_EQ(Mrdfs("stat /tmp/bobs", kAsBob).exit_code, 0);
  EXPECT_EQ(Mrdfs("stat /tmp/mine").exit_code, 1);
  // Alice works in /tmp, and bob cannot remove her entry either.
  ASSERT_EQ(Mrdfs("put " + Quote(local_) + " /tmp/alices", kAsAlice).exit_code, 0);
  ExpectRefused(Mrdfs("rm /tmp/alices", kAsBob), "bob's rm in /tmp");
  EXPECT_EQ(Mrdfs("rm /tmp/alices", kAsAlice).exit_code, 0);
  // The superuser may do anything.
  CommandResult root = Mrdfs("cat /user/daemon/secret");
  EXPECT_EQ(root.out, "bob's secret\n") << root.err;
  EXPECT_EQ(Mrdfs("rm -r /user/daemon").exit_code, 0);
  CommandResult who = Mrdfs("whoami", kAsAlice);
  EXPECT_NE(who.out.find("user: nobody\n"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("superuser: no"), std::string::npos) << who.out;
}

}  // namespace
}  // namespace mr::testing

// Argument parsing of mrdfs (no daemons needed) and the client's path limits.
#include "dfs/client/mrdfs_commands.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dfs/client/dfs_path_limits.h"

namespace mr::dfs {
namespace {

using Words = std::vector<std::string>;

Result<MrdfsCommand> Parse(const Words& words, const Words& options = {}, bool json = false) {
  return ParseMrdfsCommand(words, options, json);
}

TEST(MrdfsParseTest, Verbs) {
  auto put = Parse({"put", "local.txt", "/a/b"}, {"-f"});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->verb, "put");
  EXPECT_EQ(put->operands, (Words{"local.txt", "/a/b"}));
  EXPECT_TRUE(put->force);
  EXPECT_FALSE(put->recursive);

  auto rm = Parse({"rm", "/a"}, {"-r"});
  ASSERT_TRUE(rm.ok());
  EXPECT_TRUE(rm->recursive);

  auto ls = Parse({"ls"}, {}, /*json=*/true);
  ASSERT_TRUE(ls.ok());
  EXPECT_TRUE(ls->operands.empty());
  EXPECT_TRUE(ls->json);

  for (const Words& ok : {Words{"get", "/x", "out"}, Words{"cat", "/x"}, Words{"mkdir", "/d"},
                          Words{"mv", "/a", "/b"}, Words{"stat", "/"}, Words{"du"},
                          Words{"du", "/d"}, Words{"fsck"}, Words{"fsck", "/d"}}) {
    EXPECT_TRUE(Parse(ok).ok()) << ok[0];
  }
}

TEST(MrdfsParseTest, UsageErrors) {
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"copy", "/a", "/b"}).ok());          // Unknown verb.
  EXPECT_FALSE(Parse({"put", "local"}).ok());              // Missing operand.
  EXPECT_FALSE(Parse({"cat", "/a", "/b"}).ok());           // Extra operand.
  EXPECT_FALSE(Parse({"ls", "/a", "/b"}).ok());
  EXPECT_FALSE(Parse({"cat", "/a"}, {"-f"}).ok());         // Option the verb does not take.
  EXPECT_FALSE(Parse({"put", "l", "/a"}, {"-r"}).ok());
  EXPECT_FALSE(Parse({"put", "l", "/a"}, {}, true).ok());  // --json only for ls/stat/du/fsck.
  EXPECT_FALSE(Parse({"put", "", "/a"}).ok());             // Empty local path.
  Result<MrdfsCommand> unknown = Parse({"copy"});
  EXPECT_NE(unknown.status().message().find("unknown verb 'copy'"), std::string::npos);
}

TEST(MrdfsParseTest, PermissionVerbs) {
  auto chmod = Parse({"chmod", "1777", "/tmp"}, {"-R"});
  ASSERT_TRUE(chmod.ok()) << chmod.status().ToString();
  EXPECT_EQ(chmod->mode, 01777);
  EXPECT_TRUE(chmod->recursive);
  auto chown = Parse({"chown", "alice:staff", "/d"});
  ASSERT_TRUE(chown.ok());
  EXPECT_EQ(chown->owner, "alice");
  EXPECT_EQ(chown->group, "staff");
  EXPECT_FALSE(chown->recursive);
  auto owner_only = Parse({"chown", "alice", "/d"});
  EXPECT_EQ(owner_only->owner, "alice");
  EXPECT_EQ(owner_only->group, "");
  auto group_only = Parse({"chown", ":staff", "/d"});
  EXPECT_EQ(group_only->owner, "");
  EXPECT_EQ(group_only->group, "staff");
  auto chgrp = Parse({"chgrp", "staff", "/d"}, {"-R"});
  EXPECT_EQ(chgrp->group, "staff");
  EXPECT_TRUE(chgrp->recursive);
  auto ls = Parse({"ls", "/d"}, {"-l"});
  ASSERT_TRUE(ls.ok());
  EXPECT_TRUE(ls->long_format);
  EXPECT_TRUE(Parse({"whoami"}).ok());
  // Usage errors: bad modes and names, -R where -r belongs and back.
  for (const Words& bad : {Words{"chmod", "u+x", "/d"}, Words{"chmod", "2000", "/d"},
                           Words{"chmod", "", "/d"}, Words{"chown", ":", "/d"},
                           Words{"chown", "a b", "/d"}, Words{"chgrp", "", "/d"},
                           Words{"chgrp", "g:h", "/d"}, Words{"chmod", "755", "rel"},
                           Words{"chmod", "755"}, Words{"whoami", "/x"}}) {
    EXPECT_TRUE(Parse(bad).status().IsInvalidArgument()) << bad[0] << " " << bad[1];
  }
  EXPECT_FALSE(Parse({"rm", "/a"}, {"-R"}).ok());
  EXPECT_FALSE(Parse({"chmod", "755", "/a"}, {"-r"}).ok());
  EXPECT_FALSE(Parse({"cat", "/a"}, {"-l"}).ok());
}

TEST(MrdfsParseTest, MalformedDfsPathsAreUsageErrors) {
  for (const std::string& bad : {std::string("a/b"), std::string(""), std::string("/a/../b"),
                                 std::string("/a//b"), std::string("/a/"), std::string("/./a"),
                                 std::string("/") + std::string(300, 'x'),
                                 "/" + std::string(5000, 'y')}) {
    Result<MrdfsCommand> c = Parse({"stat", bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(c.status().message().find("invalid path"), std::string::npos);
    EXPECT_LT(c.status().message().size(), 200u) << "one readable line";
  }
  // The DFS side of put and get is checked; the local side is not.
  EXPECT_FALSE(Parse({"put", "local", "rel/x"}).ok());
  EXPECT_TRUE(Parse({"put", "rel/local", "/x"}).ok());
  EXPECT_FALSE(Parse({"get", "rel/x", "local"}).ok());
  EXPECT_FALSE(Parse({"mv", "/a", "/b/../c"}).ok());
}

TEST(MrdfsParseTest, PathLimits) {
  std::string component(kMaxDfsComponentBytes, 'c');
  EXPECT_TRUE(ValidateDfsPath("/" + component).ok());
  EXPECT_FALSE(ValidateDfsPath("/" + component + "c").ok());
  std::string deep;
  while (deep.size() + 11 <= kMaxDfsPathBytes) deep += "/abcdefghij";
  EXPECT_TRUE(ValidateDfsPath(deep).ok());
  EXPECT_FALSE(ValidateDfsPath(deep + "/abcdefghij").ok());
}

TEST(MrdfsParseTest, ExtractVerbOptions) {
  std::vector<std::string> args = {"mrdfs", "--cluster", "/c", "rm", "-r", "/d", "-f",
                                   "--",    "-r"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  Words options = ExtractVerbOptions(&argc, argv.data());
  EXPECT_EQ(options, (Words{"-r", "-f"}));
  Words rest(argv.begin(), argv.begin() + argc);
  EXPECT_EQ(rest, (Words{"mrdfs", "--cluster", "/c", "rm", "/d", "--", "-r"}));
}

}  // namespace
}  // namespace mr::dfs

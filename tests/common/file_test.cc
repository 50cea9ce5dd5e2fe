#include "common/file.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace mr {
namespace {

using mr::testing::ScopedTempDir;

TEST(FileTest, CreateWritesAndRefusesExisting) {
  ScopedTempDir dir;
  std::string path = dir.Join("f");
  auto file = WritableFile::Create(path, /*buffer_bytes=*/4096);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append(std::string(10000, 'x')).ok());  // Larger than the buffer.
  EXPECT_EQ((*file)->size(), 10006u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(*FileSize(path), 10006u);

  auto again = WritableFile::Create(path);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
}

TEST(FileTest, RandomAccessReadsAtOffsetsAndStopsAtEof) {
  ScopedTempDir dir;
  std::string path = dir.Join("f");
  ASSERT_TRUE(WriteStringToFile(path, "0123456789", /*sync=*/true).ok());
  auto file = RandomAccessFile::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->size(), 10u);
  char buf[16];
  size_t n = 0;
  ASSERT_TRUE((*file)->Read(3, 4, buf, &n).ok());
  EXPECT_EQ(std::string(buf, n), "3456");
  ASSERT_TRUE((*file)->Read(8, 16, buf, &n).ok());
  EXPECT_EQ(std::string(buf, n), "89");
  EXPECT_TRUE(RandomAccessFile::Open(dir.Join("missing")).status().IsNotFound());
  EXPECT_FALSE(RandomAccessFile::Open(dir.path()).ok());  // A directory.
}

TEST(FileTest, ReadFileToString) {
  ScopedTempDir dir;
  std::string data("a\0b\nc", 5);
  ASSERT_TRUE(WriteStringToFile(dir.Join("f"), data, /*sync=*/false).ok());
  auto got = ReadFileToString(dir.Join("f"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, data);
  ASSERT_TRUE(WriteStringToFile(dir.Join("empty"), "", /*sync=*/false).ok());
  EXPECT_EQ(*ReadFileToString(dir.Join("empty")), "");
  EXPECT_TRUE(ReadFileToString(dir.Join("missing")).status().IsNotFound());
  // Files under /proc report size 0 and still have contents.
  auto cmdline = ReadFileToString("/proc/self/cmdline");
  ASSERT_TRUE(cmdline.ok());
  EXPECT_NE(cmdline->find("file_test"), std::string::npos);
  // Larger than one read.
  std::string big(100000, 'x');
  ASSERT_TRUE(WriteStringToFile(dir.Join("big"), big, /*sync=*/false).ok());
  EXPECT_EQ(*ReadFileToString(dir.Join("big")), big);
}

TEST(FileTest, RenameNoReplaceRefusesExistingTarget) {
  ScopedTempDir dir;
  ASSERT_TRUE(WriteStringToFile(dir.Join("a"), "A", false).ok());
  ASSERT_TRUE(WriteStringToFile(dir.Join("b"), "B", false).ok());
  Status s = RenameNoReplace(dir.Join("a"), dir.Join("b"));
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_EQ(*ReadFileToString(dir.Join("b")), "B");  // Untouched.

  // Directories too: the pattern behind "write DIR.tmp, rename to DIR".
  ASSERT_TRUE(CreateDirs(dir.Join("d1/x")).ok());
  ASSERT_TRUE(CreateDirs(dir.Join("d2")).ok());
  EXPECT_FALSE(RenameNoReplace(dir.Join("d1"), dir.Join("d2")).ok());

  ASSERT_TRUE(RenameNoReplace(dir.Join("a"), dir.Join("c")).ok());
  EXPECT_FALSE(PathExists(dir.Join("a")));
  EXPECT_EQ(*ReadFileToString(dir.Join("c")), "A");
}

TEST(FileTest, CreateDirsAndRemoveAll) {
  ScopedTempDir dir;
  std::string deep = dir.Join("x/y/z");
  ASSERT_TRUE(CreateDirs(deep).ok());
  EXPECT_TRUE(IsDirectory(deep));
  ASSERT_TRUE(CreateDirs(deep).ok());  // Already there: fine.
  ASSERT_TRUE(WriteStringToFile(JoinPath(deep, "f"), "f", false).ok());
  ASSERT_TRUE(RemoveAll(dir.Join("x")).ok());
  EXPECT_FALSE(PathExists(dir.Join("x")));
  EXPECT_TRUE(RemoveAll(dir.Join("x")).ok());  // Missing: fine.
}

TEST(FileTest, ListInputFilesSortsAndSkipsHiddenRecursively) {
  ScopedTempDir dir;
  for (const char* sub : {"b", "a/nested", "_logs", ".staging"}) {
    ASSERT_TRUE(CreateDirs(dir.Join(sub)).ok());
  }
  for (const char* f : {"part-2", "part-10", "_SUCCESS", ".crc", "b/x", "a/nested/y", "a/_tmp",
                        "_logs/history", ".staging/z"}) {
    ASSERT_TRUE(WriteStringToFile(dir.Join(f), f, false).ok());
  }
  auto files = ListInputFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<std::string> want = {dir.Join("a/nested/y"), dir.Join("b/x"), dir.Join("part-10"),
                                   dir.Join("part-2")};
  EXPECT_EQ(*files, want);

  // A file lists as itself; a missing path is NotFound.
  EXPECT_EQ(*ListInputFiles(dir.Join("b/x")), std::vector<std::string>{dir.Join("b/x")});
  EXPECT_TRUE(ListInputFiles(dir.Join("missing")).status().IsNotFound());
}

TEST(FileTest, PathHelpers) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(DirName("/x/y/z"), "/x/y");
  EXPECT_EQ(DirName("z"), ".");
  EXPECT_EQ(BaseName("/x/y/z"), "z");
}

}  // namespace
}  // namespace mr

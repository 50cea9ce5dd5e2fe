#include "dfs/master/namespace.h"

#include <pthread.h>

#include <chrono>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "dfs/master/dfs_path.h"
#include "dfs_types.h"

namespace mr::dfs {
namespace {

constexpr auto kApply = MutationMode::kApply;
constexpr auto kCheck = MutationMode::kCheck;

TEST(DfsPathTest, AcceptsNormalizedAbsolutePaths) {
  for (const char* p : {"/", "/a", "/a/b", "/a.b/c_d", "/...", "/a/.x"}) {
    EXPECT_TRUE(ValidatePath(p).ok()) << p;
  }
}

TEST(DfsPathTest, RejectsEverythingElse) {
  for (const char* p : {"", "a", "a/b", "/a/", "//", "/a//b", "/..", "/a/../b", "/a/.", "/./a"}) {
    Status s = ValidatePath(p);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << "'" << p << "'";
  }
  EXPECT_FALSE(ValidatePath(std::string("/a\0b", 4)).ok());
}

// "/a/a/.../a", `depth` components.
std::string DeepPath(size_t depth, const std::string& name = "a") {
  std::string path;
  for (size_t i = 0; i < depth; ++i) path += "/" + name;
  return path;
}

TEST(DfsPathTest, LimitsOnBytesComponentsAndDepth) {
  EXPECT_TRUE(ValidatePath("/" + std::string(kMaxDfsComponentBytes, 'c')).ok());
  EXPECT_FALSE(ValidatePath("/" + std::string(kMaxDfsComponentBytes + 1, 'c')).ok());
  std::string longest;
  while (longest.size() + 11 <= kMaxDfsPathBytes) longest += "/abcdefghij";
  longest += "/" + std::string(kMaxDfsPathBytes - longest.size() - 1, 'z');
  ASSERT_EQ(longest.size(), kMaxDfsPathBytes);
  EXPECT_TRUE(ValidatePath(longest).ok());
  EXPECT_FALSE(ValidatePath(longest + "z").ok());
  EXPECT_TRUE(ValidatePath(DeepPath(kMaxDfsPathDepth)).ok());
  EXPECT_EQ(PathDepth(DeepPath(kMaxDfsPathDepth)), kMaxDfsPathDepth);
  EXPECT_EQ(PathDepth("/"), 0u);
  Status deep = ValidatePath(DeepPath(kMaxDfsPathDepth + 1));
  EXPECT_EQ(deep.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(deep.message().find("deeper than 1000 components"), std::string::npos) << deep.ToString();
  // Not UTF-8: refused, so that --json names every file exactly.
  EXPECT_FALSE(ValidatePath("/a\xff").ok());
  EXPECT_FALSE(ValidatePath("/\xc0\xaf").ok());  // An overlong '/'.
  EXPECT_TRUE(ValidatePath("/caf\xc3\xa9/\xe6\x97\xa5").ok());
  EXPECT_TRUE(ValidatePath("/a\nb\x1b[31m").ok());  // Control characters are names too.
  // A 15 MiB path is refused at once, in a one-line message.
  Status huge = ValidatePath("/" + std::string(15 << 20, 'x'));
  EXPECT_EQ(huge.code(), Status::Code::kInvalidArgument);
  EXPECT_LT(huge.message().size(), 120u) << huge.message();
}

TEST(DfsPathTest, SplitJoinAndAncestry) {
  EXPECT_EQ(SplitPath("/"), std::vector<std::string>{});
  EXPECT_EQ(SplitPath("/a/bc"), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(JoinComponents({"a", "bc"}, 2), "/a/bc");
  EXPECT_EQ(JoinComponents({"a", "bc"}, 0), "/");
  EXPECT_TRUE(IsSameOrUnder("/a/b", "/a"));
  EXPECT_TRUE(IsSameOrUnder("/a", "/a"));
  EXPECT_TRUE(IsSameOrUnder("/a", "/"));
  EXPECT_FALSE(IsSameOrUnder("/ab", "/a"));
}

class NamespaceTest : public ::testing::Test {
 protected:
  // Creates a file with two full chunks and a 5-byte last chunk, closed.
  void MakeClosedFile(const std::string& path, int64_t first_chunk_id) {
    ASSERT_TRUE(ns_.Create(path, 3, 100, "c1", 1, kApply).ok());
    for (int64_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(ns_.AddChunk(path, "c1", {first_chunk_id + i, 1, 0}, 2, kApply).ok());
    }
    ASSERT_TRUE(ns_.Complete(path, "c1", 5, 3, kApply).ok());
  }
  Namespace ns_;
};

TEST_F(NamespaceTest, AbandonAndGenerationOnlyTouchTheLastChunk) {
  ASSERT_TRUE(ns_.Create("/f", 3, 100, "c1", 1, kApply).ok());
  ASSERT_TRUE(ns_.AddChunk("/f", "c1", {1, 1, 0}, 2, kApply).ok());
  ASSERT_TRUE(ns_.AddChunk("/f", "c1", {2, 1, 0}, 2, kApply).ok());
  EXPECT_EQ(ns_.AbandonChunk("/f", "c1", 1, 3, kApply).code(), Status::Code::kAborted);
  EXPECT_EQ(ns_.AbandonChunk("/f", "c2", 2, 3, kApply).code(), Status::Code::kAborted);
  EXPECT_TRUE(ns_.AbandonChunk("/f", "c1", 9, 3, kApply).IsNotFound());
  EXPECT_EQ(ns_.SetChunkGeneration("/f", "c1", 1, 2, kApply).code(), Status::Code::kAborted);
  EXPECT_EQ(ns_.SetChunkGeneration("/f", "c1", 2, 1, kApply).code(),
            Status::Code::kInvalidArgument);  // Generations only grow.
  ASSERT_TRUE(ns_.SetChunkGeneration("/f", "c1", 2, 5, kCheck).ok());
  EXPECT_EQ(ns_.GetChunks("/f")->back().generation, 1) << "kCheck changes nothing";
  ASSERT_TRUE(ns_.SetChunkGeneration("/f", "c1", 2, 5, kApply).ok());
  EXPECT_EQ(ns_.GetChunks("/f")->back(), (ChunkInfo{2, 5, 0}));
  ASSERT_TRUE(ns_.AbandonChunk("/f", "c1", 2, 4, kApply).ok());
  EXPECT_EQ(*ns_.GetChunks("/f"), (std::vector<ChunkInfo>{{1, 1, 100}}));
  EXPECT_EQ(ns_.Stat("/f")->length, 100);
  ASSERT_TRUE(ns_.Complete("/f", "c1", 100, 5, kApply).ok());
  EXPECT_EQ(ns_.AbandonChunk("/f", "c1", 1, 6, kApply).code(), Status::Code::kAborted)
      << "closed";
}

TEST_F(NamespaceTest, MkdirsIsIdempotentAndCreatesParents) {
  ASSERT_TRUE(ns_.Mkdirs("/a/b/c", 7, kApply).ok());
  ASSERT_TRUE(ns_.Mkdirs("/a/b", 8, kApply).ok());
  auto st = ns_.Stat("/a/b/c");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->is_dir);
  EXPECT_EQ(st->modification_time_ms, 7);
  EXPECT_EQ(ns_.Mkdirs("a/b", 1, kApply).code(), Status::Code::kInvalidArgument);
}

TEST_F(NamespaceTest, CreateMakesParentsAndRefusesDuplicates) {
  ASSERT_TRUE(ns_.Create("/x/y/f", 2, 64, "c1", 5, kApply).ok());
  auto st = ns_.Stat("/x/y/f");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->is_dir);
  EXPECT_TRUE(st->under_construction);
  EXPECT_EQ(st->lease_holder, "c1");
  EXPECT_EQ(st->replication, 2);
  EXPECT_EQ(st->chunk_size, 64);
  EXPECT_TRUE(ns_.Stat("/x/y").ok());
  EXPECT_TRUE(ns_.Create("/x/y/f", 2, 64, "c2", 5, kApply).IsAlreadyExists());
  EXPECT_TRUE(ns_.Create("/x/y/f/g", 2, 64, "c2", 5, kApply).IsAlreadyExists());  // Parent a file.
  EXPECT_TRUE(ns_.Mkdirs("/x/y/f/d", 5, kApply).IsAlreadyExists());
  EXPECT_EQ(ns_.Create("/x/g", 0, 64, "c2", 5, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ns_.Create("/", 1, 64, "c2", 5, kApply).IsAlreadyExists());
}

TEST_F(NamespaceTest, ChunksLengthAndLease) {
  ASSERT_TRUE(ns_.Create("/f", 3, 100, "c1", 1, kApply).ok());
  EXPECT_EQ(ns_.AddChunk("/f", "c2", {1, 1, 0}, 2, kApply).code(), Status::Code::kAborted);
  ASSERT_TRUE(ns_.AddChunk("/f", "c1", {1, 1, 0}, 2, kApply).ok());
  ASSERT_TRUE(ns_.AddChunk("/f", "c1", {2, 1, 0}, 2, kApply).ok());
  EXPECT_EQ(ns_.Complete("/f", "c1", 101, 3, kApply).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(ns_.Complete("/f", "c1", 40, 3, kApply).ok());
  auto st = ns_.Stat("/f");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, 140);
  EXPECT_FALSE(st->under_construction);
  EXPECT_EQ(st->lease_holder, "");
  auto chunks = ns_.GetChunks("/f");
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(*chunks, (std::vector<ChunkInfo>{{1, 1, 100}, {2, 1, 40}}));
  EXPECT_EQ(ns_.AddChunk("/f", "c1", {3, 1, 0}, 4, kApply).code(), Status::Code::kAborted);
  EXPECT_EQ(ns_.Complete("/f", "c1", 0, 4, kApply).code(), Status::Code::kAborted);
}

TEST_F(NamespaceTest, CompleteOfEmptyFileNeedsZeroLength) {
  ASSERT_TRUE(ns_.Create("/e", 1, 100, "c", 1, kApply).ok());
  EXPECT_FALSE(ns_.Complete("/e", "c", 1, 2, kApply).ok());
  EXPECT_TRUE(ns_.Complete("/e", "c", 0, 2, kApply).ok());
  EXPECT_EQ(ns_.Stat("/e")->length, 0);
}

TEST_F(NamespaceTest, ListSortsEntries) {
  ASSERT_TRUE(ns_.Mkdirs("/d/b", 1, kApply).ok());
  MakeClosedFile("/d/a", 1);
  auto list = ns_.List("/d");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, "/d/a");
  EXPECT_EQ((*list)[0].length, 205);
  EXPECT_EQ((*list)[1].path, "/d/b");
  EXPECT_TRUE((*list)[1].is_dir);
  auto file = ns_.List("/d/a");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->size(), 1u);
  EXPECT_TRUE(ns_.List("/nope").status().IsNotFound());
  auto root = ns_.List("/");
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->size(), 1u);
  EXPECT_EQ((*root)[0].path, "/d");
}

TEST_F(NamespaceTest, DeleteNeedsRecursiveForNonEmptyDirsAndReturnsChunks) {
  MakeClosedFile("/d/sub/f", 10);
  ASSERT_TRUE(ns_.Mkdirs("/d/empty", 1, kApply).ok());
  EXPECT_EQ(ns_.Delete("/d", false, 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ns_.Delete("/d/empty", false, 2, kApply).ok());
  EXPECT_EQ(ns_.Delete("/", true, 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ns_.Delete("/nope", true, 2, kApply).IsNotFound());
  std::vector<int64_t> removed;
  ASSERT_TRUE(ns_.Delete("/d", true, 2, kApply, &removed).ok());
  EXPECT_EQ(removed, (std::vector<int64_t>{10, 11, 12}));
  EXPECT_TRUE(ns_.Stat("/d").status().IsNotFound());
}

TEST_F(NamespaceTest, Rename) {
  MakeClosedFile("/a/f", 1);
  ASSERT_TRUE(ns_.Mkdirs("/b", 1, kApply).ok());
  EXPECT_TRUE(ns_.Rename("/a/f", "/b", false, 2, kApply).IsAlreadyExists());
  EXPECT_TRUE(ns_.Rename("/a/f", "/nodir/f", false, 2, kApply).IsNotFound());
  EXPECT_EQ(ns_.Rename("/a/f", "/a/f/g", false, 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.Rename("/a", "/a/x", false, 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.Rename("/", "/x", false, 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ns_.Rename("/missing", "/x", false, 2, kApply).IsNotFound());
  ASSERT_TRUE(ns_.Rename("/a/f", "/b/g", false, 2, kApply).ok());
  EXPECT_TRUE(ns_.Stat("/a/f").status().IsNotFound());
  EXPECT_EQ(ns_.Stat("/b/g")->length, 205);
  ASSERT_TRUE(ns_.Rename("/b", "/a/b2", false, 3, kApply).ok());  // A directory, with its contents.
  EXPECT_EQ(ns_.GetChunks("/a/b2/g")->size(), 3u);
}

TEST_F(NamespaceTest, CheckModeValidatesWithoutChanging) {
  EXPECT_TRUE(ns_.Create("/f", 1, 10, "c", 1, kCheck).ok());
  EXPECT_TRUE(ns_.Stat("/f").status().IsNotFound());
  EXPECT_TRUE(ns_.Mkdirs("/d", 1, kCheck).ok());
  EXPECT_TRUE(ns_.Stat("/d").status().IsNotFound());
  ASSERT_TRUE(ns_.Create("/f", 1, 10, "c", 1, kApply).ok());
  EXPECT_TRUE(ns_.Create("/f", 1, 10, "c", 1, kCheck).IsAlreadyExists());
  EXPECT_TRUE(ns_.AddChunk("/f", "c", {1, 1, 0}, 1, kCheck).ok());
  EXPECT_TRUE(ns_.GetChunks("/f")->empty());
  EXPECT_TRUE(ns_.Delete("/f", false, 1, kCheck).ok());
  EXPECT_TRUE(ns_.Rename("/f", "/g", false, 1, kCheck).ok());
  EXPECT_TRUE(ns_.Stat("/f").ok());
  EXPECT_TRUE(ns_.Stat("/g").status().IsNotFound());
}

TEST_F(NamespaceTest, RenameKeepsEveryPathWithinTheLimits) {
  // The attack of issue 13: a deep tree moved under another deep one.
  const std::string half = DeepPath(kMaxDfsPathDepth / 2 + 10);
  ASSERT_TRUE(ns_.Mkdirs("/t0" + half, 1, kApply).ok());
  ASSERT_TRUE(ns_.Mkdirs("/t1" + half, 1, kApply).ok());
  for (MutationMode mode : {kCheck, kApply}) {
    Status s = ns_.Rename("/t0", "/t1" + half + "/t0", false, 2, mode);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("components long"), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(ns_.Stat("/t0").ok());
  // The same for bytes: a 3000-byte path moved under a 2000-byte one.
  const std::string long_name(250, 'n');
  std::string wide;
  for (int i = 0; i < 12; ++i) wide += "/" + long_name;
  ASSERT_TRUE(ns_.Mkdirs("/w0" + wide, 1, kApply).ok());
  ASSERT_TRUE(ns_.Mkdirs("/w1" + wide.substr(0, 2000), 1, kApply).ok());
  EXPECT_EQ(ns_.Rename("/w0", "/w1" + wide.substr(0, 2000) + "/w0", false, 2, kApply).code(),
            Status::Code::kInvalidArgument);
  // Moving up, or to a path as deep and long, is always fine.
  ASSERT_TRUE(ns_.Rename("/t0/a", "/up", false, 2, kApply).ok());
  ASSERT_TRUE(ns_.Rename("/up", "/t0/a", false, 2, kApply).ok());
  // A short subtree fits under a deep directory.
  ASSERT_TRUE(ns_.Mkdirs("/small/x/y", 1, kApply).ok());
  ASSERT_TRUE(ns_.Rename("/small", "/t1" + half + "/small", false, 2, kApply).ok());
  EXPECT_TRUE(ns_.Stat("/t1" + half + "/small/x/y").ok());
}

TEST_F(NamespaceTest, RenameOverwriteReplacesAClosedFileOnly) {
  MakeClosedFile("/old", 1);
  MakeClosedFile("/new", 10);
  ASSERT_TRUE(ns_.Mkdirs("/dir", 1, kApply).ok());
  ASSERT_TRUE(ns_.Create("/open", 1, 100, "c9", 1, kApply).ok());
  EXPECT_TRUE(ns_.Rename("/new", "/old", false, 2, kApply).IsAlreadyExists());
  EXPECT_TRUE(ns_.Rename("/new", "/dir", true, 2, kApply).IsAlreadyExists());
  EXPECT_TRUE(ns_.Rename("/dir", "/old", true, 2, kApply).IsAlreadyExists());
  EXPECT_EQ(ns_.Rename("/new", "/open", true, 2, kApply).code(), Status::Code::kAborted);
  EXPECT_EQ(ns_.Rename("/open", "/old", true, 2, kApply).code(), Status::Code::kAborted);
  std::vector<int64_t> removed;
  ASSERT_TRUE(ns_.Rename("/new", "/old", true, 3, kApply, &removed).ok());
  EXPECT_EQ(removed, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ns_.GetChunks("/old")->front().chunk_id, 10);
  EXPECT_TRUE(ns_.Stat("/new").status().IsNotFound());
  // Overwrite of a missing target is a plain rename.
  ASSERT_TRUE(ns_.Rename("/old", "/again", true, 4, kApply).ok());
}

TEST_F(NamespaceTest, RecoverLeaseClosesAsIncompleteKeepingAPrefix) {
  ASSERT_TRUE(ns_.Create("/f", 3, 100, "c1", 1, kApply).ok());
  for (int64_t id : {1, 2, 3}) ASSERT_TRUE(ns_.AddChunk("/f", "c1", {id, 1, 0}, 2, kApply).ok());
  EXPECT_EQ(ns_.RecoverLease("/f", "c2", 1, 50, 3, kApply).code(), Status::Code::kAborted);
  EXPECT_EQ(ns_.RecoverLease("/f", "c1", 4, 50, 3, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.RecoverLease("/f", "c1", 2, 101, 3, kApply).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.RecoverLease("/f", "c1", 0, 1, 3, kApply).code(), Status::Code::kInvalidArgument);
  std::vector<int64_t> dropped;
  ASSERT_TRUE(ns_.RecoverLease("/f", "c1", 2, 60, 3, kApply, &dropped).ok());
  EXPECT_EQ(dropped, (std::vector<int64_t>{3}));
  auto st = ns_.Stat("/f");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->incomplete);
  EXPECT_FALSE(st->under_construction);
  EXPECT_EQ(st->length, 160);
  EXPECT_EQ(*ns_.GetChunks("/f"), (std::vector<ChunkInfo>{{1, 1, 100}, {2, 1, 60}}));
  EXPECT_EQ(ns_.Complete("/f", "c1", 60, 4, kApply).code(), Status::Code::kAborted);
  // Kept through a checkpoint image.
  wire::NamespaceImage image;
  ns_.SaveImage(&image);
  Namespace loaded;
  ASSERT_TRUE(loaded.LoadImage(image).ok());
  EXPECT_EQ(*loaded.Stat("/f"), *st);
}

// Runs fn on a thread with a 128 KiB stack: a walk that recursed once per
// level of a 1000-deep tree would overflow it.
void OnSmallStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 128 << 10), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&fn)), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
}

// A namespace at the limits: a chain 1000 directories deep, a path of 4096
// bytes with 255-byte components, and a wide directory. Every walk (list,
// images both ways, delete, destruction) runs on a small stack.
TEST(NamespaceLimitsTest, WalksAtTheLimitsNeedNoDeepStack) {
  auto ns = std::make_unique<Namespace>();
  const std::string deep = DeepPath(kMaxDfsPathDepth - 1, "d");
  ASSERT_TRUE(ns->Mkdirs(deep, 1, kApply).ok());
  ASSERT_TRUE(ns->Create(deep + "/f", 3, 100, "c", 2, kApply).ok());
  ASSERT_TRUE(ns->AddChunk(deep + "/f", "c", {7, 1, 0}, 3, kApply).ok());
  ASSERT_TRUE(ns->Complete(deep + "/f", "c", 9, 4, kApply).ok());
  std::string longest = "/l";
  while (longest.size() + 256 <= kMaxDfsPathBytes) longest += "/" + std::string(255, 'x');
  longest += "/" + std::string(kMaxDfsPathBytes - longest.size() - 1, 'y');
  ASSERT_EQ(longest.size(), kMaxDfsPathBytes);
  ASSERT_TRUE(ns->Mkdirs(longest, 5, kApply).ok());
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(ns->Mkdirs("/wide/" + std::to_string(i), 6, kApply).ok());
  // Past any limit: refused.
  EXPECT_FALSE(ns->Mkdirs(deep + "/e/x", 7, kApply).ok());
  EXPECT_FALSE(ns->Mkdirs(longest + "/z", 7, kApply).ok());

  OnSmallStack([&] {
    int files = 0;
    ns->ForEachFile([&](const FileInfo& f, const std::vector<ChunkInfo>& chunks) {
      ++files;
      EXPECT_EQ(f.path, deep + "/f");
      EXPECT_EQ(chunks.size(), 1u);
    });
    EXPECT_EQ(files, 1);
    wire::NamespaceImage image;
    ns->SaveImage(&image);
    EXPECT_EQ(image.inodes.size(), (kMaxDfsPathDepth - 1) + 1 + PathDepth(longest) + 2001);
    Namespace loaded;
    ASSERT_TRUE(loaded.LoadImage(image).ok());
    wire::NamespaceImage again;
    loaded.SaveImage(&again);
    EXPECT_EQ(again, image);
    EXPECT_EQ(loaded.Stat(longest)->path, longest);
    std::vector<int64_t> removed;
    ASSERT_TRUE(loaded.Delete("/d", true, 8, kApply, &removed).ok());
    EXPECT_EQ(removed, (std::vector<int64_t>{7}));
    ns.reset();  // The destructor walks the deep chain too.
  });
}

}  // namespace
}  // namespace mr::dfs

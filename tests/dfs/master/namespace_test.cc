#include "dfs/master/namespace.h"

#include <gtest/gtest.h>

#include "dfs/master/dfs_path.h"

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
  EXPECT_TRUE(ns_.Rename("/a/f", "/b", 2, kApply).IsAlreadyExists());
  EXPECT_TRUE(ns_.Rename("/a/f", "/nodir/f", 2, kApply).IsNotFound());
  EXPECT_EQ(ns_.Rename("/a/f", "/a/f/g", 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.Rename("/a", "/a/x", 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ns_.Rename("/", "/x", 2, kApply).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(ns_.Rename("/missing", "/x", 2, kApply).IsNotFound());
  ASSERT_TRUE(ns_.Rename("/a/f", "/b/g", 2, kApply).ok());
  EXPECT_TRUE(ns_.Stat("/a/f").status().IsNotFound());
  EXPECT_EQ(ns_.Stat("/b/g")->length, 205);
  ASSERT_TRUE(ns_.Rename("/b", "/a/b2", 3, kApply).ok());  // A directory, with its contents.
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
  EXPECT_TRUE(ns_.Rename("/f", "/g", 1, kCheck).ok());
  EXPECT_TRUE(ns_.Stat("/f").ok());
  EXPECT_TRUE(ns_.Stat("/g").status().IsNotFound());
}

}  // namespace
}  // namespace mr::dfs

#include "common/status.h"

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(StatusTest, OkIsDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::OK().ok());
}

TEST(StatusTest, CodeAndMessage) {
  Status s = Status::Corruption("bad block");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "bad block");
  EXPECT_EQ(s.ToString(), "Corruption: bad block");
}

TEST(StatusTest, PrependAddsContextAndKeepsCode) {
  Status s = Status::NotFound("x").Prepend("open");
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "open: x");
  EXPECT_TRUE(Status::OK().Prepend("ctx").ok());
}

TEST(StatusTest, FromErrnoMapsCodes) {
  EXPECT_TRUE(Status::FromErrno(ENOENT, "/x").IsNotFound());
  EXPECT_TRUE(Status::FromErrno(EEXIST, "/x").IsAlreadyExists());
  EXPECT_TRUE(Status::FromErrno(ENOSPC, "/x").IsNoSpace());
  Status io = Status::FromErrno(EIO, "/x");
  EXPECT_EQ(io.code(), Status::Code::kIOError);
  EXPECT_EQ(io.message().rfind("/x: ", 0), 0u) << io.message();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<std::string> v = std::string("hello");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "hello");
  EXPECT_EQ(v->size(), 5u);
  Result<std::string> e = Status::InvalidArgument("nope");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument);
  std::string moved = *std::move(v);
  EXPECT_EQ(moved, "hello");
}

Status FailIf(bool fail) { return fail ? Status::IOError("boom") : Status::OK(); }
Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status UseReturnNotOk(bool fail, int* reached) {
  RETURN_NOT_OK(FailIf(fail));
  *reached = 1;
  return Status::OK();
}

Status UsePrepend(bool fail) {
  RETURN_NOT_OK_PREPEND(FailIf(fail), "step 2");
  return Status::OK();
}

Status UseAssignOrReturn(int x, int* out) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(*out, Half(half));  // Twice in one function: distinct temporaries.
  return Status::OK();
}

TEST(StatusMacrosTest, ReturnNotOk) {
  int reached = 0;
  EXPECT_TRUE(UseReturnNotOk(false, &reached).ok());
  EXPECT_EQ(reached, 1);
  reached = 0;
  Status s = UseReturnNotOk(true, &reached);
  EXPECT_EQ(s.message(), "boom");
  EXPECT_EQ(reached, 0);
}

TEST(StatusMacrosTest, ReturnNotOkPrepend) {
  EXPECT_TRUE(UsePrepend(false).ok());
  EXPECT_EQ(UsePrepend(true).ToString(), "IO error: step 2: boom");
}

TEST(StatusMacrosTest, AssignOrReturn) {
  int out = 0;
  EXPECT_TRUE(UseAssignOrReturn(12, &out).ok());
  EXPECT_EQ(out, 3);
  EXPECT_EQ(UseAssignOrReturn(7, &out).message(), "odd");
  EXPECT_EQ(UseAssignOrReturn(6, &out).message(), "odd");  // Fails in the second step.
}

}  // namespace
}  // namespace mr

#include "common/coding.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(CodingTest, FixedRoundTripIsLittleEndian) {
  std::string buf;
  PutFixed32(&buf, 0x04030201u);
  PutFixed64(&buf, 0x0807060504030201ull);
  ASSERT_EQ(buf.size(), 12u);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[3], 4);
  EXPECT_EQ(DecodeFixed32(buf.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(buf.data() + 4), 0x0807060504030201ull);
  char raw[8];
  EncodeFixed64(raw, 42);
  EXPECT_EQ(DecodeFixed64(raw), 42u);
}

TEST(CodingTest, Varint32RoundTrip) {
  std::vector<uint32_t> values = {0, 1, 127, 128, 255, 300, 16383, 16384, (1u << 21) - 1,
                                  1u << 21, (1u << 28) - 1, 1u << 28, UINT32_MAX};
  std::string buf;
  for (uint32_t v : values) PutVarint32(&buf, v);
  const char* p = buf.data();
  const char* limit = buf.data() + buf.size();
  for (uint32_t v : values) {
    uint32_t got = 0;
    const char* next = DecodeVarint32(p, limit, &got);
    ASSERT_NE(next, nullptr) << v;
    EXPECT_EQ(got, v);
    EXPECT_EQ(next - p, Varint32Length(v)) << v;
    p = next;
  }
  EXPECT_EQ(p, limit);
}

TEST(CodingTest, VarintLengths) {
  EXPECT_EQ(Varint32Length(0), 1);
  EXPECT_EQ(Varint32Length(127), 1);
  EXPECT_EQ(Varint32Length(128), 2);
  EXPECT_EQ(Varint32Length(UINT32_MAX), kMaxVarint32Bytes);
}

TEST(CodingTest, TruncatedVarintIsRejected) {
  std::string buf;
  PutVarint32(&buf, 1u << 28);  // 5 bytes.
  for (size_t len = 0; len < buf.size(); ++len) {
    uint32_t v = 0;
    EXPECT_EQ(DecodeVarint32(buf.data(), buf.data() + len, &v), nullptr) << len;
  }
}

TEST(CodingTest, OverlongVarintIsRejected) {
  std::string buf(6, '\x80');  // Continuation bits never stop within 5 bytes.
  uint32_t v = 0;
  EXPECT_EQ(DecodeVarint32(buf.data(), buf.data() + buf.size(), &v), nullptr);
}

}  // namespace
}  // namespace mr

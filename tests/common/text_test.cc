#include "common/text.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(TextTest, DecodesWellFormedUtf8Only) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("a", 0, &cp), 1u);
  EXPECT_EQ(cp, 'a');
  EXPECT_EQ(DecodeUtf8("\xc3\xa9", 0, &cp), 2u);
  EXPECT_EQ(cp, 0xe9u);
  EXPECT_EQ(DecodeUtf8("\xe2\x80\xae", 0, &cp), 3u);
  EXPECT_EQ(cp, 0x202eu);
  EXPECT_EQ(DecodeUtf8("\xf0\x9f\x98\x80", 0, &cp), 4u);
  EXPECT_EQ(cp, 0x1f600u);
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\x80"}) {
    EXPECT_EQ(DecodeUtf8(bad, 0, &cp), 0u) << bad;
    EXPECT_FALSE(IsValidUtf8(bad));
  }
  EXPECT_TRUE(IsValidUtf8("/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac"));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(TextTest, EscapesWhatCouldBreakAnOutputLine) {
  EXPECT_EQ(EscapeForTerminal("/plain/name with spaces.txt"), "/plain/name with spaces.txt");
  EXPECT_EQ(EscapeForTerminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(EscapeForTerminal("\x1b[31mred"), "\\033[31mred");
  EXPECT_EQ(EscapeForTerminal(std::string("nul\0x", 5)), "nul\\000x");
  EXPECT_EQ(EscapeForTerminal("back\\slash"), "back\\\\slash");
  EXPECT_EQ(EscapeForTerminal("del\x7f"), "del\\177");
  EXPECT_EQ(EscapeForTerminal("caf\xc3\xa9"), "caf\xc3\xa9");       // Printable: as is.
  EXPECT_EQ(EscapeForTerminal("rtl\xe2\x80\xaetxt"), "rtl\\342\\200\\256txt");  // U+202E.
  EXPECT_EQ(EscapeForTerminal("ls\xe2\x80\xa8"), "ls\\342\\200\\250");          // U+2028.
  EXPECT_EQ(EscapeForTerminal("c1\xc2\x9b"), "c1\\302\\233");                   // CSI.
  EXPECT_EQ(EscapeForTerminal("bad\xff"), "bad\\377");
  // Whatever the input, the output is one line of printable text.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (char c : EscapeForTerminal(all)) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u != 0x7f && u < 0x80) << static_cast<int>(u);
  }
}

TEST(TextTest, Utf8PrefixEndsBetweenCharacters) {
  const std::string euros = "\xe2\x82\xac\xe2\x82\xac";  // Two 3-byte characters.
  EXPECT_EQ(Utf8Prefix(euros, 6), euros);
  EXPECT_EQ(Utf8Prefix(euros, 100), euros);
  EXPECT_EQ(Utf8Prefix(euros, 5), "\xe2\x82\xac");
  EXPECT_EQ(Utf8Prefix(euros, 3), "\xe2\x82\xac");
  EXPECT_EQ(Utf8Prefix(euros, 2), "");
  EXPECT_EQ(Utf8Prefix("abc", 2), "ab");
  EXPECT_EQ(Utf8Prefix("abc", 0), "");
  for (size_t n = 0; n <= euros.size(); ++n) EXPECT_TRUE(IsValidUtf8(Utf8Prefix(euros, n))) << n;
}

}  // namespace
}  // namespace mr

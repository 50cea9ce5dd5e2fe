#include "common/json_writer.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(JsonWriterTest, Scalars) {
  JsonWriter w;
  w.BeginArray().Int(-3).Uint(18446744073709551615ull).Double(0.5).Bool(true).Bool(false);
  w.Double(std::nan("")).EndArray();
  EXPECT_EQ(w.str(), "[-3,18446744073709551615,0.5,true,false,null]");
}

TEST(JsonWriterTest, Nested) {
  JsonWriter w;
  w.BeginObject()
      .Key("job").String("wordcount")
      .Key("counters").BeginObject()
          .Key("map").BeginArray().Int(1).BeginObject().EndObject().BeginArray().EndArray()
          .EndArray()
      .EndObject()
      .Key("ok").Bool(true)
      .EndObject();
  EXPECT_EQ(w.str(), R"({"job":"wordcount","counters":{"map":[1,{},[]]},"ok":true})");
}

TEST(JsonWriterTest, EscapesSpecialCharacters) {
  JsonWriter w;
  w.String(std::string_view("q\" b\\ n\n t\t r\r nul\0 bel\x07", 24));
  EXPECT_EQ(w.str(), R"("q\" b\\ n\n t\t r\r nul\u0000 bel\u0007")");
}

TEST(JsonWriterTest, KeysAreEscapedToo) {
  JsonWriter w;
  w.BeginObject().Key("a\"b").Int(1).EndObject();
  EXPECT_EQ(w.str(), R"({"a\"b":1})");
}

TEST(JsonWriterTest, ValidUtf8PassesThrough) {
  JsonWriter w;
  w.String("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // é € 😀
  EXPECT_EQ(w.str(), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonWriterTest, InvalidUtf8BytesAreEscaped) {
  JsonWriter w;
  // A stray continuation byte, a lead byte cut short, and 0xff.
  w.String("a\x80 b\xc3 \xe2\x82 \xff");
  EXPECT_EQ(w.str(), R"("a\u0080 b\u00c3 \u00e2\u0082 \u00ff")");
}

}  // namespace
}  // namespace mr

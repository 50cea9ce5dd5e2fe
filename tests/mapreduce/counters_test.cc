// Counters: lookup, merging, and the JSON the runner writes to _counters.json.
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "counters.h"

namespace mr {
namespace {

// A strict parser for exactly the shape ToJson promises:
// {"group": {"name": integer, ...}, ...}. Returns false on anything else.
class CountersJsonParser {
 public:
  using Groups = std::map<std::string, std::map<std::string, int64_t>>;

  static bool Parse(std::string_view json, Groups* groups) {
    CountersJsonParser p(json);
    if (!p.Object([&](const std::string& group) {
          auto& names = (*groups)[group];
          return p.Object([&](const std::string& name) {
            int64_t value;
            if (!p.Int(&value)) return false;
            names[name] = value;
            return true;
          });
        })) {
      return false;
    }
    p.SkipSpace();
    return p.pos_ == json.size();
  }

 private:
  explicit CountersJsonParser(std::string_view s) : s_(s) {}

  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  template <typename Member>
  bool Object(const Member& member) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    do {
      std::string key;
      if (!String(&key) || !Eat(':') || !member(key)) return false;
    } while (Eat(','));
    return Eat('}');
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': *out += e; break;
        case 'n': *out += '\n'; break;
        case 't': *out += '\t'; break;
        case 'r': *out += '\r'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return false;
          unsigned v = std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16);
          pos_ += 4;
          if (v > 0xff) return false;  // The writer only escapes single bytes.
          *out += static_cast<char>(v);
          break;
        }
        default: return false;
      }
    }
    return Eat('"');
  }
  bool Int(int64_t* value) {
    SkipSpace();
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) return false;
    *value = std::stoll(std::string(s_.substr(start, pos_ - start)));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

TEST(CountersTest, GetIsStableAndValueDefaultsToZero) {
  Counters c;
  Counter* a = c.Get("g", "a");
  a->Increment(3);
  for (int i = 0; i < 1000; ++i) c.Add("g", "other" + std::to_string(i), i);
  EXPECT_EQ(a, c.Get("g", "a"));
  a->Increment();
  EXPECT_EQ(c.Value("g", "a"), 4);
  EXPECT_EQ(c.Value("g", "missing"), 0);
  EXPECT_EQ(c.Value("missing", "a"), 0);
  c.AddFramework(counter::kMapInputRecords, 7);
  EXPECT_EQ(c.Value(kFrameworkGroup, counter::kMapInputRecords), 7);
}

TEST(CountersTest, MergeFromAdds) {
  Counters a, b;
  a.Add("g", "both", 5);
  a.Add("g", "only a", 1);
  b.Add("g", "both", 7);
  b.Add("h", "only b", -2);
  a.MergeFrom(b);
  EXPECT_EQ(a.Value("g", "both"), 12);
  EXPECT_EQ(a.Value("g", "only a"), 1);
  EXPECT_EQ(a.Value("h", "only b"), -2);
  // The source is unchanged; merging again adds again.
  EXPECT_EQ(b.Value("g", "both"), 7);
  EXPECT_EQ(b.Value("g", "only a"), 0);
  a.MergeFrom(b);
  EXPECT_EQ(a.Value("g", "both"), 19);
  Counters empty;
  a.MergeFrom(empty);
  EXPECT_EQ(a.Value("g", "both"), 19);
}

TEST(CountersTest, ToJsonHasGroupsOfIntegers) {
  Counters c;
  c.AddFramework(counter::kMapInputRecords, 1234);
  c.AddFramework(counter::kMapOutputRecords, 0);
  c.Add(kFileSystemGroup, counter::kLocalBytesWritten, 1LL << 40);
  c.Add("User \"quoted\" group", "tab\there\\nl\nhigh\xff", -5);
  std::string json = c.ToJson();
  EXPECT_EQ(json.back(), '\n');
  EXPECT_NE(json.find("\"Map input records\":1234"), std::string::npos) << json;
  EXPECT_NE(json.find("\"Local bytes written\":1099511627776"), std::string::npos) << json;

  CountersJsonParser::Groups groups;
  ASSERT_TRUE(CountersJsonParser::Parse(json, &groups)) << json;
  CountersJsonParser::Groups expected = {
      {"Map-Reduce Framework", {{"Map input records", 1234}, {"Map output records", 0}}},
      {"File System", {{"Local bytes written", 1LL << 40}}},
      {"User \"quoted\" group", {{"tab\there\\nl\nhigh\xff", -5}}},
  };
  EXPECT_EQ(groups, expected) << json;
}

TEST(CountersTest, EmptyToJsonIsAnEmptyObject) {
  Counters c;
  CountersJsonParser::Groups groups;
  ASSERT_TRUE(CountersJsonParser::Parse(c.ToJson(), &groups)) << c.ToJson();
  EXPECT_TRUE(groups.empty());
}

// User code may name a group "" (Context::GetCounter takes any name).
TEST(CountersTest, EmptyGroupNameStillNests) {
  Counters c;
  c.Add("", "x", 1);
  c.Add("g", "y", 2);
  CountersJsonParser::Groups groups;
  ASSERT_TRUE(CountersJsonParser::Parse(c.ToJson(), &groups)) << c.ToJson();
  CountersJsonParser::Groups expected = {{"", {{"x", 1}}}, {"g", {{"y", 2}}}};
  EXPECT_EQ(groups, expected) << c.ToJson();
  EXPECT_EQ(c.ToText(), "  \n    x=1\n  g\n    y=2\n");
}

TEST(CountersTest, ToTextListsEveryCounterUnderItsGroup) {
  Counters c;
  c.Add("B group", "x", 1);
  c.Add("A group", "y", 2);
  c.Add("A group", "z", 3);
  EXPECT_EQ(c.ToText(), "  A group\n    y=2\n    z=3\n  B group\n    x=1\n");
}

}  // namespace
}  // namespace mr

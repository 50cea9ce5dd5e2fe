// Counters::FromJson: reading back what Counters::ToJson writes.
#include <cctype>
#include <charconv>

#include "counters.h"

namespace mr {

namespace {

// A recursive-descent reader of exactly the counters shape.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool Groups(Counters* counters) {
    return Object([&](const std::string& group) {
      return Object([&](const std::string& name) {
        int64_t value = 0;
        if (!Int(&value)) return false;
        counters->Add(group, name, value);
        return true;
      });
    });
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == s_.size();
  }

 private:
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
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return false;
    auto [ptr, ec] = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, *out, 16);
    if (ec != std::errc() || ptr != s_.data() + pos_ + 4) return false;
    pos_ += 4;
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return false;  // JSON escapes these.
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': *out += e; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          // JsonWriter writes a byte that is not UTF-8 as \u00XX: one byte.
          if (cp < 0x100) {
            *out += static_cast<char>(cp);
          } else {
            AppendUtf8(cp, out);
          }
          break;
        }
        default: return false;
      }
    }
    return Eat('"');
  }
  bool Int(int64_t* out) {
    SkipSpace();
    auto [ptr, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), *out);
    if (ec != std::errc()) return false;
    pos_ = ptr - s_.data();
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<Counters> Counters::FromJson(std::string_view json) {
  Counters counters;
  Reader reader(json);
  if (reader.AtEnd()) return counters;
  if (!reader.Groups(&counters) || !reader.AtEnd()) {
    return Status::InvalidArgument("counters are not {\"group\": {\"name\": integer}} JSON");
  }
  return counters;
}

}  // namespace mr

// Ready-made job pieces, like Hadoop's mapreduce.lib: small classes that
// many jobs would otherwise each write again.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

#include "mapreduce/mapreduce.h"

namespace mr {

// Calls fn(word) for every word of `text`: each maximal run of bytes other
// than space, \t, \n, \v, \f and \r (any other bytes, NUL and invalid
// UTF-8 included, belong to words). The words of wordcount and the other
// examples.
template <typename Fn>
void ForEachWord(std::string_view text, Fn&& fn) {
  auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && is_space(*p)) ++p;
    const char* word = p;
    while (p < end && !is_space(*p)) ++p;
    if (p > word) fn(std::string_view(word, p - word));
  }
}

// Sums values written as decimal integers and emits the key with the sum, in
// decimal. Serves as a combiner too (its output is its input's kind). A value
// that is not a decimal integer counts as 0.
class LongSumReducer : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    int64_t sum = 0;
    std::string_view value;
    while (values.Next(&value)) {
      int64_t n = 0;
      std::from_chars(value.data(), value.data() + value.size(), n);
      sum += n;
    }
    char buf[24];
    char* end = std::to_chars(buf, buf + sizeof(buf), sum).ptr;
    context.Emit(key, std::string_view(buf, end - buf));
  }
};

}  // namespace mr

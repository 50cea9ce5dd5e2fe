// Ready-made job pieces, like Hadoop's mapreduce.lib: small classes that
// many jobs would otherwise each write again.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

#include "mapreduce/mapreduce.h"

namespace mr {

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

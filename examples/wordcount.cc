// Word count: how many times each word occurs in the input.
//
// A word is a maximal run of bytes other than space, \t, \n, \v, \f and \r:
// case-sensitive, any other bytes allowed (NUL and invalid UTF-8 included).
#include <charconv>
#include <cstdint>

#include "mapreduce/mapreduce.h"

namespace {

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

class TokenizerMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    const char* p = line.data();
    const char* end = p + line.size();
    while (p < end) {
      while (p < end && IsSpace(*p)) ++p;
      const char* word = p;
      while (p < end && !IsSpace(*p)) ++p;
      if (p > word) context.Emit(std::string_view(word, p - word), "1");
    }
  }
};

// Sums decimal counts; serves as the combiner too.
class SumReducer : public mr::Reducer {
 public:
  void Reduce(std::string_view word, mr::ValueIterator& counts, mr::Context& context) override {
    uint64_t sum = 0;
    std::string_view count;
    while (counts.Next(&count)) {
      uint64_t n = 0;
      std::from_chars(count.data(), count.data() + count.size(), n);
      sum += n;
    }
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof(buf), sum).ptr;
    context.Emit(word, std::string_view(buf, end - buf));
  }
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("wordcount");
  job.SetMapper<TokenizerMapper>().SetCombiner<SumReducer>().SetReducer<SumReducer>();
  return mr::JobMain(argc, argv, job);
}

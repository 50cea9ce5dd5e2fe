// Word count: how many times each word occurs in the input.
//
// A word is a maximal run of bytes other than space, \t, \n, \v, \f and \r:
// case-sensitive, any other bytes allowed (NUL and invalid UTF-8 included).
#include "mapreduce/library.h"
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

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("wordcount");
  job.SetMapper<TokenizerMapper>()
      .SetCombiner<mr::LongSumReducer>()
      .SetReducer<mr::LongSumReducer>();
  return mr::JobMain(argc, argv, job);
}

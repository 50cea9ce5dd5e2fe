// Word count: how many times each word occurs in the input.
//
// A word is a maximal run of bytes other than space, \t, \n, \v, \f and \r:
// case-sensitive, any other bytes allowed (NUL and invalid UTF-8 included).
#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

namespace {

class TokenizerMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    mr::ForEachWord(line, [&](std::string_view word) { context.Emit(word, "1"); });
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

// A job of your own: word count, with words folded to lower case when
// --lowercase is given. Copy this directory, change the classes, build:
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<the SDK's prefix> && cmake --build build
//   build/myjob --input=DIR --output=OUT               # on this machine
//   mrjob --cluster C submit --binary build/myjob --input /in --output /out
#include <cctype>
#include <string>

#include <gflags/gflags.h>

#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

DEFINE_bool(lowercase, false, "Count words folded to lower case (ASCII).");

namespace {

class WordMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    mr::ForEachWord(line, [&](std::string_view word) {
      word_.assign(word);
      if (FLAGS_lowercase) {
        for (char& c : word_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      context.Emit(word_, "1");
    });
  }

 private:
  std::string word_;
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("myjob");
  job.SetMapper<WordMapper>()
      .SetCombiner<mr::LongSumReducer>()
      .SetReducer<mr::LongSumReducer>();
  return mr::JobMain(argc, argv, job);
}

// A job whose combiner builds lists and never shrinks them, the worst case
// for map-side aggregation's re-combining (bench/aggregation_bench.sh): every
// word under one of 1000 keys (its hash), each key's words joined by ','.
#include <cstdint>
#include <string>
#include <string_view>

#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

namespace {

class BucketMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    mr::ForEachWord(line, [&](std::string_view word) {
      uint32_t hash = 2166136261u;  // FNV-1a
      for (char c : word) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
      context.Emit(std::to_string(hash % 1000), word);
    });
  }
};

class JoinReducer : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Context& context) override {
    list_.clear();
    std::string_view value;
    while (values.Next(&value)) {
      if (!list_.empty()) list_ += ',';
      list_.append(value);
    }
    context.Emit(key, list_);
  }

 private:
  std::string list_;
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("lists");
  job.SetMapper<BucketMapper>().SetCombiner<JoinReducer>().SetReducer<JoinReducer>();
  return mr::JobMain(argc, argv, job);
}

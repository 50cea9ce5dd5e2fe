// A job whose combiner builds lists and never shrinks them, the worst case
// for map-side aggregation's re-combining (bench/aggregation_bench.sh): every
// word under one of 1000 keys (its hash), each key's words joined by ','.
#include <cstdint>
#include <string>
#include <string_view>

#include "mapreduce/mapreduce.h"

namespace {

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

class BucketMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && IsSpace(line[i])) ++i;
      size_t start = i;
      uint32_t hash = 2166136261u;  // FNV-1a
      while (i < line.size() && !IsSpace(line[i])) hash = (hash ^ static_cast<uint8_t>(line[i++])) * 16777619u;
      if (i > start) context.Emit(std::to_string(hash % 1000), line.substr(start, i - start));
    }
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

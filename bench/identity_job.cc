// The identity job in C++, to measure streaming against: each line split at
// its first tab into key and value (all key without a tab), sorted by key,
// written back as "key\tvalue" lines. The same bytes as mrstream's
// --mapper=cat --reducer=cat (bench/streaming_bench.sh).
#include "mapreduce/mapreduce.h"

namespace {

class TabSplitMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      context.Emit(line, "");
    } else {
      context.Emit(line.substr(0, tab), line.substr(tab + 1));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("identity");
  job.SetMapper<TabSplitMapper>();  // No reducer: the identity reducer.
  return mr::JobMain(argc, argv, job);
}

// A word count for the scheduler's end-to-end tests that can misbehave on
// request: crash in its map tasks (as a segfaulting or throwing job would),
// or map or reduce slowly (to be killed while it runs).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <gflags/gflags.h>

#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

DEFINE_bool(test_crash_in_map, false, "Abort in every map task after a line of stderr.");
DEFINE_int32(test_map_sleep_ms, 0, "Sleep this long in each map task's Setup.");
DEFINE_int32(test_reduce_sleep_ms, 0, "Sleep this long in each reduce task's Setup.");

namespace {

class WordMapper : public mr::Mapper {
 public:
  void Setup(mr::Context&) override {
    if (FLAGS_test_crash_in_map) {
      std::fprintf(stderr, "faulty_job: crashing on purpose in map %d\n", 0);
      std::fflush(stderr);
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(FLAGS_test_map_sleep_ms));
  }
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ') ++i;
      if (i > start) context.Emit(line.substr(start, i - start), "1");
    }
  }
};

class SleepySumReducer : public mr::LongSumReducer {
 public:
  void Setup(mr::Context&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(FLAGS_test_reduce_sleep_ms));
  }
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("faulty_job");
  job.SetMapper<WordMapper>().SetCombiner<mr::LongSumReducer>().SetReducer<SleepySumReducer>();
  return mr::JobMain(argc, argv, job);
}

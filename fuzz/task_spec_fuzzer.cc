// What a task reads at start (its TaskSpec file, written by the NM from the
// AM's request) and what the AM reads back (the task's result): the first
// byte picks which.
#include "fuzz/fuzz_input.h"
#include "mapreduce/task_spec_io.h"
#include "task_spec_types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  if (in.TakeByte() % 2 == 0) {
    mr::fuzz::WriteScratch(in.rest());
    mr::wire::TaskSpec spec;
    (void)mr::ReadTaskSpec(mr::fuzz::ScratchPath(), &spec);
  } else {
    mr::Counters counters;
    std::vector<int32_t> fetch_failed;
    (void)mr::DecodeTaskResult(in.rest(), &counters, &fetch_failed);
  }
  return 0;
}

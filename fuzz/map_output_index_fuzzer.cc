// A map output's index file, read by the shuffle service and the reduce.
// The first byte picks what the rest is: even, the index's body (the
// checksum is appended here, so the decoder is reached); odd, the whole file.
#include "common/coding.h"
#include "common/hash.h"
#include "fuzz/fuzz_input.h"
#include "mapreduce/map_output_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  const bool body_only = in.TakeByte() % 2 == 0;
  std::string file(in.rest());
  if (body_only) mr::PutFixed64(&file, mr::Hash64(file));
  // The index of the map output at ScratchPath() is ScratchPath() + ".index".
  mr::fuzz::WriteScratch(file, ".index");
  mr::SegmentFile output;
  (void)mr::ReadMapOutputIndex(mr::fuzz::ScratchPath(), &output);
  return 0;
}

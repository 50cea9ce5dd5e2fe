// The shuffle service's request (what a reducer sends) and response header
// (what a fetcher reads): the first byte picks which.
#include "fuzz/fuzz_input.h"
#include "scheduler/shuffle/shuffle_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  if (in.TakeByte() % 2 == 0) {
    mr::shuffle::ShuffleRequest request;
    (void)mr::shuffle::DecodeRequest(in.rest(), &request);
  } else {
    mr::shuffle::ShuffleResponse response;
    (void)mr::shuffle::DecodeResponse(in.rest(), &response);
  }
  return 0;
}

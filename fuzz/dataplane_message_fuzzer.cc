// The datanode's data-plane messages (dfs/dataplane/messages.h): the first
// byte picks the message type, the rest is its payload as a frame carries it.
#include "dfs/dataplane/messages.h"
#include "fuzz/fuzz_input.h"

namespace dp = mr::dfs::dataplane;

template <typename T>
static void Decode(std::string_view bytes) {
  T message;
  if (dp::DecodeMessage(bytes, &message).ok()) {
    // What decodes encodes and decodes to the same.
    T again;
    if (!dp::DecodeMessage(dp::EncodeMessage(message), &again).ok() || !(again == message)) {
      __builtin_trap();
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  switch (in.TakeByte() % 7) {
    case 0: Decode<dp::ReadRequest>(in.rest()); break;
    case 1: Decode<dp::ReadResponse>(in.rest()); break;
    case 2: Decode<dp::WriteRequest>(in.rest()); break;
    case 3: Decode<dp::Packet>(in.rest()); break;
    case 4: Decode<dp::Ack>(in.rest()); break;
    case 5: Decode<dp::LocalReplicaRequest>(in.rest()); break;
    default: Decode<dp::LocalReplicaResponse>(in.rest()); break;
  }
  return 0;
}

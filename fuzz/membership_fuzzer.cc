// A membership core (SWIM or gossip, picked by the first byte) fed what
// peers send it: datagrams, full-state requests (JOIN, PUSH_PULL) and the
// full states (SYNC) that answer its own requests, with the clock moving.
// The rest of the input is a sequence of events, each one byte of kind, two
// bytes of length (little-endian) and that many bytes.
#include <algorithm>
#include <string>

#include "fuzz/fuzz_input.h"
#include "membership/core.h"

namespace mm = mr::membership;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  const mm::Protocol protocol = in.TakeByte() % 2 == 0 ? mm::Protocol::kSwim : mm::Protocol::kGossip;
  auto self = std::make_shared<mm::MemberIdentity>();
  self->id = "a";
  self->address = "127.0.0.1:1";
  self->rack = "r1";
  mm::CoreOptions options;
  options.wall_clock_ms = 1'000'000;
  auto core = mm::NewProtocolCore(protocol, options, self, /*seed=*/1);
  int64_t now = 0;
  core->Start(now, {"127.0.0.1:2"});
  while (!in.rest().empty()) {
    const uint8_t kind = in.TakeByte();
    const size_t length = in.TakeByte() | (in.TakeByte() << 8);
    const std::string bytes(in.Take(length));
    now += kind >> 2;  // Up to 63 ms between events.
    switch (kind & 3) {
      case 0:
        core->OnDatagram("127.0.0.1:2", bytes, now);
        break;
      case 1:
        (void)core->OnSyncRequest(bytes, now);
        break;
      case 2:
        (void)core->ApplyFullState(bytes, now);
        break;
      default:
        now = std::max(now, core->NextDeadlineMs());
        core->Tick(now);
        break;
    }
    core->outbox().clear();
    core->events().clear();
    core->sync_requests().clear();
  }
  (void)core->Snapshot();
  return 0;
}

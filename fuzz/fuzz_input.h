// FuzzInput: takes typed pieces off the front of a fuzzer's bytes, so one
// input can choose a message type and carry the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <unistd.h>

#include "common/file.h"

namespace mr::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // The first byte (0 when none is left), consumed.
  uint8_t TakeByte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  // The next `n` bytes (fewer if fewer are left), consumed.
  std::string_view Take(size_t n) {
    std::string_view taken = rest_.substr(0, n);
    rest_.remove_prefix(taken.size());
    return taken;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// A scratch file for decoders that read files: one per process (libFuzzer
// runs inputs one after another in a process).
inline const std::string& ScratchPath() {
  static const std::string path = "/tmp/mr_fuzz_" + std::to_string(::getpid());
  return path;
}

// Writes `bytes` to ScratchPath() + suffix. A failure leaves the file
// unreadable or short, which the decoder under test must survive anyway.
inline void WriteScratch(std::string_view bytes, const std::string& suffix = "") {
  const std::string path = ScratchPath() + suffix;
  (void)RemoveAll(path);  // WriteStringToFile creates; it does not overwrite.
  (void)WriteStringToFile(path, bytes, /*sync=*/false);
}

}  // namespace mr::fuzz

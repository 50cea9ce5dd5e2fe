// Reading the ends of a container's log files.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace mr::sched::nm {

// The last `max_bytes` bytes of the file (all of it if shorter).
Result<std::string> ReadFileTail(const std::string& path, uint64_t max_bytes);

// The last `max_lines` lines of the file, at most `max_bytes` bytes (cut at
// a line start where possible), without a trailing newline; empty if the
// file is missing or empty.
std::string LastLines(const std::string& path, int max_lines = 20, uint64_t max_bytes = 4096);

}  // namespace mr::sched::nm

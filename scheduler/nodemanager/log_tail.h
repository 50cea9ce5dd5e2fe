// Reading the ends of the files a container's process writes (its logs,
// its result). They sit in a directory its user owns, and the NM may be
// root: they are opened never through a symlink (the last component: the
// directories above are the NM's) and read only if regular files (a FIFO
// would block the reader).
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace mr::sched::nm {

// The last `max_bytes` bytes of the file (all of it if shorter); *size, if
// given, gets the file's size. PermissionDenied for a symlink or a file
// that is not regular.
Result<std::string> ReadFileTail(const std::string& path, uint64_t max_bytes,
                                 uint64_t* size = nullptr);

// The last `max_lines` lines of the file, at most `max_bytes` bytes (cut at
// a line start where possible), without a trailing newline; empty if the
// file is missing or empty.
std::string LastLines(const std::string& path, int max_lines = 20, uint64_t max_bytes = 4096);

}  // namespace mr::sched::nm

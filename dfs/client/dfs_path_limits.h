// The client's path check: dfs_path.h's rules (absolute, normalized) plus
// length limits — at most 4096 bytes in all and 255 per component — with an
// overlong path shortened in the message so that the error stays one line.
// Every DfsClient entry point and mrdfs's argument parser use it.
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace mr::dfs {

inline constexpr size_t kMaxDfsPathBytes = 4096;
inline constexpr size_t kMaxDfsComponentBytes = 255;

Status ValidateDfsPath(std::string_view path);

}  // namespace mr::dfs

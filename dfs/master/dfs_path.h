// DFS paths: the one validator that every master entry point (each RPC, log
// replay, checkpoint load) and the client use, with the namespace's limits.
//
// A valid path is absolute and normalized: "/" or "/a/b" — no empty, "." or
// ".." component, no "//", no trailing '/', no NUL byte — valid UTF-8 (as
// HDFS paths are; so that --json output names every file exactly), and
// within the
// limits: at most kMaxDfsPathBytes bytes in all, kMaxDfsComponentBytes per
// component, and kMaxDfsPathDepth components (HDFS's MAX_PATH_DEPTH). The
// limits bound every walk of the namespace (the depth of a tree, the bytes
// of a path a walk builds) and every record that names a path.
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {

inline constexpr size_t kMaxDfsPathBytes = 4096;
inline constexpr size_t kMaxDfsComponentBytes = 255;
inline constexpr size_t kMaxDfsPathDepth = 1000;

// OK, or InvalidArgument naming the path (shortened, so that the message
// stays one short line; printed escaped by tools) and what is wrong with it.
Status ValidatePath(std::string_view path);

// The path as error messages show it: at most 40 bytes, then "...".
std::string ShortPath(std::string_view path);

// The number of components of a valid path ("/" has none).
size_t PathDepth(std::string_view path);

// The components of a valid path ("/" has none).
std::vector<std::string> SplitPath(std::string_view path);

// "/a/b" for {"a", "b"}; "/" for none.
std::string JoinComponents(const std::vector<std::string>& components, size_t count);

// True if `path` is `ancestor` or lies under it (both valid).
bool IsSameOrUnder(std::string_view path, std::string_view ancestor);

}  // namespace mr::dfs

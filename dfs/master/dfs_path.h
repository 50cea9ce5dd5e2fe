// DFS paths: the one validator every master entry point uses.
//
// A valid path is absolute and normalized: "/" or "/a/b" — no empty, "." or
// ".." component, no "//", no trailing '/', no NUL byte.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {

// OK, or InvalidArgument naming the path and what is wrong with it.
Status ValidatePath(std::string_view path);

// The components of a valid path ("/" has none).
std::vector<std::string> SplitPath(std::string_view path);

// "/a/b" for {"a", "b"}; "/" for none.
std::string JoinComponents(const std::vector<std::string>& components, size_t count);

// True if `path` is `ancestor` or lies under it (both valid).
bool IsSameOrUnder(std::string_view path, std::string_view ancestor);

}  // namespace mr::dfs

// The job's input as the DFS holds it: every file under the input path with
// its chunks and their replicas, for split planning (split_planner.h).
// Thread-safety: stateless; uses the DfsClient as its own contract allows.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "mapreduce/appmaster/split_planner.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

// True for names the input skips, as the local runner does: "_SUCCESS",
// ".x.tmp-..." and anything else starting with '_' or '.'.
bool IsHiddenInputName(const std::string& name);

// `input` is a file, or a directory read recursively; names starting with
// '_' or '.' are skipped (a hidden directory with all under it). Files come
// sorted by path. NotFound if `input` does not exist.
Result<std::vector<InputFile>> ListDfsInput(dfs::DfsClient* dfs, const std::string& input);

}  // namespace mr::am

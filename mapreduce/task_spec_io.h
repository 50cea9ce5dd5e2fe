// Encoding of the task spec and task result files (task_spec.thrift) that an
// Application Master and a task process hand each other.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "counters.h"
#include "task_spec_types.h"

namespace mr {

// Reads the TaskSpec file at `path` (Thrift compact); NotFound if missing,
// Corruption if it does not decode.
Status ReadTaskSpec(const std::string& path, wire::TaskSpec* spec);
std::string EncodeTaskSpec(const wire::TaskSpec& spec);

// A TaskResult holding every counter of a task.
std::string EncodeTaskResult(const Counters& counters);
// ... and, for a reduce that could not fetch some map outputs (it then
// exits non-zero), those maps' indexes.
std::string EncodeTaskResult(const Counters& counters,
                             const std::vector<int32_t>& fetch_failed_maps);
// Adds the counters of an encoded TaskResult to *counters.
Status DecodeTaskResult(std::string_view bytes, Counters* counters);
// As above, and sets *fetch_failed_maps (sorted, without duplicates; empty
// when the result names none). Corruption if `bytes` does not decode, and
// then neither output is touched.
Status DecodeTaskResult(std::string_view bytes, Counters* counters,
                        std::vector<int32_t>* fetch_failed_maps);

}  // namespace mr

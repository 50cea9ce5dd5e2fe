// Encoding of the task spec and task result files (task_spec.thrift) that an
// Application Master and a task process hand each other.
// Thread-safety: stateless.
#pragma once

#include <string>
#include <string_view>

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
// Adds the counters of an encoded TaskResult to *counters.
Status DecodeTaskResult(std::string_view bytes, Counters* counters);

}  // namespace mr

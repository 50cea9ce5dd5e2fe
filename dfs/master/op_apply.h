// Applies one op-log record to a Namespace: the single code path shared by
// live mutations (kCheck before logging, kApply after) and log replay.
// Thread-safety: as Namespace (none).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs/master/namespace.h"

namespace mr::dfs {

namespace wire {
class OpLogRecord;
}

// Runs the op `record` carries against `ns` in `mode`. InvalidArgument if the
// record carries no op or more than one. For an op that removes chunks (a
// delete, a rename over a file, lease recovery dropping chunks), their ids
// are appended to *removed_chunks if given.
Status ApplyOpLogRecord(const wire::OpLogRecord& record, MutationMode mode, Namespace* ns,
                        std::vector<int64_t>* removed_chunks = nullptr);

// One line naming the record for an operator: "op 17 (rename /a -> /b)",
// paths shortened (ShortPath).
std::string DescribeOpLogRecord(const wire::OpLogRecord& record);

}  // namespace mr::dfs

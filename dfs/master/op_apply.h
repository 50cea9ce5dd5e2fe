// Applies one op-log record to a Namespace: the single code path shared by
// live mutations (kCheck before logging, kApply after) and log replay.
// Thread-safety: as Namespace (none).
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "dfs/master/namespace.h"

namespace mr::dfs {

namespace wire {
class OpLogRecord;
}

// Runs the op `record` carries against `ns` in `mode`. InvalidArgument if the
// record carries no op or more than one. For a delete, the removed chunk ids
// are appended to *removed_chunks if given.
Status ApplyOpLogRecord(const wire::OpLogRecord& record, MutationMode mode, Namespace* ns,
                        std::vector<int64_t>* removed_chunks = nullptr);

}  // namespace mr::dfs

// RmStateStore: where the active Resource Manager keeps its checkpoint
// (wire::RmCheckpoint, rm_state.thrift) and where a standby finds it when
// it takes over (docs/SCHEDULER.md, "RM failover").
//
// The local store keeps one file, <dir>/rm_state, replaced atomically
// (temp file, fsync, rename, fsync of the directory): a reader sees the
// previous checkpoint or the new one, never half of one. Active and standby
// share the directory (one host, or a shared mount).
//
// Thread-safety: none; RmService calls it under its mutex.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "rm_state_types.h"

namespace mr::sched {

class RmStateStore {
 public:
  virtual ~RmStateStore() = default;
  virtual Status Save(const wire::RmCheckpoint& checkpoint) = 0;
  // NotFound if nothing was saved yet; Corruption for a damaged file.
  virtual Result<wire::RmCheckpoint> Load() = 0;
  virtual std::string Describe() const = 0;  // For logs.
};

std::unique_ptr<RmStateStore> NewLocalStateStore(const std::string& dir);

}  // namespace mr::sched

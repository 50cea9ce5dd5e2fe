// Thrown(fn): the Status a scheduler service handler threw (OK if none), as
// the RPC layer would hand it to a client. For tests that call handlers
// in-process.
#pragma once

#include "common/status.h"
#include "rpc/status_codes.h"
#include "scheduler_types.h"

namespace mr::sched {

template <typename Fn>
Status Thrown(Fn fn) {
  try {
    fn();
  } catch (const wire::SchedulerError& e) {
    return rpc::FromWireError(e);
  }
  return Status::OK();
}

}  // namespace mr::sched

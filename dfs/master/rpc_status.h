// The one mapping between mr::Status and the MasterService's DfsError
// (dfs.thrift numbers its codes as Status::Code does). Used at the RPC edge
// only: by the service to throw, by the client to turn the throw back into a
// Status.
// Thread-safety: stateless.
#pragma once

#include "common/status.h"
#include "dfs_types.h"

namespace mr::dfs {

// `status` must not be OK.
wire::DfsError ToDfsError(const Status& status);
// An unknown code becomes Internal.
Status FromDfsError(const wire::DfsError& error);

}  // namespace mr::dfs

#include "dfs/master/rpc_status.h"

namespace mr::dfs {

wire::DfsError ToDfsError(const Status& status) {
  wire::DfsError error;
  error.code = static_cast<int32_t>(status.code());
  error.message = status.message();
  return error;
}

Status FromDfsError(const wire::DfsError& error) {
  const std::string& m = error.message;
  switch (static_cast<Status::Code>(error.code)) {
    case Status::Code::kNotFound: return Status::NotFound(m);
    case Status::Code::kAlreadyExists: return Status::AlreadyExists(m);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(m);
    case Status::Code::kIOError: return Status::IOError(m);
    case Status::Code::kCorruption: return Status::Corruption(m);
    case Status::Code::kNoSpace: return Status::NoSpace(m);
    case Status::Code::kAborted: return Status::Aborted(m);
    case Status::Code::kUnavailable: return Status::Unavailable(m);
    case Status::Code::kInternal: return Status::Internal(m);
    case Status::Code::kOk: break;
  }
  return Status::Internal("DfsError code " + std::to_string(error.code) + ": " + m);
}

}  // namespace mr::dfs

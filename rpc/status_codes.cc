#include "rpc/status_codes.h"

namespace mr::rpc {

Status StatusFromCode(int32_t code, const std::string& m) {
  switch (static_cast<Status::Code>(code)) {
    case Status::Code::kNotFound: return Status::NotFound(m);
    case Status::Code::kAlreadyExists: return Status::AlreadyExists(m);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(m);
    case Status::Code::kIOError: return Status::IOError(m);
    case Status::Code::kCorruption: return Status::Corruption(m);
    case Status::Code::kNoSpace: return Status::NoSpace(m);
    case Status::Code::kAborted: return Status::Aborted(m);
    case Status::Code::kUnavailable: return Status::Unavailable(m);
    case Status::Code::kInternal: return Status::Internal(m);
    case Status::Code::kPermissionDenied: return Status::PermissionDenied(m);
    case Status::Code::kOk: break;
  }
  return Status::Internal("error code " + std::to_string(code) + ": " + m);
}

}  // namespace mr::rpc
